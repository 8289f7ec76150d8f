"""The import page explains the structure table on the page itself and offers a model file (CSV, XLSX) whose
example row imports as it is."""

import csv
import io

import pytest
from openpyxl import load_workbook

from maillage.exchange.structure_table import import_structure_table
from maillage.exchange.structure_template import COLUMNS
from maillage.referentials.models import ManagementMode
from maillage.structures.models import Structure

from .conftest import ROLES
from .test_imports import IMPORTERS, UPLOAD_URL

pytestmark = pytest.mark.django_db


def template_url(fmt: str) -> str:
    return f"/espace/imports/modele-structures.{fmt}"


@pytest.mark.parametrize("role", ROLES)
def test_template_by_role(world, role):
    response = world.client(role).get(template_url("csv"))
    if role == "anonymous":
        assert response.status_code == 302
    elif role in IMPORTERS:
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="modele-import-structures.csv"'
    else:
        assert response.status_code == 403


def test_csv_template_has_the_header_and_an_example_row_that_imports(world, tmp_path):
    response = world.client("national_admin").get(template_url("csv"))
    text = response.content.decode("utf-8")
    header, example = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    assert header == [column.key for column in COLUMNS]
    row = dict(zip(header, example, strict=True))
    assert row["name"] and row["management_mode"] == ManagementMode.objects.filter(is_active=True).first().label
    path = tmp_path / "modele.csv"
    path.write_bytes(response.content)
    before = Structure.objects.count()
    report = import_structure_table(path)
    assert (report.created, report.warnings) == (1, [])
    created = Structure.objects.order_by("-pk").first()
    assert Structure.objects.count() == before + 1
    assert (created.phone, created.department.code, created.kind) == ("0491123456", "13", "csx")


def test_xlsx_template_imports_too(world, tmp_path):
    response = world.client("national_admin").get(template_url("xlsx"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [column.key for column in COLUMNS]
    path = tmp_path / "modele.xlsx"
    path.write_bytes(response.content)
    report = import_structure_table(path)
    assert (report.created, report.warnings) == (1, [])


def test_unknown_template_format_is_not_found(world):
    assert world.client("national_admin").get(template_url("ods")).status_code == 404


def test_import_page_explains_the_columns_and_allowed_values(world):
    html = world.client("national_admin").get(UPLOAD_URL).content.decode()
    assert 'href="/espace/imports/modele-structures.xlsx"' in html
    assert "<code>management_mode</code>" in html and "<code>phone</code>" in html
    for label in ManagementMode.objects.filter(is_active=True).values_list("label", flat=True):
        assert f"<li>{label}</li>" in html
    assert "docs/" not in html
