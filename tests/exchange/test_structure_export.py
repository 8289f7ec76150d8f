"""Exports of the directory (JSON, CSV, text), the JSON schema, and the round trips through the text format."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings

from maillage.exchange.structure_export import CSV_HEADER, export_chunks, iter_structures
from maillage.exchange.structure_import import import_structures
from maillage.history.models import Revision
from maillage.referentials.models import Department
from maillage.structures.models import Structure

DATA = Path(__file__).parent / "data"
ANNUAIRE = DATA / "structures_annuaire.txt"
CANONIQUE = DATA / "structures_canonique.txt"
SCHEMA = Path(settings.BASE_DIR) / "docs" / "schemas" / "structure.schema.json"

pytestmark = pytest.mark.django_db


def export(run_command, tmp_path: Path, fmt: str) -> str:
    output = tmp_path / f"export.{fmt}"
    run_command("export_structures", "--format", fmt, "--output", str(output))
    return output.read_bytes().decode("utf-8")  # line ends as written


def without_platform_ids(items: list[dict]) -> list[dict]:
    return [{key: value for key, value in item.items() if key not in {"id", "url"}} for item in items]


def test_json_export_lists_every_structure_with_its_fields(run_command, tmp_path):
    import_structures(ANNUAIRE)
    items = json.loads(export(run_command, tmp_path, "json"))
    assert [item["name"] for item in items] == list(Structure.objects.order_by("id").values_list("name", flat=True))
    casale = next(item for item in items if item["name"] == "CENTRE SOCIAL U CASALE")
    pk = Structure.objects.get(name="CENTRE SOCIAL U CASALE").pk
    assert casale == {
        "id": pk,
        "name": "CENTRE SOCIAL U CASALE",
        "kind": "csx",
        "street": "14 boulevard Paoli",
        "postcode": "20200",
        "commune": "Bastia",
        "department": "Haute-Corse",
        "email": "contact@ucasale.example.org",
        "website": "http://ucasale.example.org",
        "phone": "",
        "opening_hours": "",
        "siret": "12345678900000",
        "first_approval": "2001-01-01",
        "population": 8000,
        "history": "",
        "axes": ["Vivre ensemble", "Transmettre la langue", "", "", ""],
        "management_mode": "Associatif",
        "territory_type": "Un espace à dominante urbaine",
        "territory_size": "Une commune",
        "priority_geography": "Vous n'êtes pas concerné par cette question",
        "fcsf_member": True,
        "other_federation": "",
        "travellers": False,
        "multi_site": False,
        "itinerant": True,
        "department_code": "2B",
        "region": "Corse",
        "siret_flagged": True,
        "url": f"https://maillage.test/structures/{pk}/",
    }


def test_an_empty_directory_exports_an_empty_list(run_command, tmp_path):
    assert json.loads(export(run_command, tmp_path, "json")) == []
    assert export(run_command, tmp_path, "text") == ""


def test_the_json_export_follows_the_published_schema(run_command, tmp_path):
    import_structures(ANNUAIRE)
    import_structures(CANONIQUE)
    Structure.objects.create(name="Centre social connu par une fiche action", department=Department.objects.first())
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    items = json.loads(export(run_command, tmp_path, "json"))
    assert len(items) == 12
    assert set(schema["$defs"]["structure"]["required"]) == set(items[0])
    jsonschema.validate(items, schema, format_checker=jsonschema.FormatChecker())


def test_csv_export_is_excel_friendly(run_command, tmp_path):
    import_structures(ANNUAIRE)
    text = export(run_command, tmp_path, "csv")
    assert text.startswith("\ufeffid;name;kind;")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert list(rows[0]) == CSV_HEADER
    assert len(rows) == 8
    tilleuls = next(row for row in rows if row["name"] == "CENTRE SOCIAL LES TILLEULS")
    assert tilleuls["axes"] == "Accueillir tous les habitants | Soutenir les familles | Agir avec les jeunes |  | "
    assert (tilleuls["fcsf_member"], tilleuls["multi_site"], tilleuls["siret_flagged"]) == ("Oui", "Oui", "Non")
    assert tilleuls["department"] == "Bouches-du-Rhône"
    assert tilleuls["history"] == (
        "Né en 1984 d'un collectif d'habitants du quartier.\nHistorique\nInstallé dans l'ancienne école en 1990."
    )
    bourg = next(row for row in rows if row["name"] == "CENTRE SOCIAL DU BOURG")
    assert (bourg["population"], bourg["fcsf_member"], bourg["first_approval"]) == ("", "", "")
    assert "\r\n" in text


def test_the_text_export_of_a_canonical_directory_gives_back_the_source(run_command, tmp_path):
    import_structures(CANONIQUE)
    assert export(run_command, tmp_path, "text") == CANONIQUE.read_text(encoding="utf-8")


def test_structures_of_unknown_kind_are_exported_under_a_neutral_header(run_command, tmp_path):
    Structure.objects.create(name="CS DES ACTIONS", department=Department.objects.get(code="13"))
    text = export(run_command, tmp_path, "text")
    assert text.startswith("Liste des structures\nInformations sur la structure\nCS DES ACTIONS\n")
    assert "Structure itinérante :\n" in text


def test_json_round_trip_through_the_text_format(run_command, tmp_path):
    """Import → text export → import into an empty database → JSON export gives the first JSON again."""
    import_structures(ANNUAIRE)
    first = json.loads(export(run_command, tmp_path, "json"))
    text_file = tmp_path / "annuaire.txt"
    text_file.write_text(export(run_command, tmp_path, "text"), encoding="utf-8")
    Structure.objects.all().delete()
    Revision.objects.all().delete()
    report = import_structures(text_file)
    assert report.created == 8
    second = json.loads(export(run_command, tmp_path, "json"))
    assert without_platform_ids(second) == without_platform_ids(first)
    assert not [warning for warning in report.warnings if "type non précisé" in warning]


def test_reimporting_the_text_export_changes_nothing(run_command, tmp_path):
    import_structures(ANNUAIRE)
    text_file = tmp_path / "annuaire.txt"
    text_file.write_text(export(run_command, tmp_path, "text"), encoding="utf-8")
    report = import_structures(text_file)
    assert (report.unchanged, report.created, report.updated) == (8, 0, 0)
    assert not Revision.objects.exists()


def test_exports_are_streamed_in_one_query(django_assert_num_queries):
    import_structures(ANNUAIRE)
    for fmt in ("json", "csv", "text"):
        chunks = export_chunks(fmt, iter_structures())
        assert isinstance(chunks, Iterator)
        with django_assert_num_queries(1):
            assert "".join(chunks)


def test_export_to_standard_output(run_command, capsys):
    import_structures(CANONIQUE)
    run_command("export_structures", "--format", "text")
    assert capsys.readouterr().out == CANONIQUE.read_text(encoding="utf-8")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format inconnu"):
        export_chunks("xml", iter_structures())


def test_csv_export_neutralises_formulas_and_reads_back_unchanged(run_command, tmp_path):
    from maillage.exchange.structure_table import import_structure_table
    from tests.factories import make_structure

    make_structure('=HYPERLINK("http://evil.example";"clic")', "13", commune="@SOMME(A1)", axis_1="+33 6 12",
                   axis_2="-12", street="\tcmd")  # fmt: skip
    text = export(run_command, tmp_path, "csv")
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert (row["name"], row["commune"], row["street"]) == (
        '\'=HYPERLINK("http://evil.example";"clic")',
        "'@SOMME(A1)",
        "'\tcmd",
    )
    assert row["axes"] == "'+33 6 12 | -12 |  |  | "
    report = import_structure_table(tmp_path / "export.csv")
    assert (report.read, report.unchanged, report.updated) == (1, 1, 0), report.warnings
