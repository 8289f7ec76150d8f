"""« Actions similaires »: sheets sharing a sheet's distinctive words come first; the word counts that choose
those words are read once per process, not at every sheet page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.search import similar
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
