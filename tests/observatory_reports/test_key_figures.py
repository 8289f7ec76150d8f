"""The tiles that open a territory's page: the stored aggregates' figures, secrecy kept, one query."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.observatory.figures import key_figures, reports
from maillage.observatory.figures.secrecy import SECRET
from maillage.observatory.models import Aggregate

pytestmark = pytest.mark.django_db


def stored(year, scope, code, indicator):
    row = Aggregate.objects.get(year=year, scope=scope, scope_code=code, group="all", code=indicator)
    return row.summary["stats"]


def tile(figures, slug):
    return next(f for f in figures.figures if f.slug == slug)


def test_tiles_are_the_stored_aggregates_with_region_and_france_beside(aggregates):
    place = reports.territory("department", "13")
    with CaptureQueriesContext(connection) as queries:
        figures = key_figures.key_figures(place, 2024)
    assert len(queries.captured_queries) == 1
    assert figures.comparison_labels == [f"Région {place.region[1]}", "France"]

    etp = tile(figures, "etp")
    assert etp.value == Decimal(stored(2024, "department", "13", "ETP")["mean"])
    previous = Decimal(stored(2023, "department", "13", "ETP")["mean"])
    assert etp.change == (etp.value - previous) / previous
    assert [c.value for c in etp.comparisons] == [
        Decimal(stored(2024, "region", aggregates, "ETP")["mean"]),
        Decimal(stored(2024, "nation", "", "ETP")["mean"]),
    ]
    assert etp.text == "8,2" and etp.change_text == "+14\u00a0%"  # 73,5 / 9 against 64,5 / 9

    budget = tile(figures, "budget")
    assert budget.value == Decimal(stored(2024, "department", "13", "BUDGET")["median"])
    assert budget.detail == "total des budgets : 7\u00a0350\u00a0000\u00a0€"

    structures = tile(figures, "structures")
    assert structures.value == 9 and structures.change == 0 and structures.change_text == "0"
    assert structures.detail == "sur 11 structures (taux de réponse : 82\u00a0%)"
    assert [c.text for c in structures.comparisons] == ["88\u00a0%", "88\u00a0%"]  # 14 of 16

    caf = tile(figures, "caf")  # no funding aggregate stored: no figure, no change
    assert caf.value is None and caf.text == "—" and caf.change_text == "—"


def test_france_has_nothing_above_it(aggregates):
    figures = key_figures.key_figures(reports.territory("nation"), 2024)
    assert figures.comparison_labels == [] and tile(figures, "etp").comparisons == []
    assert tile(figures, "etp").value == Decimal(stored(2024, "nation", "", "ETP")["mean"])


def test_a_secret_figure_is_never_shown_nor_its_change(aggregates):
    place = reports.territory("department", "13")
    Aggregate.objects.filter(year=2024, scope="department", scope_code="13", code="ETP").update(secret=True)
    etp = tile(key_figures.key_figures(place, 2024), "etp")
    assert etp.value is SECRET and etp.text == "s"
    assert etp.change is None and etp.change_text == "—"
    assert "8,2" not in etp.text + etp.detail


def test_a_change_from_a_secret_year_is_not_given(aggregates):
    """The figure of 2024 is published, 2023's is secret: 2024's figure and its change would give 2023's away."""
    place = reports.territory("department", "13")
    Aggregate.objects.filter(year=2023, scope="department", scope_code="13", code="BUDGET").update(secret=True)
    budget = tile(key_figures.key_figures(place, 2024), "budget")
    assert budget.value == Decimal(stored(2024, "department", "13", "BUDGET")["median"])
    assert budget.change is None and budget.change_text == "—"


def test_a_secret_comparison_shows_s(aggregates):
    """The region's ETP made secret: the department's tile shows « s » beside the region, not its figure."""
    Aggregate.objects.filter(year=2024, scope="region", code="ETP").update(secret=True)
    etp = tile(key_figures.key_figures(reports.territory("department", "13"), 2024), "etp")
    assert [c.value for c in etp.comparisons][0] is SECRET and etp.comparisons[0].text == "s"


def test_a_share_of_a_secret_total_is_secret(aggregates):
    from maillage.observatory.figures.statistics import summarize
    from tests.observatory_reports.conftest import add

    for year, caf in ((2023, 200_000), (2024, 300_000)):
        add(year, "department", "13", "all", "FINANCEMENT_CAF", summarize([caf] * 6))
        add(year, "department", "13", "all", "FINANCEMENT_TOTAL", summarize([1_000_000] * 6))
    caf = tile(key_figures.key_figures(reports.territory("department", "13"), 2024), "caf")
    assert caf.value == Decimal("0.3") and caf.text == "30\u00a0%" and caf.change_text == "+10\u00a0pts"
    Aggregate.objects.filter(year=2024, code="FINANCEMENT_TOTAL").update(secret=True)
    caf = tile(key_figures.key_figures(reports.territory("department", "13"), 2024), "caf")
    assert caf.value is SECRET and caf.change is None


def test_a_tile_names_the_region_short_and_in_full_for_screen_readers(aggregates):
    etp = tile(key_figures.key_figures(reports.territory("department", "13"), 2024), "etp")
    region = etp.comparisons[0]
    assert region.short == "Région" and region.rest == region.label.removeprefix("Région ") != ""
    assert etp.comparisons[1].short == "France" and etp.comparisons[1].rest == ""


def test_a_page_seen_again_reads_its_tiles_from_the_cache(client, aggregates):
    from django.urls import reverse

    url = reverse("observatory:departement", kwargs={"code": "13"})
    assert 'id="tuile-etp"' in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        text = client.get(url).content.decode()
    assert 'id="tuile-etp"' in text and "8,2" in text
    reads = [q["sql"] for q in queries.captured_queries if "observatory_aggregate" in q["sql"]]
    assert [sql for sql in reads if "DISTINCT" not in sql] == []  # the published years only, no figure
