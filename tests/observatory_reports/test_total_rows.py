"""Every table of a report gives the products' total once: the funders' grid sums to « Total des produits » (a rule
of the questionnaire), so its sum, kept to divide the funders' shares, is not a second total row. The funders'
chart names each funder."""

import re

import pytest
from django.urls import reverse

from maillage.observatory.figures import indicators, reports
from maillage.observatory.figures.disclosure import mark_secrets
from maillage.observatory.figures.statistics import summarize
from maillage.referentials.models import Department

from .conftest import DEPARTMENT, NATION, REGION, add, budgets_of

pytestmark = pytest.mark.django_db
PRODUCTS_TOTALS = ("Total des produits", "Produits répartis par financeur")


@pytest.fixture
def finances(aggregates):
    """Products as the questionnaire asks them and as the funders' grid splits them: the same euros."""
    places = [(NATION, "", ["13", "84"]), (REGION, aggregates, ["13", "84"]), (DEPARTMENT, "13", ["13"])]
    for year in (2023, 2024):
        for scope, code, departments in places:
            products = budgets_of(departments, ["csx", "evs"])
            add(year, scope, code, "all", "PRODUITS", summarize(products))
            add(year, scope, code, "all", "FINANCEMENT_TOTAL", summarize(products))
            for funder, _, _ in indicators.FUNDERS:
                add(year, scope, code, "all", f"FINANCEMENT_{funder}", summarize([value / 7 for value in products]))
    region_of = dict(Department.objects.values_list("code", "region__code"))
    for year in (2023, 2024):
        mark_secrets(year, region_of)
    return aggregates


def row_labels(table: str) -> list[str]:
    heads = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>", table, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", head)).strip() for head in heads]


@pytest.mark.parametrize("url_name, kwargs", [("observatory:nation", {}), ("observatory:region", None),
                                              ("observatory:departement", {"code": "13"})])  # fmt: skip
def test_each_table_shows_the_products_total_once(client, finances, url_name, kwargs):
    url = reverse(url_name, kwargs=kwargs if kwargs is not None else {"code": finances})
    html = client.get(url).content.decode()
    tables = re.findall(r"<table.*?</table>", html, re.S)
    with_total = [table for table in tables if "Total des produits" in table]
    assert len(with_total) >= 2  # the finances section and the evolution of the figures
    for table in tables:
        labels = row_labels(table)
        totals = [label for label in labels if label in PRODUCTS_TOTALS]
        assert len(totals) <= 1, totals
        repeated = {label for label in labels if "total" in label.casefold() and labels.count(label) > 1}
        assert not repeated, repeated


def test_the_workbook_and_the_plaquette_read_the_report_without_the_second_total(finances):
    report = reports.build_report(reports.territory(DEPARTMENT, "13"), 2024)
    codes = [figure.indicator.code for figure in report.figures]
    assert "PRODUITS" in codes and "FINANCEMENT_TOTAL" not in codes
    assert "FINANCEMENT_TOTAL" not in [code for code, _ in report.evolution]
    caf = next(figure for figure in report.figures if figure.indicator.code == "FINANCEMENT_CAF")
    assert caf.value is not None  # the funders' sum still divides the shares


def test_the_funders_chart_names_each_funder(finances):
    """Each bar of the funders' chart is named by its funder (« Le département »), not by the indicator's label
    (« Part des produits venant du département »)."""
    report = reports.build_report(reports.territory(NATION), 2024)
    labels = [label for label, _ in report.chart("financeurs").chart.items]
    assert labels == [name[:1].upper() + name[1:] for _, name, _ in indicators.FUNDERS]
