"""A draft saved again (autosave, every few seconds while someone writes) leaves the facet index as it is: no copy
of its bitmaps and sorted lists in every process; a sheet that is or was published still patches it."""

import pytest

from maillage.actions.models import ActionState
from maillage.search import engine
from maillage.search.engine import search_actions
from maillage.search.facets import facet_index
from maillage.search.params import ActionFilters
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
