"""The web page's sections: each block of key figures with at most two charts drawn, the others' tables kept."""

import pytest

from maillage.observatory.figures import indicators, reports, sections

pytestmark = pytest.mark.django_db


def test_every_chart_finds_its_block_and_no_section_draws_more_than_two(aggregates):
    report = reports.build_report(reports.territory("department", "13"), 2024)
    page = sections.page_sections(report)
    assert [s.title for s in page] == [title for title, _ in report.sections]
    placed = [c.slug for s in page for c in (*s.charts, *s.tables_only)]
    assert sorted(placed) == sorted(c.slug for c in report.charts)  # none lost
    assert all(len(s.charts) <= sections.CHARTS_SHOWN for s in page)
    staff = next(s for s in page if s.title == indicators.STAFF)
    assert [c.slug for c in staff.charts] == ["evolution-etp"]


@pytest.mark.parametrize(("slug", "block"), [
    ("structures", indicators.STRUCTURES), ("financeurs", indicators.FINANCES), ("ages", indicators.PUBLICS),
    ("thematique", indicators.THEME), ("evolution-benevoles_activite", indicators.PARTICIPATION),
    ("evolution-financement_caf", indicators.FINANCES), ("inconnu", ""),
])  # fmt: skip
def test_chart_blocks(slug, block):
    assert sections.chart_block(slug) == block


def test_a_chart_has_one_unit(aggregates):
    """The year's theme mixes shares and a number of people: the chart draws the shares only."""
    from maillage.observatory.figures.statistics import summarize
    from tests.observatory_reports.conftest import add

    add(2024, "department", "13", "all", "TH_FRANCE_SERVICES", summarize([1, 0, 1, 1, 0, 1]))
    add(2024, "department", "13", "all", "TH_PERSONNES_ACCOMPAGNEES", summarize([150, 160, 170, 180, 190, 200]))
    report = reports.build_report(reports.territory("department", "13"), 2024)
    theme = report.chart("thematique").chart
    assert [label for label, _ in theme.items] == ["Structures labellisées France services"]
    assert theme.unit == reports.PERCENT
