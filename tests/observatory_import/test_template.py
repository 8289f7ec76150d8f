"""The import page of past answers offers, for each campaign, a table to fill in built from its questionnaires
(CSV and XLSX, the XLSX with a sheet that explains each column), and explains the format on the page itself."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.observatory.answers.past_import import import_past_answers
from tests.logins import log_in

from .conftest import YEAR, write

UPLOAD_URL = "/espace/observatoire/import/"


def template_url(fmt: str, year: int = YEAR) -> str:
    return reverse("observatory_import:template", args=[year, fmt])


@pytest.fixture
def admin_client(client, world, past):
    log_in(client, world.users["national_admin"])
    return client


def test_the_page_links_each_campaign_s_templates_and_explains_the_format(admin_client):
    html = admin_client.get(UPLOAD_URL).content.decode()
    assert f'href="{template_url("csv")}"' in html and f'href="{template_url("xlsx")}"' in html
    said = ("Une ligne par structure", "<code>id</code>", "<code>siret</code>", "<code>CODE.ligne.colonne</code>",
            "Une cellule vide n'est pas une réponse", "une virgule pour les décimales", "<code>jj/mm/aaaa</code>",
            "séparés par <code>|</code>")  # fmt: skip
    for text in said:
        assert text in html, text
    assert "docs/" not in html


def test_the_csv_template_has_the_question_codes_of_the_campaign(admin_client, past):
    response = admin_client.get(template_url("csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="modele-reponses-enquete-2024-donnees-2023.csv"' in response["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[:3] == ["id", "siret", "nom"]
    codes = {question.code for question in past.csx.definition().questions}
    assert "RH_SALARIES" in header and "PUB_AGES.a0_6.nombre" in header and "TH25_ORGANISMES" in header
    assert {column.split(".")[0] for column in header[3:]} >= codes


def test_the_xlsx_template_explains_each_column_and_imports_once_filled_in(admin_client, past, tmp_path):
    response = admin_client.get(template_url("xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Réponses", "Questions"]
    header = [cell.value for cell in book["Réponses"][1]]
    explained = {row[0]: row for row in book["Questions"].iter_rows(min_row=2, values_only=True)}
    assert set(header) == set(explained)
    salaried = past.csx.definition().question("RH_SALARIES")
    assert explained["RH_SALARIES"][2] == salaried.label
    # Filled in with one structure, the template is read by the import as it is.
    row = {"id": past.a.pk, "nom": "Centre social A", "RH_SALARIES": "20", "RH_ETP_TOTAL": "12,5"}
    book["Réponses"].append([row.get(column) for column in header])
    filled = io.BytesIO()
    book.save(filled)
    report = import_past_answers(write(tmp_path, filled.getvalue(), "modele.xlsx"), year=YEAR, dry_run=True)
    assert report.ok, [str(error) for error in report.errors]
    assert (report.rows, report.to_create) == (1, 1)


@pytest.mark.parametrize("role", ["correspondent", "member_a"])
def test_only_national_administrators_get_the_template(client, world, past, role):
    log_in(client, world.users[role])
    assert client.get(template_url("csv")).status_code == 403


def test_unknown_format_or_campaign_is_not_found(admin_client):
    assert admin_client.get(template_url("ods")).status_code == 404
    assert admin_client.get(template_url("csv", year=1999)).status_code == 404
