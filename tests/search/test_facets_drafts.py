"""A draft saved again (autosave, every few seconds while someone writes) leaves the facet index as it is: no copy
of its bitmaps and sorted lists in every process; a sheet that is or was published still patches it."""

import pytest

from maillage.actions.models import ActionState
from maillage.search.facets import facet_index
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

    change_sheet(draft, state=ActionState.PUBLISHED)
    patched = facet_index()
    assert list(patched.published) == [published.pk, draft.pk]
    assert patched.order("title") == [draft.pk, published.pk]
    change_sheet(draft, state=ActionState.DRAFT)  # withdrawn: it was published, so the index is patched
    assert list(facet_index().published) == [published.pk]
