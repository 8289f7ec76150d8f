"""What the four pages of a plaquette show, beyond the report's context (`report_context.py`): the key-figure
tiles (`key_figures.py`), the territory on the map of France, the comparisons with the region and France, the
evolution over the years, the thematic block, and the territory's editorial and logos (`editorial.py`).

Only stored aggregates (secrecy applied by `reports.py` and `key_figures.py`); each chart has one unit.
"""

from __future__ import annotations

import dataclasses
import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.utils.safestring import mark_safe

from maillage.referentials.models import Department

from ..models import AggregateScope
from . import indicators, key_figures, reports
from .charts import BarChart, chart_svg
from .editorial import editorial_for
from .secrecy import is_secret

MAP_FILE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "france-departments" / "france.departments.svg"
SVG = "{http://www.w3.org/2000/svg}"
HERE, AROUND, OTHER = "#1f5f99", "#9dbfe0", "#e4e4e4"  # the territory, its region, the rest of France
# The tiles compared on page 2, one chart each (one unit per chart).
COMPARED = ("participation", "benevoles", "etp", "budget", "caf", "qpv")
MAP_CREDIT = "Fond de carte : Victor Cazanave (svg-maps), d'après MapSVG, licence CC BY 4.0."


@functools.cache
def _shapes() -> tuple[str, tuple[tuple[str, str], ...]]:
    root = ET.parse(MAP_FILE).getroot()
    return root.get("viewBox"), tuple((p.get("id"), p.get("d")) for p in root.iter(f"{SVG}path"))


@dataclass(frozen=True)
class TerritoryMap:
    svg: str  # "" when the territory is not on the map of metropolitan France
    sentence: str  # where the territory lies, in words (the map's text alternative, and the only one overseas)


def territory_map(place: reports.Territory) -> TerritoryMap:
    """France by department, the territory's departments dark, the rest of its region light."""
    view_box, shapes = _shapes()
    on_map = {code for code, _ in shapes}
    if place.scope == AggregateScope.NATION:
        here, around = on_map, set()
        sentence = "La France, métropole et outre-mer : toutes les régions et tous les départements."
    elif place.scope == AggregateScope.REGION:
        here = set(Department.objects.filter(region__code=place.code).values_list("code", flat=True))
        around = set()
        sentence = f"La région {place.name} et ses {len(here)} départements ({', '.join(sorted(here))})."
    else:
        here = {place.code}
        around = set(Department.objects.filter(region__code=place.region[0]).values_list("code", flat=True)) - here
        sentence = f"Le département {place.name} ({place.code}), dans la région {place.region[1]}."
    if not here & on_map:
        return TerritoryMap("", sentence + " Il n'est pas sur la carte de la France métropolitaine.")
    title = f"Carte : {place.title} sur la carte de France"
    paths = [
        f'<path d="{escape(d)}" fill="{HERE if code in here else AROUND if code in around else OTHER}" '
        f'stroke="#ffffff" stroke-width="0.6"/>'
        for code, d in shapes
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="{view_box}" class="plaquette-map">'
        f"<title>{escape(title)}</title><desc>{escape(sentence)}</desc>{''.join(paths)}</svg>"
    )
    return TerritoryMap(mark_safe(svg), sentence)


def comparison_charts(figures: key_figures.KeyFigures, place: reports.Territory) -> list[dict]:
    """One small bar chart per compared tile: the territory, its region, France, in the tile's unit."""
    if not figures.comparison_labels:
        return []
    charts = []
    for figure in figures.figures:
        if figure.slug not in COMPARED:
            continue
        items = [(place.name, figure.value)] + [(c.short, c.value) for c in figure.comparisons]  # short: never clipped
        if all(value is None for _, value in items):
            continue
        chart = BarChart(f"{figure.title} : {figure.spec.caption}", f"{figure.title} comparé : "
                         + " ; ".join(f"{label} {_text(figure, value)}" for label, value in items),
                         items, unit=figure.spec.unit, decimals=figure.spec.decimals,
                         category_heading="Territoire", value_heading=figure.title)  # fmt: skip
        charts.append({"title": figure.title, "caption": figure.spec.caption,
                       "svg": mark_safe(chart_svg(chart, f"comparaison-{figure.slug}"))})  # fmt: skip
    return charts


def _text(figure: key_figures.KeyFigure, value) -> str:
    if value is None:
        return "non disponible"
    if is_secret(value):
        return "secret statistique"
    return key_figures.Comparison("", value, figure.spec.unit, figure.spec.decimals).text


def thematic_chart(report: reports.Report) -> dict | None:
    """The thematic block's shares, labels whole (« Accueillant des permanences d'accès aux droits »)."""
    found = report.chart("thematique")
    if found is None:
        return None
    items = [(_without_subject(label), value) for label, value in found.chart.items]
    chart = dataclasses.replace(found.chart, items=items, label_width=400)
    return {"svg": mark_safe(chart_svg(chart, "thematique")), "unit": chart.unit}


def _without_subject(label: str) -> str:
    rest = label.removeprefix("Structures ").removeprefix("structures ")
    return rest[:1].upper() + rest[1:]


def evolution_rows(report: reports.Report) -> list[dict]:
    """The evolution of the figures drawn and of the key tiles only: a page, not the whole workbook."""
    codes = set(reports.EVOLUTION_CODES) | {tile.code for tile in key_figures.TILES}
    rows = []
    for code, points in report.evolution:
        if code in codes:
            item = indicators.BY_CODE[code]
            unit, decimals = reports.unit_of(item), reports.decimals_of(item)
            rows.append({"label": item.label, "cells": [reports.cell(v, unit, decimals) for _, v in points]})
    return rows


def plaquette_context(report: reports.Report, context: dict) -> dict:
    """What the plaquette adds to the report's context (``context``: `report_context(..., for_pdf=True)`)."""
    place = report.territory
    figures = key_figures.cached_key_figures(place, report.year, report.computed_at)
    thematic_rows = [rows for label, rows in context["sections"] if label == indicators.THEME]
    return {
        "key_figures": figures,
        "map": territory_map(place),
        "map_credit": MAP_CREDIT,
        "comparisons": comparison_charts(figures, place),
        "evolution_charts": [c for c in context["charts"] if c["slug"].startswith("evolution-")],
        "thematic_chart": thematic_chart(report),
        "evolution_rows": evolution_rows(report),
        "thematic_rows": thematic_rows[0] if thematic_rows else [],
        "thematic_title": indicators.THEME,
        "editorial": editorial_for(place.scope, place.code),
    }
