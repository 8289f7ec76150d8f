"""`maillage import_actions`: counts, identity, atomicity and bad input."""

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from maillage.actions.models import Action, ActionState
from maillage.exchange import pipeline
from maillage.exchange.reading import ImportFileError
from maillage.exchange.services import import_actions
from maillage.history.models import Revision
from maillage.referentials.models import Keyword
from maillage.search.services import search_action_ids
from maillage.structures.models import Structure

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "actions_exemples.txt"
pytestmark = pytest.mark.django_db


def database_state() -> tuple:
    return (
        list(Action.objects.values_list("id", "title", "fingerprint")),
        list(Structure.objects.values_list("id", "name")),
        list(Keyword.objects.values_list("label", "to_review")),
        Revision.objects.count(),
    )


def test_import_prints_a_summary_with_located_warnings(run_command):
    out, err = run_command("import_actions", str(EXAMPLES))
    assert "5 fiches lues, 5 créées, 0 mise à jour, 0 inchangée, 0 doublon ignoré" in out
    assert "actions_exemples.txt:141: département non reconnu" in out
    assert "actions_exemples.txt:104: fiche sans « Structure organisatrice »" in out
    assert err == ""  # no progress bar outside a terminal


def test_quiet_prints_only_the_summary(run_command):
    out, _ = run_command("import_actions", str(EXAMPLES), "--quiet")
    assert out.count("\n") == 1


def test_imported_sheets_are_published_with_their_lists_in_order(run_command):
    run_command("import_actions", str(EXAMPLES), "--year", "2024")
    action = Action.objects.get(title="Jardin partagé des Tilleuls")
    assert action.state == ActionState.PUBLISHED and action.published_at is not None
    assert action.year == 2024
    assert [link.item.label for link in action.actionkeyword_set.all()] == [
        "Environnement",
        "Numérique solidaire",
        "intergénérationnel",
    ]
    assert action.structure.department.code == "04"
    assert action.source == "actions_exemples.txt:2"


def test_draft_option_keeps_sheets_unpublished(run_command):
    run_command("import_actions", str(EXAMPLES), "--draft")
    assert set(Action.objects.values_list("state", flat=True)) == {ActionState.DRAFT}
    assert not Action.objects.exclude(published_at=None).exists()


def test_unknown_closed_list_value_is_created_to_review(run_command):
    out, _ = run_command("import_actions", str(EXAMPLES))
    keyword = Keyword.objects.get(label="Numérique solidaire")
    assert keyword.to_review
    assert not Keyword.objects.get(label="Environnement").to_review
    assert "actions_exemples.txt:12: valeur inconnue « Numérique solidaire »" in out


def test_structures_are_created_once_and_matched_by_normalised_name(run_command, tmp_path):
    run_command("import_actions", str(EXAMPLES))
    assert Structure.objects.count() == 4
    assert Structure.objects.get(name="EVS L'Escale").kind == "evs"
    assert Structure.objects.get(name="CS La Roue Libre").kind == ""
    other = tmp_path / "autre.txt"
    other.write_text(
        "Actions\nNouvelle action\n- Structure organisatrice\n- cs la roue  libre - Bouches-du-Rhône\n"
        "- Fichier(s) associé(s)\n",
        encoding="utf-8",
    )
    run_command("import_actions", str(other))
    assert Structure.objects.count() == 4
    assert Action.objects.get(title="Nouvelle action").structure.name == "CS La Roue Libre"


def test_reimport_changes_nothing(run_command):
    run_command("import_actions", str(EXAMPLES))
    before = database_state()
    out, _ = run_command("import_actions", str(EXAMPLES))
    assert "5 fiches lues, 0 créée, 0 mise à jour, 5 inchangées, 5 doublons ignorés" in out
    assert database_state() == before


def test_identical_sheet_within_one_file_is_a_duplicate(run_command, tmp_path):
    text = EXAMPLES.read_text(encoding="utf-8")
    doubled = tmp_path / "double.txt"
    doubled.write_text(text + text, encoding="utf-8")
    out, _ = run_command("import_actions", str(doubled))
    assert "10 fiches lues, 5 créées" in out and "5 doublons ignorés" in out
    assert Action.objects.count() == 5


def changed_copy(tmp_path) -> Path:
    text = EXAMPLES.read_text(encoding="utf-8").replace("Un composteur collectif.", "Deux composteurs.")
    path = tmp_path / "modifie.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_same_structure_and_title_with_other_content_is_flagged_probable_duplicate(run_command, tmp_path):
    run_command("import_actions", str(EXAMPLES))
    original = Action.objects.get(title="Jardin partagé des Tilleuls")
    out, _ = run_command("import_actions", str(changed_copy(tmp_path)))
    assert "1 créée," in out and "1 signalée « doublon probable »" in out
    flagged = Action.objects.get(perspectives="Deux composteurs.")
    assert flagged.probable_duplicate_of == original
    assert Action.objects.get(pk=original.pk).perspectives == "Un composteur collectif."


def test_update_matching_updates_and_keeps_the_previous_version(run_command, tmp_path):
    run_command("import_actions", str(EXAMPLES))
    original = Action.objects.get(title="Jardin partagé des Tilleuls")
    out, _ = run_command("import_actions", str(changed_copy(tmp_path)), "--update-matching")
    assert "0 créée, 1 mise à jour" in out
    assert Action.objects.count() == 5
    original.refresh_from_db()
    assert original.perspectives == "Deux composteurs."
    revision = Revision.objects.for_object(original).get()
    assert revision.data["perspectives"] == "Un composteur collectif."
    assert revision.data["keywords"] == ["Environnement", "Numérique solidaire", "intergénérationnel"]
    assert revision.source == "import modifie.txt:2"
    assert search_action_ids("composteurs") == [original.pk]


def test_dry_run_reports_without_writing(run_command):
    before = database_state()
    out, _ = run_command("import_actions", str(EXAMPLES), "--dry-run")
    assert "[essai, rien n'est enregistré]" in out and "5 créées" in out
    assert database_state() == before


def test_search_index_follows_the_import(run_command):
    run_command("import_actions", str(EXAMPLES))
    velo = Action.objects.get(title="Ateliers vélo pour adultes")
    assert search_action_ids("velo") == [velo.pk]
    assert search_action_ids("atelier") == [velo.pk]
    assert velo.pk in search_action_ids("Deplacement")


BAD_INPUTS = {
    "not_utf8": (b"Actions\nTitre\n- Fichier(s) associ\xe9(s)\n", 3, "n'est pas encodé en UTF-8"),
    "binary": (b"Actions\nTitre\x00\x01\x02\n", 2, "données binaires"),
    "empty": (b"", None, "le fichier est vide"),
    "no_sheet": (b"Bonjour\nCeci n'est pas un export\n", 1, "aucune fiche action trouvée"),
    "long_line": (b"Actions\nTitre\n" + b"x" * 100_001 + b"\n", 3, "ligne trop longue"),
    "long_title": (b"Actions\n" + b"t" * 1001 + "\n- Fichier(s) associé(s)\n".encode(), 2, "titre trop long"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_file_and_line_and_writes_nothing(run_command, tmp_path, case):
    content, line, message = BAD_INPUTS[case]
    bad = tmp_path / "mauvais.txt"
    bad.write_bytes(EXAMPLES.read_bytes() + content if case == "long_title" else content)
    run_command("import_actions", str(EXAMPLES))
    before = database_state()
    with pytest.raises(CommandError, match="1 fichier"):
        run_command("import_actions", str(bad))
    assert database_state() == before
    with pytest.raises(ImportFileError) as error:
        import_actions(bad)
    where = "mauvais.txt" if line is None else f"mauvais.txt:{line if case != 'long_title' else 200}"
    assert str(error.value).startswith(f"{where}: ")
    assert message in str(error.value)


def test_one_bad_file_does_not_stop_the_others(tmp_path, capsys):
    from django.core.management import call_command

    bad = tmp_path / "vide.txt"
    bad.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_actions", str(bad), str(EXAMPLES), "--quiet")
    captured = capsys.readouterr()
    assert "vide.txt: le fichier est vide — rien n'a été importé de ce fichier" in captured.err
    assert Action.objects.count() == 5


def test_missing_file_is_reported(run_command, tmp_path):
    with pytest.raises(CommandError):
        out, err = run_command("import_actions", str(tmp_path / "absent.txt"))


def test_parallel_parsing_gives_the_same_result(monkeypatch, tmp_path):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    report = import_actions(EXAMPLES)
    assert (report.read, report.created) == (5, 5)
    exported = json.dumps(sorted(Action.objects.values_list("title", "fingerprint")))
    Action.objects.all().delete()
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 10**12)
    import_actions(EXAMPLES)
    assert json.dumps(sorted(Action.objects.values_list("title", "fingerprint"))) == exported


def test_parallel_parsing_reports_bad_input_with_its_line(monkeypatch, tmp_path):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(EXAMPLES.read_bytes() + "Actions\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFileError) as error:
        import_actions(bad)
    assert str(error.value).startswith("latin1.txt:200: ")
    assert not Action.objects.exists()


def test_an_unreadable_file_is_reported_without_traceback(monkeypatch, capsys):
    from django.core.management import call_command

    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission non accordée")

    monkeypatch.setattr("maillage.exchange.management.commands.import_actions.import_actions", unreadable)
    with pytest.raises(CommandError):
        call_command("import_actions", str(EXAMPLES))
    assert "actions_exemples.txt: impossible de lire le fichier (Permission non accordée)" in capsys.readouterr().err


def test_an_unexpected_failure_is_reported_without_traceback(monkeypatch, capsys):
    from django.core.management import call_command

    def broken(*args, **kwargs):
        raise RuntimeError("le processus d'analyse s'est arrêté sans rendre compte")

    monkeypatch.setattr("maillage.exchange.management.commands.import_actions.import_actions", broken)
    with pytest.raises(CommandError, match="1 fichier"):
        call_command("import_actions", str(EXAMPLES))
    err = capsys.readouterr().err
    assert "actions_exemples.txt: erreur inattendue pendant l'import" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("year", ["20", "3000"])
def test_an_impossible_year_is_refused(run_command, year):
    with pytest.raises(CommandError, match="--year : année attendue entre 1990 et 2100"):
        run_command("import_actions", str(EXAMPLES), "--year", year)
    assert not Action.objects.exists()
