"""`maillage export_actions`: JSON (open data), CSV (Excel) and the text format, and the round trips."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.management.base import CommandError

from maillage.actions.models import Action
from maillage.exchange.action_export import CSV_HEADER
from maillage.exchange.services import import_actions
from maillage.referentials.models import CLOSED_LISTS
from maillage.structures.models import Structure

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "actions_exemples.txt"
SCHEMA = Path(settings.BASE_DIR) / "docs" / "schemas" / "action.schema.json"
ID_KEYS = {"id", "url", "structure_id", "probable_duplicate_of", "created_at", "updated_at"}
pytestmark = pytest.mark.django_db


def export(run_command, tmp_path, fmt: str, *extra) -> str:
    target = tmp_path / f"export.{fmt}"
    run_command("export_actions", "--format", fmt, "--output", str(target), *extra)
    return target.read_text(encoding="utf-8")


def empty_database() -> None:
    Action.objects.all().delete()
    Structure.objects.all().delete()
    for model in CLOSED_LISTS.values():
        model.objects.filter(to_review=True).delete()


def without_ids(items: list[dict]) -> list[dict]:
    return [{key: value for key, value in item.items() if key not in ID_KEYS} for item in items]


def test_json_export_follows_the_published_schema(run_command, tmp_path):
    import_actions(EXAMPLES, year=2023)
    items = json.loads(export(run_command, tmp_path, "json"))
    jsonschema.validate(items, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [item["title"] for item in items][:2] == ["Jardin partagé des Tilleuls", "Ateliers vélo pour adultes"]
    first = items[0]
    assert first["structure"] == {
        "name": "Centre social Les Tilleuls - Maison des familles",
        "department": "Alpes-de-Haute-Provence",
    }
    assert first["year"] == 2023
    assert first["url"] == f"https://maillage.test/actions/{first['id']}-jardin-partage-des-tilleuls/"
    assert items[2]["structure"] is None and items[2]["status"] == "En cours" and items[4]["territory"] == "Une commune"


def test_json_export_of_an_empty_bank_is_an_empty_list(run_command, tmp_path):
    assert json.loads(export(run_command, tmp_path, "json")) == []


def test_state_filter(run_command, tmp_path):
    import_actions(EXAMPLES, draft=True)
    assert json.loads(export(run_command, tmp_path, "json", "--state", "published")) == []
    assert len(json.loads(export(run_command, tmp_path, "json", "--state", "draft"))) == 5


def test_csv_export_is_excel_friendly(run_command, tmp_path):
    import_actions(EXAMPLES)
    export(run_command, tmp_path, "csv")
    text = (tmp_path / "export.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeffid;year;state;url;title;structure;department;status;")
    assert text.count("\r\n") >= 6
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert list(rows[0]) == CSV_HEADER
    assert rows[0]["keywords"] == "Environnement | Numérique solidaire | intergénérationnel"
    assert rows[0]["department"] == "Alpes-de-Haute-Provence"
    assert rows[0]["general_description"] == (
        "Le jardin compte vingt parcelles.\n\nUne parcelle est réservée à l'école voisine."
    )
    assert rows[2]["structure"] == "" and rows[2]["dimensions"] == ""


def test_text_round_trip_is_lossless(run_command, tmp_path):
    import_actions(EXAMPLES)
    first_json = without_ids(json.loads(export(run_command, tmp_path, "json")))
    text = export(run_command, tmp_path, "text")
    empty_database()
    reimport = tmp_path / "reimport.txt"
    reimport.write_text(text, encoding="utf-8")
    report = import_actions(reimport)
    assert (report.read, report.created) == (5, 5)
    assert without_ids(json.loads(export(run_command, tmp_path, "json"))) == first_json


def test_text_export_reads_like_the_original_format(run_command, tmp_path):
    import_actions(EXAMPLES)
    text = export(run_command, tmp_path, "text")
    sheet = text[text.index("Actions\nAteliers vélo") + len("Actions\n") :]
    assert sheet.startswith(
        "Ateliers vélo pour adultes\n- Structure organisatrice\n- CS La Roue Libre - Bouches-du-Rhône\n"
    )
    assert "- Terminée\n- Raisons pour lesquelles l'action est terminée\n- Fin du financement en 2019\n" in sheet
    assert "- Avec qui cette action a-t-elle été menée ?\n-\nPartenaires d'action:\n- Association locale\n" in sheet


def test_unwritable_output_is_a_clear_error(run_command, tmp_path):
    with pytest.raises(CommandError, match="impossible d'écrire le fichier"):
        run_command("export_actions", "--output", str(tmp_path / "absent" / "x.json"))


def test_csv_export_neutralises_formulas_as_the_web_export_does(run_command, tmp_path):
    from maillage.referentials.models import Keyword
    from tests.factories import make_sheet

    Keyword.objects.create(label="=1+1")
    make_sheet('=HYPERLINK("http://evil.example";"clic")', keywords=["=1+1", "Culture"], summary="@SOMME(A1:A2)",
               limits="-1500,50", perspectives="- première phase")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(export(run_command, tmp_path, "csv").lstrip("\ufeff")), delimiter=";"))
    row = rows[0]
    assert row["title"] == '\'=HYPERLINK("http://evil.example";"clic")'
    assert (row["keywords"], row["summary"]) == ("'=1+1 | Culture", "'@SOMME(A1:A2)")
    assert (row["limits"], row["perspectives"]) == ("-1500,50", "'- première phase")  # a number stays a number
