"""French word analysis, shared by both backends (ADR 003).

FTS5 itself folds case and accents (`unicode61 remove_diacritics 2`) when it indexes the original
text, in C, which keeps bulk imports fast. Stemming happens at query time: a query word is expanded
to every indexed word (from the index's vocabulary) with the same search key, so `atelier` finds
`ateliers`. PostgreSQL stems at index time; its query words stand for the lexemes of the same key.

A word's search key (`search_keys`) is its French Snowball stem, then `singular`: the stemmer leaves
alone the plural of a word ending in a vowel (`vélos`, `radios`, `ados`, `jeux`), so its final s (or x
after a u) is dropped. Words with a digit are not stemmed (PostgreSQL's `simple` dictionary takes them).
"""

import re
import unicodedata

import Stemmer

# FTS5's unicode61 tokenizer: letters and digits make words; everything else separates them.
_TOKEN = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("french")
VOWELS = frozenset("aeiouy")
# What PostgreSQL's `unaccent` makes of the letters that `unicode61 remove_diacritics 2` keeps.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def fold(word: str) -> str:
    """What `unicode61 remove_diacritics 2` makes of a word: lower case, no accents."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """The folded words of `text`, as the index sees them."""
    return [fold(word) for word in _TOKEN.findall(text)]


def stems(words: list[str]) -> list[str]:
    """Stems of folded words (the stemmer is fed accent-free words)."""
    return _stemmer.stemWords(words)


def singular(stem: str) -> str:
    """A stem without the plural mark the stemmer keeps after a vowel: `velos` → `velo`, `jeux` → `jeu`.

    Also drops the s of a few singular words (`plus` → `plu`, `mois` → `moi`): harmless, since the index's
    words and the query's go through the same function. Idempotent: what it gives ends with a vowel.
    """
    if len(stem) >= 3 and ((stem[-1] == "s" and stem[-2] in VOWELS) or (stem[-1] == "x" and stem[-2] == "u")):
        return stem[:-1]
    return stem


def search_keys(words: list[str]) -> list[str]:
    """The search key of each folded word: two words match when their keys are equal."""
    plain = [word.translate(LIGATURES) for word in words]
    stemmed = iter(stems([word for word in plain if not _has_digit(word)]))
    return [singular(word if _has_digit(word) else next(stemmed)) for word in plain]


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)
