"""Both backends find the same sheets for the same query (ADR 003).

A run uses one backend, so each query's matches are compared with a reference computed in Python from the
stored text, which is the same whatever the database: `make test` on SQLite and on PostgreSQL checks both
backends against the same answers.
"""

from dataclasses import dataclass

import pytest
from django.db import connection

from maillage.actions.models import Action
from maillage.demo.services import load_demo
from maillage.exchange.services import import_actions
from maillage.search.analysis import search_keys, tokens, unaccented
from maillage.search.query import parse_query
from maillage.search.services import search_action_ids
from maillage.search.snippets import snippets
from maillage.search.source import INDEX_COLUMNS, source_select
from tests.conftest import SEEDS
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db

SEED = SEEDS / "000_aa8ed177602d5f0b.txt"
ONE_WORD = [
    "spectacle", "spectacles", "jeunes", "jeune", "vélo", "vélos", "radio", "radios", "ado", "ados", "FLE",
    "linguistique", "Déveloper", "outre", "jeu", "jeux", "œuvre", "oeuvre", "française", "français", "cœur",
    "coeur", "familles", "habitants", "ateliers", "sortie", "photos", "vidéo", "mois", "plus", "3ème", "3eme",
    "2024", "grenier", "mail", "www", "gras", "pyjamas", "cinéma", "amis", "Søren", "soren", "lodz", "Łódź",
]  # fmt: skip
TWO_WORDS = [
    "spectacle jeunes", "atelier vélo", "radio ados", "jeunes familles", "ados radios", "mise œuvre",
    "FLE cours", "vélos OR radios", "jeux -vélo", "habitants quartier", "théâtre spectacle", "sortie familles",
    "vide grenier", "site fr", "français langue", "linguistique participer", "activités jeunes",
]  # fmt: skip
# Phrases: within a field only ("ados une" runs from a title into its summary), ligatures either way.
PHRASES = [
    '"mise en œuvre"', '"mise en oeuvre"', '"du cœur"', '"centre social"', '"ados les jeunes"', '"ados une"',
    '"langue étrangère"', '"spectacle développer"', '"contact site fr"', 'vélo OR "centre social"',
]  # fmt: skip
# Sheets with the spellings a tokenizer trips over: words glued by a period, plurals of words ending in a
# vowel, ligatures, hyphens, addresses, tags, ordinals.
EDGE_TEXTS = [
    ("Radio des ados", "Une radio animée par les ados.Les jeunes montent un spectacle.Développer la confiance."),
    ("Les radios associatives", "Trois radios, des vélos et des jeux.Rencontre le 3ème jeudi."),
    ("Atelier vélo", "Un vélo, un jeu, un ado et une amie.Cours de FLE (français langue étrangère)."),
    ("Mise en œuvre", "Le cœur du projet : la mise en oeuvre d’un vide-grenier, 2024-2025, avec Søren de Łódź."),
    ("Contact", "Écrire à contact@site.fr ou voir https://www.site.fr/page.html ; <b>gras</b> et 1.5 €."),
]


@pytest.fixture
def bank():
    """A small demo, the real seed (25 sheets of the Bouches-du-Rhône) and the edge cases."""
    load_demo(structures=12, actions=80, seed=3)
    import_actions(SEED)
    structure = make_structure("Centre social des Calanques", "13")
    for title, summary in EDGE_TEXTS:
        make_sheet(title, structure, summary=summary)


@dataclass
class StoredSheet:
    """A sheet's words as the reference sees them: the search keys of all its words, and each field's words
    (spelt as `unaccented` spells them) for phrases, which never run from one field into the next."""

    keys: set[str]
    fields: list[list[str]]

    def holds(self, term) -> bool:
        if not term.phrase:
            return search_keys(list(term.words))[0] in self.keys
        phrase = [unaccented(word) for word in term.words]
        return any(words[start : start + len(phrase)] == phrase for words in self.fields for start in range(len(words)))


def stored_sheets() -> dict[int, StoredSheet]:
    """Every sheet, from the text the index is filled with."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(INDEX_COLUMNS)} FROM ({source_select(connection.vendor)}) source")
        rows = cursor.fetchall()
    sheets = {}
    for pk, *texts in rows:
        fields = [[unaccented(word) for word in tokens(text)] for text in texts if text]
        sheets[pk] = StoredSheet(set(search_keys([word for words in fields for word in words])), fields)
    return sheets


def reference(query: str, sheets: dict[int, StoredSheet]) -> set[int]:
    """The sheets matching `query`, computed in Python from their stored words."""
    parsed = parse_query(query)
    return {
        pk
        for pk, sheet in sheets.items()
        if all(any(sheet.holds(term) for term in group) for group in parsed.groups)
        and not any(sheet.holds(term) for term in parsed.excluded)
    }


def test_every_query_finds_the_sheets_the_reference_finds(bank):
    sheets = stored_sheets()
    found = {query: set(search_action_ids(query, limit=10_000)) for query in ONE_WORD + TWO_WORDS + PHRASES}
    expected = {query: reference(query, sheets) for query in found}
    assert {query: ids for query, ids in found.items() if ids != expected[query]} == {}
    # The reference is not empty-handed: most queries find something.
    assert sum(bool(ids) for ids in expected.values()) >= len(expected) - 4


def titles(query: str) -> set[str]:
    return set(Action.objects.filter(pk__in=search_action_ids(query)).values_list("title", flat=True))


@pytest.fixture
def edge_sheets():
    structure = make_structure("Centre social des Calanques", "13")
    for title, summary in EDGE_TEXTS:
        make_sheet(title, structure, summary=summary)


def test_plurals_of_words_ending_in_a_vowel_are_found(edge_sheets):
    assert titles("vélo") == titles("vélos") == {"Atelier vélo", "Les radios associatives"}
    assert titles("radio") == titles("radios") == {"Radio des ados", "Les radios associatives"}
    assert titles("ado") == titles("ados") == {"Radio des ados", "Atelier vélo"}
    assert titles("jeu") == titles("jeux") == {"Atelier vélo", "Les radios associatives"}
    assert titles("FLE") == {"Atelier vélo"}


def test_a_word_glued_to_the_next_sentence_by_a_period_is_found(edge_sheets):
    assert titles("spectacle") == {"Radio des ados"}
    assert titles("développer") == {"Radio des ados"}
    assert titles("jeunes") == {"Radio des ados"}
    assert titles("rencontre") == {"Les radios associatives"}


def test_ligatures_and_letters_without_accents_are_found_written_either_way(edge_sheets):
    assert titles("œuvre") == titles("oeuvre") == {"Mise en œuvre"}
    assert titles("coeur") == titles("cœur") == {"Mise en œuvre"}
    assert titles("soren") == titles("Søren") == titles("lodz") == {"Mise en œuvre"}


def test_extracts_highlight_the_plurals(edge_sheets):
    ids = search_action_ids("vélo")
    extracts = {str(extract) for extract in snippets(ids, parse_query("vélo")).values()}
    assert any("des <mark>vélos</mark>" in extract for extract in extracts)
    assert any("Un <mark>vélo</mark>" in extract for extract in extracts)
