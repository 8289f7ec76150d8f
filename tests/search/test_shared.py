"""What one process worked out from the text index is found by the other processes of the node (a process is
played here by emptying this one's memory): a query's ranked matches, similar sheets, word counts, the sheets of a
word. A change of a
published sheet is seen at once; a failing cache only costs the work again."""

import logging

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.actions.models import ActionState
from maillage.search import engine, similar
from maillage.search.backends import get_backend
from maillage.search.backends.base import forget_vocabulary
from maillage.search.engine import search_actions
from maillage.search.params import ActionFilters
from maillage.search.query import Term
from tests.factories import change_sheet, make_sheet, make_structure

pytestmark = pytest.mark.django_db

INDEX_TABLES = ("search_action_fts", "search_title_fts", "search_action_document", "to_tsvector")


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.SEARCH_SHARED_SECONDS = 600
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def another_process():
    """Forget what this process keeps in memory, as a sibling process never had it."""
    engine.clear_match_cache()
    similar.forget()
    forget_vocabulary()


def index_reads(queries) -> int:
    return sum(any(table in query["sql"] for table in INDEX_TABLES) for query in queries.captured_queries)


def ranked_ids(query: str, **selected) -> list[int]:
    return search_actions(ActionFilters(query=query, selected=selected), page=1).ids


def test_a_query_ranked_by_one_process_is_read_by_the_others():
    structure = make_structure()
    for title in ("Jardin partagé", "Jardin d'hiver et jardin d'été", "Atelier vélo", "Potager du jardin"):
        make_sheet(title, structure, summary="Un jardin de quartier")
    first = ranked_ids("jardin")
    another_process()
    with CaptureQueriesContext(connection) as queries:
        assert ranked_ids("jardin") == first
    assert index_reads(queries) == 0

    department = structure.department.code
    within = ranked_ids("jardin", department=(department,))
    another_process()
    with CaptureQueriesContext(connection) as queries:
        assert ranked_ids("jardin", department=(department,)) == within
    assert index_reads(queries) == 0


def test_a_publication_is_seen_at_once_by_every_process():
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    assert len(ranked_ids("jardin")) == 1
    new = make_sheet("Jardin d'hiver", structure)
    another_process()
    assert new.pk in ranked_ids("jardin")


def test_similar_sheets_and_word_counts_worked_out_once_per_node():
    structure = make_structure()
    garden = make_sheet("Jardin partagé aux Lilas", structure, summary="Potager collectif et compost")
    twin = make_sheet("Potager collectif du quartier", structure, summary="Jardin partagé et compost")
    make_sheet("Atelier vélo", structure, summary="Réparer son vélo ensemble")
    assert similar.similar_actions(garden.pk)[0] == twin.pk
    counts = similar.document_frequency(["jardin", "velo"])
    another_process()
    with CaptureQueriesContext(connection) as queries:
        assert similar.similar_actions(garden.pk)[0] == twin.pk
        assert similar.document_frequency(["jardin", "velo"]) == counts
    assert index_reads(queries) == 0


def test_a_failing_cache_costs_only_the_work_again(monkeypatch, caplog):
    structure = make_structure()
    make_sheet("Jardin partagé", structure)

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(type(caches["pages"]), "get_many", broken)
    monkeypatch.setattr(type(caches["pages"]), "set_many", broken)
    with caplog.at_level(logging.WARNING, logger="maillage.search.shared"):
        assert len(ranked_ids("jardin")) == 1
    assert "Cache partagé de la recherche : lecture impossible" in caplog.text
    assert "Cache partagé de la recherche : écriture impossible" in caplog.text


def test_a_words_sheets_read_by_one_process_serve_the_others_patched_with_later_changes(monkeypatch):
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    draft = make_sheet("Jardin d'hiver", structure, state=ActionState.DRAFT)
    backend = get_backend()
    assert len(backend.sheets_with(Term(("jardin",)))) == 2
    change_sheet(draft, title="Atelier d'hiver")  # the draft no longer holds the word
    another_process()
    reads = []
    term_ids = type(backend)._term_ids

    def counted(self, cursor, term, first=None, last=None):
        reads.append((first, last))
        return term_ids(self, cursor, term, first, last)

    monkeypatch.setattr(type(backend), "_term_ids", counted)
    assert len(backend.sheets_with(Term(("jardin",)))) == 1
    assert reads == [(draft.pk, draft.pk)]  # only the changed sheet is read again, not the word's whole list
