"""Highlighted extracts: the same extract, with each distinct word of a page's texts looked at once."""

from maillage.search import snippets as snippets_module
from maillage.search.query import parse_query
from maillage.search.snippets import Highlighter


def test_an_extract_highlights_the_query_words_and_their_variants():
    highlighter = Highlighter(parse_query("vélo"))
    extract = highlighter.extract("Réparer son <b>vélo</b> ; les vélos de la ville, de la rue.")
    assert (
        extract == "Réparer son &lt;b&gt;<mark>vélo</mark>&lt;/b&gt; ; les <mark>vélos</mark> de la ville, de la rue."
    )
    assert highlighter.extract("Rien à voir.") is None


def test_each_word_as_written_is_folded_and_stemmed_once_per_page(monkeypatch):
    """A page's 20 texts repeat « de », « la »… : folding and stemming each occurrence was most of an extract."""
    folded = []
    fold = snippets_module.fold

    def counted_fold(word):
        folded.append(word)
        return fold(word)

    monkeypatch.setattr(snippets_module, "fold", counted_fold)
    highlighter = Highlighter(parse_query("jardin"))
    texts = ["La fête de la rue et de la ville.", "De la musique et de la danse, au jardin de la ville."]
    assert [highlighter.extract(text) for text in texts][1] == (
        "De la musique et de la danse, au <mark>jardin</mark> de la ville."
    )
    assert sorted(folded) == sorted(set(folded))
