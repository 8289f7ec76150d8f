"""Streamed exports of action lists (`exchange.web_exports`): CSV, XLSX and JSON from ids in list order."""

import csv
import io
import json
import secrets
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from maillage.actions.models import Action, ActionKeyword, ActionState
from maillage.exchange import web_exports
from maillage.exchange.records import CONTENT_KEYS
from maillage.exchange.services import import_actions
from maillage.exchange.streamed_xlsx import EXCEL_CELL_LIMIT, TRUNCATION_MARKER
from maillage.exchange.web_exports import COLUMNS, csv_chunks, json_chunks, records_for_ids, xlsx_chunks
from maillage.referentials.models import Department, Keyword
from maillage.structures.models import Structure, StructureKind

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "actions_exemples.txt"
SCHEMA = Path(settings.BASE_DIR) / "docs" / "schemas" / "action.schema.json"
# One query for the ids of the batch, one for the sheets, one for every ordered list and the files together.
QUERIES_PER_BATCH = 3
pytestmark = pytest.mark.django_db


@pytest.fixture
def bank() -> list[int]:
    """The five published example sheets, listed in an order that is not the id order."""
    import_actions(EXAMPLES, year=2023)
    ids = list(Action.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) == 5
    return [ids[3], ids[0], ids[4], ids[2], ids[1]]


def make_action(title: str, *, state=ActionState.PUBLISHED, **fields) -> Action:
    structure, _ = Structure.objects.get_or_create(
        name="Centre social des Lilas", department=Department.objects.get(code="13"), kind=StructureKind.CSX
    )
    return Action.objects.create(structure=structure, title=title, state=state, year=2024, **fields)


def read_csv(chunks) -> tuple[str, list[list[str]]]:
    text = b"".join(chunks).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def read_xlsx(chunks) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(chunks)))
    return list(workbook.active.iter_rows(values_only=True))


# Reading the sheets


def test_records_come_in_the_order_of_the_list_and_only_published(bank):
    draft = make_action("Brouillon", state=ActionState.DRAFT)
    listed = [bank[0], draft.pk, 999_999, *bank[1:]]
    assert [row["id"] for row, _ in records_for_ids(listed, batch_size=2)] == bank


def test_sheets_are_read_batch_by_batch_with_a_fixed_number_of_queries(bank):
    pulled = []

    def listed():
        for pk in bank:
            pulled.append(pk)
            yield pk

    records = records_for_ids(listed(), batch_size=2)
    with CaptureQueriesContext(connection) as queries:
        next(records)
        assert (len(pulled), len(queries)) == (2, QUERIES_PER_BATCH)
        rest = list(records)
    assert len(rest) == 4
    assert len(queries) == 3 * QUERIES_PER_BATCH


@pytest.mark.parametrize("writer", [csv_chunks, json_chunks])
def test_csv_and_json_are_sent_while_they_are_written(bank, writer, monkeypatch):
    monkeypatch.setattr(web_exports, "CHUNK_BYTES", 1)
    chunks = writer(iter(bank), batch_size=2)
    with CaptureQueriesContext(connection) as queries:
        assert next(chunks)  # the header row or the opening bracket, before any sheet is read
        assert len(queries) == 0
        assert next(chunks)
        assert len(queries) == QUERIES_PER_BATCH
        rest = list(chunks)
    assert rest
    assert len(queries) == 3 * QUERIES_PER_BATCH


def test_xlsx_is_sent_while_it_is_written(monkeypatch):
    # Text that does not compress much, so that the zip gives out bytes within the first sheet.
    ids = [make_action(f"Fiche {n}", summary=secrets.token_hex(100_000)).pk for n in range(4)]
    monkeypatch.setattr(web_exports, "CHUNK_BYTES", 1)
    chunks = xlsx_chunks(iter(ids), batch_size=1)
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)  # the other parts of the file, before any sheet is read
        assert first and len(queries) == 0
        second = next(chunks)  # compressed rows, before the last sheets are read
        assert second and len(queries) <= 2 * QUERIES_PER_BATCH
        rest = list(chunks)
    assert len(queries) == 4 * QUERIES_PER_BATCH
    assert [row[0] for row in read_xlsx([first, second, *rest])[1:]] == ids


# CSV


def test_csv_columns_are_every_key_of_the_record_with_french_headers():
    assert list(COLUMNS)[:8] == ["id", "url", "year", "title", "structure", "department", "department_code", "region"]
    assert list(COLUMNS)[8:] == list(CONTENT_KEYS[2:])
    text, rows = read_csv(csv_chunks([]))
    assert text.startswith(
        "\ufeffIdentifiant;Adresse de la fiche;Année de saisie;Titre;Structure;Département;"
        "Code département;Région;Statut;"
    )
    assert rows == [list(COLUMNS.values())]
    assert "Mots clés" in rows[0] and "Fichier(s) associé(s)" in rows[0]


def test_csv_rows_follow_the_list_for_french_excel(bank):
    text, rows = read_csv(csv_chunks(bank))
    assert text.startswith("\ufeff")
    assert text.endswith("\r\n") and text.count("\r\n") >= len(bank) + 1
    header, *body = rows
    assert [int(row[0]) for row in body] == bank
    first = dict(zip(header, next(row for row in body if row[3] == "Jardin partagé des Tilleuls"), strict=True))
    pk = first["Identifiant"]
    assert first["Adresse de la fiche"] == f"https://maillage.test/actions/{pk}-jardin-partage-des-tilleuls/"
    assert first["Année de saisie"] == "2023"
    assert first["Structure"] == "Centre social Les Tilleuls - Maison des familles"
    assert first["Département"] == "Alpes-de-Haute-Provence"
    assert first["Statut"] == "En cours"
    assert first["Mots clés"] == "Environnement | Numérique solidaire | intergénérationnel"
    assert first["Qui est à l'initiative de l'action ?"] == "Un groupe d'habitants | Le centre social"
    assert first["Fichier(s) associé(s)"] == "plan-du-jardin.pdf"
    assert first["Description générale"] == (
        "Le jardin compte vingt parcelles.\n\nUne parcelle est réservée à l'école voisine."
    )
    assert first["Raisons pour lesquelles l'action est terminée"] == ""


def test_a_sheet_without_structure_has_empty_structure_cells():
    action = Action.objects.create(title="Sans structure", state=ActionState.PUBLISHED)
    _, rows = read_csv(csv_chunks([action.pk]))
    url = f"https://maillage.test/actions/{action.pk}-sans-structure/"
    assert rows[1][:6] == [str(action.pk), url, "", "Sans structure", "", ""]


FORMULAS = {
    "title": '=HYPERLINK("http://evil.example";"clic")',
    "summary": "+33 6 12 34 56 78",
    "experience": "- première phase\n- seconde phase",
    "general_description": "@SUM(A1:A2)",
    "limits": "\tcmd",
    "perspectives": "\rcmd",
}


@pytest.fixture
def formulas() -> Action:
    action = make_action(**FORMULAS)
    ActionKeyword.objects.create(action=action, item=Keyword.objects.create(label="=1+1"), position=0)
    ActionKeyword.objects.create(action=action, item=Keyword.objects.get(label="Culture"), position=1)
    return action


def test_csv_cells_that_look_like_formulas_are_neutralised(formulas):
    _, (header, row) = read_csv(csv_chunks([formulas.pk]))
    cells = dict(zip(COLUMNS, row, strict=True))
    for key, value in FORMULAS.items():
        assert cells[key] == "'" + value
    assert cells["keywords"] == "'=1+1 | Culture"
    assert cells["url"].startswith("https://")


# XLSX


def test_xlsx_has_the_same_rows_as_the_csv(bank):
    _, csv_table = read_csv(csv_chunks(bank))
    rows = read_xlsx(xlsx_chunks(bank))
    assert list(rows[0]) == list(COLUMNS.values())
    assert [row[0] for row in rows[1:]] == bank
    assert all(isinstance(row[0], int) and row[2] == 2023 for row in rows[1:])
    as_text = [["" if value is None else str(value) for value in row] for row in rows]
    assert as_text == csv_table


def test_xlsx_is_a_well_formed_workbook_with_a_frozen_bold_header(bank):
    data = b"".join(xlsx_chunks(bank))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "[Content_Types].xml"
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Fiches actions"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.max_row == 6 and sheet.max_column == len(COLUMNS)
    assert workbook.properties.creator == "Maillage"


def test_xlsx_of_an_empty_list_has_only_the_header():
    assert read_xlsx(xlsx_chunks([])) == [tuple(COLUMNS.values())]


def test_xlsx_cells_that_look_like_formulas_stay_text(formulas):
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_chunks([formulas.pk]))))
    cells = dict(zip(COLUMNS, next(workbook.active.iter_rows(min_row=2)), strict=True))
    for key, value in FORMULAS.items():
        assert cells[key].data_type == "s"
        assert cells[key].value == "'" + value
    assert cells["keywords"].value == "'=1+1 | Culture"


def test_xlsx_truncates_what_an_excel_cell_cannot_hold_and_says_so():
    long_text = "a" * 40_000
    wide_text = "😀" * 20_000  # 40,000 UTF-16 units, the unit Excel counts
    action = make_action("Longue", summary=long_text, experience=wide_text, limits="ok\x0bok\x01")
    rows = read_xlsx(xlsx_chunks([action.pk]))
    cells = dict(zip(COLUMNS, rows[1], strict=True))
    assert cells["summary"].endswith(TRUNCATION_MARKER) and cells["summary"].startswith("aaa")
    assert len(cells["summary"]) == EXCEL_CELL_LIMIT
    assert cells["experience"].endswith(TRUNCATION_MARKER) and cells["experience"].startswith("😀")
    assert len(cells["experience"].encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
    assert cells["limits"] == "okok"
    # The CSV keeps the whole text.
    _, table = read_csv(csv_chunks([action.pk]))
    assert dict(zip(COLUMNS, table[1], strict=True))["summary"] == long_text


# JSON


def test_json_is_the_open_data_export_in_the_order_of_the_list(bank, run_command, tmp_path):
    items = json.loads(b"".join(json_chunks(bank)))
    jsonschema.validate(items, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [item["id"] for item in items] == bank
    target = tmp_path / "export.json"
    run_command("export_actions", "--format", "json", "--output", str(target))
    by_id = {item["id"]: item for item in json.loads(target.read_text(encoding="utf-8"))}
    assert items == [by_id[pk] for pk in bank]


def test_json_of_an_empty_list_is_an_empty_array():
    assert json.loads(b"".join(json_chunks([]))) == []
    assert json.loads(b"".join(json_chunks([999_999]))) == []
