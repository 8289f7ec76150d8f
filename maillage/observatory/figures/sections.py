"""The sections of a territory's web page: each block of key figures (`indicators.Indicator.block`) with the one or
two charts that tell it, the other charts' figures kept for its folded tables (« Voir les données »).

Pure arrangement of a built report (`reports.Report`): no query, no figure computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from maillage.observatory.figures import indicators
from maillage.observatory.figures.reports import BREAKDOWNS, Figure, Report, ReportChart

CHARTS_SHOWN = 2  # per section: more charts make a wall again; their figures stay in the section's tables
EVOLUTION_PREFIX = "evolution-"


@dataclass
class PageSection:
    slug: str
    title: str
    figures: list[Figure]
    charts: list[ReportChart] = field(default_factory=list)  # drawn
    tables_only: list[ReportChart] = field(default_factory=list)  # their data tables only, folded


def chart_block(slug: str) -> str:
    """The block of key figures a chart belongs to (its indicators'); "" when none is known."""
    if slug == "structures":
        return indicators.STRUCTURES
    if slug.startswith(EVOLUTION_PREFIX):
        item = indicators.BY_CODE.get(slug.removeprefix(EVOLUTION_PREFIX).upper())
        return item.block if item else ""
    for breakdown_slug, _, prefix, _ in BREAKDOWNS:
        if slug == breakdown_slug:
            item = next((i for i in indicators.INDICATORS if i.code.startswith(prefix)), None)
            return item.block if item else ""
    return ""


def page_sections(report: Report) -> list[PageSection]:
    """The report's blocks in order, each with its charts (the first ``CHARTS_SHOWN`` drawn)."""
    by_block: dict[str, list[ReportChart]] = {}
    for item in report.charts:
        by_block.setdefault(chart_block(item.slug), []).append(item)
    sections = []
    for number, (title, figures) in enumerate(report.sections, 1):
        charts = by_block.get(title, [])
        sections.append(PageSection(f"bloc-{number}", title, figures, charts[:CHARTS_SHOWN], charts[CHARTS_SHOWN:]))
    return sections
