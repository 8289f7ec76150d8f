"""Imports parse and check their file with no transaction open, then write in one; a dry run writes nothing at all.

On SQLite a transaction holds the database's only write lock: parsing inside one made every login and autosave
wait for the whole import, then fail (`test_import_locking.py` shows it on a database file).
"""

from pathlib import Path

import pytest

from maillage.actions.models import Action
from maillage.exchange import services, structure_import, structure_table
from maillage.exchange.reading import ImportFileError
from maillage.exchange.services import import_actions
from maillage.exchange.structure_import import import_structures
from maillage.exchange.structure_table import import_structure_table
from maillage.structures.models import Structure

from .sql_recording import watching

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
ACTIONS = DATA / "actions_exemples.txt"
DIRECTORY = DATA / "structures_annuaire.txt"
TABLE = (
    "name;kind;postcode;commune;management_mode\n"
    "Centre social Tableau;csx;13003;Marseille;Gestion inventée\n"
    "Espace Tableau;evs;13004;Marseille;\n"
)


def table(tmp_path) -> Path:
    path = tmp_path / "structures.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def run_actions(tmp_path, **options):
    return import_actions(ACTIONS, **options)


def run_directory(tmp_path, **options):
    return import_structures(DIRECTORY, **options)


def run_table(tmp_path, **options):
    return import_structure_table(table(tmp_path), **options)


IMPORTS = {
    # name: (the module and name of what parses the file, as the import calls it; the import)
    "actions": ((services, "prepared_sheets"), run_actions),
    "directory": ((structure_import, "parse_blocks"), run_directory),
    "table": ((structure_table, "spreadsheet_rows"), run_table),
}


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_a_dry_run_writes_nothing_and_opens_no_transaction(tmp_path, kind):
    _, run = IMPORTS[kind]
    with watching() as watch:
        report = run(tmp_path, dry_run=True)
    assert report.created > 0
    assert watch.writes == []
    assert {depth for _, depth in watch.statements} == {0}


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_the_file_is_parsed_before_the_write_transaction_opens(tmp_path, monkeypatch, kind):
    (module, parser), run = IMPORTS[kind]
    with watching() as watch:
        monkeypatch.setattr(module, parser, watch.parsing(getattr(module, parser)))
        report = run(tmp_path)
    assert report.created > 0
    assert watch.parsed_at and set(watch.parsed_at) == {0}
    assert watch.writes and all(depth >= 1 for _, depth in watch.writes)


def test_the_dry_run_reports_what_the_import_then_does(tmp_path):
    """The report comes from the same decisions: a dry run announces exactly what is then written."""
    doubled = tmp_path / "fiches.txt"
    text = ACTIONS.read_text(encoding="utf-8")
    doubled.write_text(text + text.replace("Un composteur collectif.", "Deux composteurs."), encoding="utf-8")
    dry = import_actions(doubled, dry_run=True)
    real = import_actions(doubled)
    assert (dry.read, dry.created, dry.duplicates, dry.flagged) == (10, 6, 4, 1)
    assert (real.read, real.created, real.duplicates, real.flagged) == (
        dry.read,
        dry.created,
        dry.duplicates,
        dry.flagged,
    )
    assert dry.warnings == real.warnings
    assert "fiches.txt:200: doublon probable de la fiche de la ligne 2 (même structure et même titre)" in real.warnings
    flagged = Action.objects.get(perspectives="Deux composteurs.")
    assert flagged.probable_duplicate_of == Action.objects.get(source="fiches.txt:2")


def test_a_sheet_deleted_between_reading_and_writing_stops_the_import_in_french(tmp_path, monkeypatch):
    import_actions(ACTIONS)
    changed = tmp_path / "modifie.txt"
    changed.write_text(ACTIONS.read_text(encoding="utf-8").replace("Un composteur", "Deux composteurs"), "utf-8")
    target = Action.objects.get(title="Jardin partagé des Tilleuls")
    finish = services.ActionPlanner.finish

    def someone_deletes_it(planner):
        finish(planner)
        Action.objects.filter(pk=target.pk).delete()

    monkeypatch.setattr(services.ActionPlanner, "finish", someone_deletes_it)
    with pytest.raises(ImportFileError) as raised:
        import_actions(changed, update_matching=True)
    assert str(raised.value) == (
        f"modifie.txt:2: la fiche n° {target.pk} à mettre à jour a été supprimée pendant l'import : rien n'a été "
        "enregistré, relancez l'import"
    )
    assert not Action.objects.filter(perspectives__startswith="Deux").exists()


def test_a_structure_table_names_new_values_and_structures_once_written(tmp_path):
    report = import_structure_table(table(tmp_path))
    assert (report.created, report.updated) == (2, 0)
    centre = Structure.objects.get(name="Centre social Tableau")
    assert centre.management_mode.label == "Gestion inventée" and centre.management_mode.to_review
