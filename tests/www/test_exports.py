"""`/actions/export.<fmt>`: the list a reader sees (search, filters, sort) as a streamed CSV, XLSX or JSON file."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from maillage.actions.models import Action, ActionKeyword, ActionState
from maillage.actions.services import record_action_change
from maillage.exchange.web_exports import COLUMNS
from maillage.referentials.models import Department, Keyword
from maillage.search.engine import parse_action_filters, search_actions
from maillage.structures.models import Structure, StructureKind

SCHEMA = Path(settings.BASE_DIR) / "docs" / "schemas" / "action.schema.json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
pytestmark = pytest.mark.django_db


def make_action(title: str, *, department="13", keywords=(), state=ActionState.PUBLISHED, year=2022) -> Action:
    structure, _ = Structure.objects.get_or_create(
        name=f"Centre social du {department}",
        department=Department.objects.get(code=department),
        kind=StructureKind.CSX,
    )
    action = Action.objects.create(
        structure=structure, title=title, state=state, year=year, summary=f"À propos : {title}"
    )
    for position, label in enumerate(keywords):
        ActionKeyword.objects.create(action=action, item=Keyword.objects.get(label=label), position=position)
    record_action_change(action, None, acting_user=None, source="test")
    return action


@pytest.fixture
def bank() -> dict[str, Action]:
    sheets = [
        make_action("Jardin partagé", keywords=["Environnement", "Culture"], year=2021),
        make_action("Atelier théâtre", department="69", keywords=["Culture"], year=2023),
        make_action("Sortie familles", department="69", keywords=["Famille"], year=2022),
        make_action("Zumba seniors", keywords=["Culture", "Santé"], year=2020),
        make_action("Brouillon culturel", keywords=["Culture"], state=ActionState.DRAFT),
    ]
    return {action.title: action for action in sheets}


def export(client, fmt: str, query: str = "", status: int = 200):
    response = client.get(reverse("www:action-export", kwargs={"fmt": fmt}) + (f"?{query}" if query else ""))
    assert response.status_code == status
    return response


def content(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def engine_ids(query: str = "") -> list[int]:
    return list(search_actions(parse_action_filters(QueryDict(query))).ordered_ids())


def csv_ids(response) -> list[int]:
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeffIdentifiant;Adresse de la fiche;")
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    assert header == list(COLUMNS.values())
    return [int(row[0]) for row in rows]


def filename(fmt: str) -> str:
    return f'attachment; filename="maillage-actions-{timezone.localdate():%Y-%m-%d}.{fmt}"'


# CSV


def test_csv_export_gives_every_published_sheet_of_the_list_in_its_order(client, bank):
    response = export(client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == filename("csv")
    ids = csv_ids(response)
    assert ids == engine_ids()
    assert sorted(ids) == sorted(action.pk for title, action in bank.items() if title != "Brouillon culturel")


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("keyword=Culture&sort=title", ["Atelier théâtre", "Jardin partagé", "Zumba seniors"]),
        ("keyword=Culture&sort=-title", ["Zumba seniors", "Jardin partagé", "Atelier théâtre"]),
        ("department=69&sort=title", ["Atelier théâtre", "Sortie familles"]),
        ("keyword=Culture&keyword=Famille&department=Rhône&sort=title", ["Atelier théâtre", "Sortie familles"]),
        ("year=2020", ["Zumba seniors"]),
        ("q=jardin", ["Jardin partagé"]),
        ("keyword=Parentalité", []),
    ],
)
def test_csv_export_keeps_the_search_filters_and_sort(client, bank, query, titles):
    ids = csv_ids(export(client, "csv", query))
    assert ids == engine_ids(query)
    assert ids == [bank[title].pk for title in titles]


def test_csv_export_joins_lists_and_splits_the_structure(client, bank):
    text = content(export(client, "csv", "q=jardin")).decode("utf-8")
    header, row = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    cells = dict(zip(COLUMNS, row, strict=True))
    assert cells["keywords"] == "Environnement | Culture"
    assert (cells["structure"], cells["department"]) == ("Centre social du 13", "Bouches-du-Rhône")
    assert (cells["department_code"], cells["region"]) == ("13", "Provence-Alpes-Côte d'Azur")
    assert cells["url"] == f"https://maillage.test{bank['Jardin partagé'].get_absolute_url()}"
    assert text.endswith("\r\n")


# XLSX and JSON


def test_xlsx_export_has_one_row_per_sheet_of_the_list(client, bank):
    response = export(client, "xlsx", "keyword=Culture&sort=title")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == filename("xlsx")
    rows = list(load_workbook(io.BytesIO(content(response))).active.iter_rows(values_only=True))
    assert rows[0] == tuple(COLUMNS.values())
    assert [row[0] for row in rows[1:]] == engine_ids("keyword=Culture&sort=title")
    assert [row[3] for row in rows[1:]] == ["Atelier théâtre", "Jardin partagé", "Zumba seniors"]


def test_json_export_is_the_open_data_format(client, bank):
    response = export(client, "json", "department=13")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == filename("json")
    items = json.loads(content(response))
    jsonschema.validate(items, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [item["id"] for item in items] == engine_ids("department=13")
    assert {item["title"] for item in items} == {"Jardin partagé", "Zumba seniors"}
    assert {item["state"] for item in items} == {"published"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_an_empty_list_gives_a_valid_empty_file(client, fmt):
    data = content(export(client, fmt))
    if fmt == "csv":
        assert data.decode("utf-8") == "\ufeff" + ";".join(COLUMNS.values()) + "\r\n"
    elif fmt == "json":
        assert json.loads(data) == []
    else:
        assert list(load_workbook(io.BytesIO(data)).active.values) == [tuple(COLUMNS.values())]


# Errors


@pytest.mark.parametrize("fmt", ["pdf", "xls", "CSV", "csv.gz"])
def test_an_unknown_format_is_not_found(client, fmt):
    export(client, fmt, status=404)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize(
    ("query", "parameter"),
    [("department=Atlantide", "department"), ("sort=hasard", "sort"), ("q=a&q=b", "q"), ("year=1789", "year")],
)
def test_a_bad_parameter_is_refused_in_french(client, bank, fmt, query, parameter):
    response = export(client, fmt, query, status=400)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith(f"Export impossible. Paramètre « {parameter} »")
    assert "Content-Disposition" not in response


def test_department_error_says_which_value_and_which_field(client, bank):
    text = export(client, "csv", "department=Atlantide", status=400).content.decode()
    assert text == "Export impossible. Paramètre « department » (Département) : valeur inconnue : « Atlantide ».\n"


def test_only_get_is_answered(client):
    assert client.post(reverse("www:action-export", kwargs={"fmt": "csv"})).status_code == 405


def test_head_gives_the_headers_without_reading_the_sheets(client, bank):
    content(export(client, "xlsx"))  # brings the search index up to date
    with CaptureQueriesContext(connection) as queries:
        response = client.head(reverse("www:action-export", kwargs={"fmt": "xlsx"}))
        assert content(response) == b""
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == filename("xlsx")
    assert len(queries) == 1  # is the search index up to date?


# Streaming


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_queries_do_not_grow_with_the_number_of_sheets(client, bank, fmt):
    def counted() -> int:
        content(export(client, fmt))  # brings the search index up to date first
        with CaptureQueriesContext(connection) as queries:
            content(export(client, fmt))
        return len(queries)

    few = counted()
    for number in range(12):
        make_action(f"Fiche {number}", keywords=["Culture", "Famille"])
    assert counted() == few
    assert few <= 10  # index freshness, then 8 per batch of 2,000 sheets (see exchange tests)
