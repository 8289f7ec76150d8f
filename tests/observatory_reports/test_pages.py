import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.observatory.figures.formatting import format_number
from maillage.observatory.models import Campaign

pytestmark = pytest.mark.django_db


def aggregate_reads(queries):
    return [q for q in queries if "observatory_aggregate" in q["sql"] and "MAX(" not in q["sql"].upper()
            and "DISTINCT" not in q["sql"].upper()]  # fmt: skip


def test_national_page_shows_figures_secrecy_and_tables(client, aggregates):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("observatory:nation"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Observatoire : France — Enquête 2025 — données 2024" in text
    # 14 answering structures of 16 surveyed
    assert "<strong>14</strong> structures sur 16" in text
    assert "ETP par structure" in text
    # mean ETP of all 14 structures: (69 + 4.5 + 50) / 14 = 8.82…
    assert format_number(round((69 + 4.5 + 50) / 14, 1), 1) in text
    assert 'title="secret statistique"' in text
    assert "moins de 5 structures" in text  # explanation
    assert "Méthodologie" in text
    assert "<caption>Données du graphique" in text
    assert reverse("observatory:nation-csv", kwargs={"slug": "structures"}) in text
    # the report's rows, the regions' rows, the key figures' rows (France: nothing above it)
    assert len(aggregate_reads(queries.captured_queries)) <= 3, queries.captured_queries
    assert len(queries.captured_queries) <= 9


def test_a_territory_page_renders_its_cells_without_a_template_each(client, aggregates):
    """About 800 cells a page: an `{% include %}` per cell was most of its rendering (25 ms a page)."""
    page = client.get(reverse("observatory:nation"))
    assert len(page.templates) < 12, [template.name for template in page.templates]
    assert '<td><abbr title="secret statistique">s</abbr></td>' in page.content.decode()


def test_a_figure_cell_is_escaped_or_marked_secret():
    from maillage.www.templatetags.observatory_words import figure_cell

    assert figure_cell({"text": "<b>12 %</b>", "secret": False}) == "&lt;b&gt;12 %&lt;/b&gt;"
    assert figure_cell({"text": "s", "secret": True}) == '<abbr title="secret statistique">s</abbr>'


def test_evs_secret_and_secondary_suppression_by_kind(client, aggregates):
    """3 EVS in France: their ETP is secret, and so is the CSX figure (all − CSX would give the EVS)."""
    from maillage.observatory.figures import reports

    report = reports.build_report(reports.territory("nation"), 2024)
    etp = next(f for f in report.figures if f.indicator.code == "ETP")
    assert etp.by_kind["kind=evs"] is reports.SECRET
    assert etp.by_kind["kind=csx"] is reports.SECRET
    assert etp.by_kind["all"] is not reports.SECRET
    assert report.has_secret


def test_department_with_few_structures_is_secret(client, aggregates):
    """Vaucluse: 5 CSX and no EVS — published; a department of 3 would not be."""
    from maillage.observatory.figures import reports

    report = reports.build_report(reports.territory("department", "84"), 2024)
    etp = next(f for f in report.figures if f.indicator.code == "ETP")
    assert etp.value == sum(range(8, 13)) / __import__("decimal").Decimal(5)
    assert etp.median == 10


def test_region_page_lists_departments_and_reads_aggregates_in_three_queries(client, aggregates):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("observatory:region", kwargs={"code": aggregates}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Les départements de la région" in text
    assert "Bouches-du-Rhône" in text and "Vaucluse" in text
    # the report's rows, its departments' rows, the key figures' rows (the region's two years and France's)
    assert len(aggregate_reads(queries.captured_queries)) == 3


def test_department_page_and_past_year(client, aggregates):
    page = client.get(reverse("observatory:departement", kwargs={"code": "13"}))
    assert page.status_code == 200
    assert "Bouches-du-Rhône (13)" in page.content.decode()
    assert "Évolution sur 2 ans" in page.content.decode()
    past = client.get(reverse("observatory:departement", kwargs={"code": "13"}) + "?annee=2023")
    assert past.status_code == 200
    assert "données 2023" in past.content.decode()
    assert client.get(reverse("observatory:nation-year", kwargs={"year": 2023})).status_code == 200


@pytest.mark.parametrize("url", [
    "/observatoire/departement/999/", "/observatoire/region/XX/", "/observatoire/2019/",
    "/observatoire/departement/13/?annee=2019", "/observatoire/donnees/inconnu.csv",
    "/observatoire/departement/999/plaquette.pdf",
])  # fmt: skip
def test_unknown_territory_year_or_table_is_404(client, aggregates, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", [
    "/observatoire/", "/observatoire/departement/13/", "/observatoire/plaquette.pdf",
    "/observatoire/donnees/chiffres-cles.csv",
])  # fmt: skip
@pytest.mark.parametrize("year", ["abc", "²", "２０２４", "99999999999999999999", ""])
def test_a_year_that_is_no_number_is_a_400_naming_it(client, aggregates, path, year):
    response = client.get(path, {"annee": year})
    assert response.status_code == 400
    assert "Paramètre «&nbsp;annee&nbsp;»" in response.content.decode()


def test_no_aggregates_yet(client, db):
    page = client.get(reverse("observatory:nation"))
    assert page.status_code == 200
    assert "Aucun chiffre n'est encore publié" in page.content.decode()


def test_chart_csv(client, aggregates):
    response = client.get(reverse("observatory:departement-csv", kwargs={"code": "13", "slug": "evolution-etp"}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Année"
    # department 13 in 2024: 9 structures, mean (69 + 4.5) / 9 = 8.2
    assert rows[2][:2] == ["2024", "8,2"]


def test_key_figures_csv_shows_secret_marker(client, aggregates):
    response = client.get(reverse("observatory:nation-csv", kwargs={"slug": "chiffres-cles"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    etp = next(row for row in rows if row[0] == "ETP par structure")
    assert etp[7] == "s" and etp[8] == "s"  # CSX and EVS
    assert any("secret statistique" in row[0] for row in rows)


def test_report_is_cached_until_aggregates_change(client, aggregates):
    from maillage.observatory.figures import reports

    place = reports.territory("nation")
    first = reports.territory_report(place, 2024)
    with CaptureQueriesContext(connection) as queries:
        reports.territory_report(place, 2024)
    assert len(aggregate_reads(queries.captured_queries)) == 0
    assert len(queries.captured_queries) == 1  # the version: one campaign row per year, not the aggregates
    # What `aggregates.refresh_year` does after writing the year's rows: the campaign keeps the time.
    Campaign.objects.create(year=2024, opens_on=date(2025, 3, 1), closes_on=date(2025, 5, 31),
                            aggregates_computed_at=timezone.now())  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        second = reports.territory_report(place, 2024)
    assert len(aggregate_reads(queries.captured_queries)) >= 1
    assert first.computed_at is None and second.computed_at is not None


def test_a_figure_secret_for_the_whole_year_is_secret_everywhere(client, aggregates):
    """`Aggregate.secret` (decided across pages by `disclosure.py`) hides a figure the page alone would publish."""
    from maillage.observatory.figures import reports
    from maillage.observatory.figures.secrecy import SECRET
    from maillage.observatory.figures.xlsx import workbook_bytes
    from maillage.observatory.models import Aggregate

    def etp(scope, code):
        report = reports.territory_report(reports.territory(scope, code), 2024, use_cache=False)
        return next(f for f in report.figures if f.code == "ETP"), report

    figure, _ = etp("department", "13")
    assert figure.value is not SECRET  # 9 structures
    Aggregate.objects.filter(year=2024, scope="department", scope_code="13", group="all", code="ETP").update(
        secret=True
    )
    figure, _ = etp("department", "13")
    assert figure.value is SECRET and figure.median is SECRET
    _, region = etp("region", aggregates)
    row = next(child for child in region.children if child["code"] == "13")
    assert dict(row["values"])["ETP"] is SECRET
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook_bytes()))["Départements"]
    cells = [
        row
        for row in sheet.iter_rows(values_only=True)
        if row[:5] == (2024, "13", row[2], "toutes les structures", "ETP")
    ]
    assert cells and cells[0][8] == "secret statistique"
