"""« Actions similaires »: sheets sharing a sheet's distinctive words come first; the word counts that choose
those words are read once per process, not at every sheet page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.actions.models import ActionState
from maillage.search import similar
from maillage.search.backends import base as backends_base
from maillage.search.backends import get_backend
from maillage.search.query import Term
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db


def test_sheets_sharing_rare_words_are_similar_and_word_counts_are_kept():
    structure = make_structure()
    garden = make_sheet("Jardin partagé aux Lilas", structure, summary="Potager collectif et compost")
    twin = make_sheet("Potager collectif du quartier", structure, summary="Jardin partagé et compost")
    other = make_sheet("Atelier vélo", structure, summary="Réparer son vélo ensemble")
    make_sheet("Atelier couture", structure, summary="Coudre ensemble")
    assert similar.similar_actions(garden.pk)[0] == twin.pk
    assert other.pk not in similar.similar_actions(garden.pk)[:1]

    similar.forget()
    counts = similar.document_frequency(["jardin", "velo", "inconnu"])
    assert counts == {"jardin": 2, "velo": 1, "inconnu": 0}
    with CaptureQueriesContext(connection) as queries:
        assert similar.document_frequency(["velo", "jardin"]) == {"velo": 1, "jardin": 2}
    assert len(queries) == 0


def test_similar_sheets_are_scored_from_the_words_sets_without_ranking_any_text():
    """A sheet holding more of the distinctive words comes first, a rarer word counts more, equal ones most
    recent first; no sheet's text is ranked (on PostgreSQL ranking read up to 5,000 vectors per sheet page)."""
    structure = make_structure()
    sheet = make_sheet("Verger conservatoire", structure, summary="Greffage pommiers")
    older_one_word = make_sheet("Greffage au jardin", structure, summary="Taille")
    both_words = make_sheet("Verger du quartier", structure, summary="Greffage collectif")
    newer_one_word = make_sheet("Greffage des rosiers", structure, summary="Taille")
    make_sheet("Verger et greffage", structure, summary="Brouillon", state=ActionState.DRAFT)
    for filler in range(4):  # `verger` held by more sheets than `greffage`: worth less
        make_sheet(f"Verger {filler}", structure, summary="Pommes")
    similar.similar_actions(sheet.pk)  # the words' sets are read once
    similar.forget()
    with CaptureQueriesContext(connection) as queries:
        ranked = similar._text_neighbours(sheet.pk)
    assert ranked[:4] == [
        both_words.pk,
        sheet.pk,
        newer_one_word.pk,
        older_one_word.pk,
    ]  # the same two words: newer first
    assert not any("bm25" in query["sql"] or "ts_rank" in query["sql"] for query in queries.captured_queries)


def test_the_words_sets_kept_are_the_most_recently_used(monkeypatch):
    """Sheet pages read many rare words: past the bound, the least recently used set goes, not every set (the common
    words of searches, the dearest to read again, stay)."""
    monkeypatch.setattr(backends_base, "MAX_CACHED_TERMS", 2)
    backends_base.forget_vocabulary()
    structure = make_structure()
    make_sheet("Jardin verger potager", structure)
    backend = get_backend()
    for word in ("jardin", "verger", "jardin", "potager"):
        backend.sheets_with(Term((word,)))
    kept = {key[1] for key in backends_base._term_sheets}
    assert kept == {("key", "jardin"), ("key", "potag")}
