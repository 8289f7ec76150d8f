"""`/structures/export.<fmt>`: the structures of a directory view (its search and facets, every page) as
a streamed CSV, XLSX or JSON file, with the department code and the region."""

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from maillage.exchange.directory_exports import COLUMNS
from maillage.structures import directory
from maillage.structures.models import StructureKind

from .test_directory import make_structure

SCHEMA = Path(settings.BASE_DIR) / "docs" / "schemas" / "structure.schema.json"
pytestmark = pytest.mark.django_db


@pytest.fixture
def structures():
    made = [
        make_structure("Centre social Croix-Rousse", "69", commune="Lyon", management_mode="Associatif"),
        make_structure("Espace Bellevue", "69", kind=StructureKind.EVS, commune="Villeurbanne"),
        make_structure("Centre social du Panier", "13", commune="Marseille", email="=HYPERLINK(1)"),
        make_structure("Centre social Abbaye", "69", commune="Lyon"),
        make_structure("Sans département", None),
    ]
    return {structure.name: structure for structure in made}


def export(client, fmt: str, query: str = "", status: int = 200):
    response = client.get(reverse("www:structure-export", kwargs={"fmt": fmt}) + (f"?{query}" if query else ""))
    assert response.status_code == status, response.content
    return response


def content(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def csv_table(response) -> list[dict]:
    text = content(response).decode("utf-8")
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    assert header == list(COLUMNS.values())
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def page_names(client, query: str) -> list[str]:
    """The names listed by the directory page (every page of it), in their order."""
    names, number = [], 1
    while True:
        response = client.get(f"/structures/?{query}&page={number}")
        names += re.findall(r'<a href="/structures/\d+/">([^<]+)</a>', response.content.decode())
        if f"page={number + 1}" not in response.content.decode():
            return names
        number += 1


@pytest.mark.parametrize(
    "query",
    ["", "department=69", "department=69&kind=evs", "q=centre+lyon", "management_mode=associatif", "region=93"],
)
def test_csv_export_has_the_rows_of_the_directory_page(client, structures, query):
    rows = csv_table(export(client, "csv", query))
    assert [row["name"] for row in rows] == page_names(client, query)
    assert rows or query == "department=69&kind=evs" or query == "region=93"


def test_export_gives_every_page_of_the_view(client, structures, monkeypatch):
    monkeypatch.setattr(directory, "PAGE_SIZE", 2)
    rows = csv_table(export(client, "csv", "department=69"))
    assert [row["name"] for row in rows] == ["Centre social Abbaye", "Centre social Croix-Rousse", "Espace Bellevue"]


def test_csv_carries_department_code_region_and_neutralised_formulas(client, structures):
    rows = {row["name"]: row for row in csv_table(export(client, "csv"))}
    panier = rows["Centre social du Panier"]
    assert (panier["department"], panier["department_code"], panier["region"]) == (
        "Bouches-du-Rhône",
        "13",
        "Provence-Alpes-Côte d'Azur",
    )
    assert panier["email"] == "'=HYPERLINK(1)"
    assert panier["kind"] == "Centre social"
    assert panier["url"] == f"https://maillage.test/structures/{structures['Centre social du Panier'].pk}/"
    assert rows["Sans département"]["department_code"] == rows["Sans département"]["region"] == ""
    assert rows["Centre social Croix-Rousse"]["region"] == "Auvergne-Rhône-Alpes"


def test_xlsx_export_has_the_rows_of_the_view(client, structures):
    response = export(client, "xlsx", "department=69")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(content(response))).active.iter_rows(values_only=True))
    assert rows[0] == tuple(COLUMNS.values())
    names = [row[2] for row in rows[1:]]
    assert names == page_names(client, "department=69")
    assert {row[8] for row in rows[1:]} == {"69"}
    assert {row[9] for row in rows[1:]} == {"Auvergne-Rhône-Alpes"}


def test_json_export_is_the_open_data_format_with_the_region(client, structures):
    response = export(client, "json", "department=13")
    data = json.loads(content(response))
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert [(item["name"], item["department_code"], item["region"]) for item in data] == [
        ("Centre social du Panier", "13", "Provence-Alpes-Côte d'Azur")
    ]


def test_export_reads_a_bounded_number_of_queries(client, structures):
    for number in range(30):
        make_structure(f"Structure {number}", "69", management_mode="Associatif")
    for fmt in ("csv", "xlsx", "json"):
        with CaptureQueriesContext(connection) as queries:
            content(export(client, fmt))
        assert len(queries) <= 6, [query["sql"] for query in queries]


@pytest.mark.parametrize(
    ("query", "field"),
    [("department=999", "« department » (Département)"), ("kind=xyz", "« kind » (Type de structure)")],
)
def test_bad_parameter_gives_a_french_400(client, structures, query, field):
    response = client.get(reverse("www:structure-export", kwargs={"fmt": "csv"}) + f"?{query}")
    assert response.status_code == 400
    text = response.content.decode()
    assert text.startswith(f"Export impossible. Paramètre {field} :")


def test_unknown_format_is_not_found(client, structures):
    assert client.get("/structures/export.pdf").status_code == 404


def test_directory_page_links_to_the_exports_of_its_view(client, structures):
    html = client.get("/structures/?department=13&kind=csx").content.decode()
    assert 'href="/structures/export.csv?department=13&amp;kind=csx"' in html
    assert 'href="/structures/export.xlsx?department=13&amp;kind=csx"' in html
