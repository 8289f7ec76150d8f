import io
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from maillage.observatory.figures import pdf, reports
from maillage.observatory.figures.plaquette import plaquette_context
from maillage.observatory.figures.secrecy import SECRET_LABEL
from maillage.www.observatory_reports import _urls, report_context

pytestmark = pytest.mark.django_db


def test_plaquette_pdf(client, aggregates):
    response = client.get(reverse("observatory:departement-pdf", kwargs={"code": "13"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_plaquette_text_has_territory_and_key_figures(aggregates):
    """Read the laid-out text back (WeasyPrint's document: no PDF parser is installed here)."""
    place = reports.territory("department", "13")
    report = reports.build_report(place, 2024)
    context = report_context(report, _urls(place, 2024, 2024), for_pdf=True)
    context.update(plaquette_context(report, context))
    html = render_to_string(pdf.TEMPLATE, context)
    pages = pdf.document_text(html)
    assert len(pages) >= 2  # a cover page, then the figures
    everything = " ".join(pages)
    assert "Bouches-du-Rhône" in pages[0]
    for label in (
        "ETP (équivalents temps plein) par structure",
        "Structures ayant répondu",
        "Méthodologie",
        "Secret statistique",
    ):
        assert label in everything


def test_plaquette_is_cached(client, aggregates):
    url = reverse("observatory:nation-pdf")
    with mock.patch.object(pdf, "render_pdf", wraps=pdf.render_pdf) as render:
        first = client.get(url).content
        second = client.get(url).content
    assert first == second
    assert render.call_count == 1


def test_xlsx_export_opens_with_secrecy(client, aggregates):
    response = client.get(reverse("observatory:export-xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["France", "Régions", "Départements", "Notes"]
    rows = list(book["Départements"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "Année des données" and header[-1] == "Enquête" and "Médiane" in header
    by_key = {(r[0], r[1], r[3], r[4]): r for r in body}
    vaucluse = by_key[(2024, "84", "toutes les structures", "ETP")]
    assert vaucluse[7] == 5 and vaucluse[11] == 10  # 5 structures, median 10
    evs = by_key[(2024, "13", "espaces de vie sociale", "ETP")]
    assert evs[8] == SECRET_LABEL
    csx = by_key[(2024, "13", "centres sociaux", "ETP")]
    assert csx[8] == SECRET_LABEL  # secondary: all − CSX would give the EVS
    france = list(book["France"].iter_rows(values_only=True))
    assert any(r[4] == "REPONSES" and r[7] == 14 for r in france[1:])


def test_xlsx_export_holds_no_formula(aggregates):
    from maillage.observatory.figures import xlsx
    from maillage.referentials.models import Department

    Department.objects.filter(code="84").update(name='=HYPERLINK("http://evil.example";"clic")')
    book = load_workbook(io.BytesIO(xlsx.workbook_bytes()))
    names = [row[2] for row in book["Départements"].iter_rows(min_row=2) if row[1].value == "84"]
    assert names and all(cell.data_type == "s" for cell in names)
    assert {cell.value for cell in names} == {'\'=HYPERLINK("http://evil.example";"clic")'}
