"""French word analysis for the embedded (SQLite) index.

FTS5 itself folds case and accents (`unicode61 remove_diacritics 2`) when it indexes the original
text, in C, which keeps bulk imports fast. Stemming happens at query time: a query word is expanded
to every indexed word (from the index's vocabulary) with the same stem, so `atelier` finds
`ateliers`. Accents are stripped before stemming.
"""

import re
import unicodedata

import Stemmer

# FTS5's unicode61 tokenizer: letters and digits make words; everything else separates them.
_TOKEN = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("french")


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
