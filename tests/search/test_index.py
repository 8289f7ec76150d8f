"""The search index follows the sheets (same tests on SQLite and PostgreSQL)."""

import importlib
from pathlib import Path

import pytest

from maillage.actions.models import Action
from maillage.actions.services import begin_action_change, delete_action, record_action_change
from maillage.exchange.services import import_actions
from maillage.search.backends import get_backend, title_vector
from maillage.search.services import rebuild_index, search_action_ids
from maillage.search.source import INDEX_COLUMNS

EXAMPLES = Path(__file__).parent.parent / "exchange" / "data" / "actions_exemples.txt"
pytestmark = pytest.mark.django_db


@pytest.fixture
def sheets():
    import_actions(EXAMPLES)
    return {action.title: action for action in Action.objects.all()}


def test_search_ignores_case_and_accents(sheets):
    velo = sheets["Ateliers vélo pour adultes"].pk
    assert search_action_ids("VELO") == [velo]
    assert search_action_ids("vélo") == [velo]
    assert search_action_ids("parentalite") == [sheets["Café des parents"].pk]


def test_search_is_stemmed(sheets):
    assert search_action_ids("atelier") == [sheets["Ateliers vélo pour adultes"].pk]
    assert search_action_ids("jardins") == [sheets["Jardin partagé des Tilleuls"].pk]


def test_all_words_are_required(sheets):
    assert search_action_ids("jardin vélo") == []
    assert search_action_ids("jardin parcelles") == [sheets["Jardin partagé des Tilleuls"].pk]


def test_structure_department_and_labels_are_searchable(sheets):
    assert search_action_ids("Roue Libre") == [sheets["Ateliers vélo pour adultes"].pk]
    assert sheets["Fête de quartier"].pk in search_action_ids("Commune")
    assert search_action_ids("Alpes Haute Provence") == [sheets["Jardin partagé des Tilleuls"].pk]


def test_a_changed_sheet_is_found_by_its_new_words_only(sheets):
    action = sheets["Accueil des gens du voyage"]
    assert search_action_ids("voyage") == [action.pk]
    previous = begin_action_change(action.pk)
    Action.objects.filter(pk=action.pk).update(title="Bal populaire")
    action.refresh_from_db()
    record_action_change(action, previous, acting_user=None, source="test")
    assert search_action_ids("populaire") == [action.pk]
    assert search_action_ids("voyage") == []
    assert get_backend().count() == 5


def test_a_deleted_sheet_leaves_the_index(sheets):
    action = sheets["Café des parents"]
    delete_action(action, acting_user=None, source="test")
    assert search_action_ids("parents") == []
    assert get_backend().count() == 4


def test_rebuild_gives_the_same_results(sheets, run_command):
    before = {query: search_action_ids(query) for query in ("velo", "jardin", "quartier", "Bouches-du-Rhône")}
    out, _ = run_command("rebuild_search_index")
    assert "5 fiches indexées" in out
    assert {query: search_action_ids(query) for query in before} == before
    assert rebuild_index() == 5


def test_the_migration_creates_the_columns_the_index_is_filled_with():
    migration = importlib.import_module("maillage.search.migrations.0001_initial")
    assert [column.strip() for column in migration.INDEX_COLUMNS.split(",")] == list(INDEX_COLUMNS)


def test_the_title_vectors_of_migration_0007_are_those_the_backend_keeps():
    migration = importlib.import_module("maillage.search.migrations.0007_postgres_title_vector")
    assert migration.title_vector("a.title") == title_vector("a.title")
    assert migration.title_vector("title") in migration.DROP[0]
