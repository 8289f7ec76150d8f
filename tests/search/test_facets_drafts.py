"""A draft saved again (autosave, every few seconds while someone writes) leaves the facet index as it is: no copy
of its bitmaps and sorted lists in every process; a sheet that is or was published still patches it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.actions.models import ActionState
from maillage.search import engine
from maillage.search.backends import get_backend
from maillage.search.engine import search_actions
from maillage.search.facets import changes_since, facet_index
from maillage.search.params import ActionFilters
from maillage.search.services import search_action_ids
from maillage.search.vocabulary import indexed_terms
from tests.factories import change_sheet, make_sheet, make_structure

pytestmark = pytest.mark.django_db


def test_a_draft_saved_again_keeps_the_index_and_a_publication_patches_it():
    structure = make_structure()
    published = make_sheet("Jardin partagé", structure)
    before = facet_index()
    draft = make_sheet("Atelier vélo", structure, state=ActionState.DRAFT)
    change_sheet(draft, summary="Écrit en partie")
    kept = facet_index()
    assert kept.change != before.change  # the log was read: the next request asks one query again
    assert kept.published is before.published and kept.facets is before.facets
    assert list(kept.published) == [published.pk]
    # What published sheets show did not change: the text matches and similar sheets kept stay good.
    assert kept.content_change == before.content_change

    change_sheet(draft, state=ActionState.PUBLISHED)
    patched = facet_index()
    assert list(patched.published) == [published.pk, draft.pk]
    assert patched.order("title") == [draft.pk, published.pk]
    assert patched.content_change == patched.change != kept.content_change
    change_sheet(draft, state=ActionState.DRAFT)  # withdrawn: it was published, so the index is patched
    assert list(facet_index().published) == [published.pk]


def test_a_draft_saved_again_keeps_the_text_matches_of_searches():
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    draft = make_sheet("Jardin d'hiver", structure, state=ActionState.DRAFT)
    engine.clear_match_cache()
    assert search_actions(ActionFilters(query="jardin"), page=1).count == 1  # the published one only
    change_sheet(draft, summary="Écrit en partie")
    assert search_actions(ActionFilters(query="jardin"), page=1).count == 1
    assert len(engine._cache) == 1  # the same matches served again, not read from the index a second time


def test_a_draft_saved_many_times_is_read_again_once_per_search_word(monkeypatch):
    """The change log holds a row per save of the same draft: the words' sheets kept per process are patched with
    that draft once, not once per save (each save was one more query per word under `make loadtest`)."""
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    draft = make_sheet("Jardin d'hiver", structure, state=ActionState.DRAFT)
    assert search_action_ids("jardin") != []  # the word's sheets are now kept
    backend_class = type(get_backend())
    reads = []
    term_ids = backend_class._term_ids

    def counted(self, cursor, term, first=None, last=None):
        reads.append((first, last))
        return term_ids(self, cursor, term, first, last)

    monkeypatch.setattr(backend_class, "_term_ids", counted)
    for turn in range(6):
        change_sheet(draft, summary=f"Écrit en partie, tour {turn}")
    assert len(search_action_ids("jardin")) == 2
    assert reads == [(draft.pk, draft.pk)]


def test_the_changes_since_a_row_are_merged_ranges():
    structure = make_structure()
    first, second = make_sheet("Jardin", structure), make_sheet("Atelier", structure)
    seen = facet_index().change
    for sheet in (second, first, second, first):
        change_sheet(sheet, summary="Encore")
    assert changes_since(seen) == [(first.pk, second.pk)]


def test_the_published_state_of_changed_sheets_is_read_by_their_ids():
    """Whether a change touches a published sheet is read by the changed ids: asked `state = 'published'` in SQL,
    SQLite walked the index of every published sheet (100,000 entries) at each autosave, in every process."""
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    draft = make_sheet("Jardin d'hiver", structure, state=ActionState.DRAFT)
    before = facet_index()
    change_sheet(draft, summary="Écrit en partie")
    with CaptureQueriesContext(connection) as queries:
        assert facet_index().content_change == before.content_change
    sheet_reads = [query["sql"] for query in queries.captured_queries if "actions_action" in query["sql"]]
    assert sheet_reads and all("BETWEEN" in sql and "published" not in sql for sql in sheet_reads)


def test_a_query_word_keeps_its_variants_until_a_change_adds_words():
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    draft = make_sheet("Atelier", structure, state=ActionState.DRAFT)
    backend = get_backend()
    words_change = indexed_terms(backend).words_change
    assert backend.expand("jardin") == ["jardin"]
    change_sheet(draft, summary="Jardin, atelier")  # no new word
    assert indexed_terms(backend).words_change == words_change
    change_sheet(draft, summary="Les jardins d'hiver")  # a new variant of `jardin`
    assert indexed_terms(backend).words_change != words_change
    assert backend.expand("jardin") == ["jardin", "jardins"]
