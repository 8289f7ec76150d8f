"""French text analysis for the embedded (SQLite) index: the same at index and at query time.

Words are lower-cased, stripped of accents, then stemmed by the Snowball French stemmer, so that
`vélo` finds `velo` and `atelier` finds `ateliers`.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"\w+")
_stemmer = Stemmer.Stemmer("french")
_stems: dict[str, str] = {}
_MAX_CACHE = 2_000_000


@lru_cache(maxsize=4096)
def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """Stem of a lower-cased word; cached, since a corpus has far fewer distinct words than words."""
    cached = _stems.get(word)
    if cached is None:
        if len(_stems) > _MAX_CACHE:
            _stems.clear()
        cached = _stems[word] = _stemmer.stemWord(strip_accents(word))
    return cached


def analyze(text: str) -> str:
    """Space-separated stems of `text`, ready to be stored in the full-text index."""
    if not text:
        return ""
    get = _stems.get
    return " ".join([get(word) or stem(word) for word in _WORD.findall(text.lower())])


def terms(text: str) -> list[str]:
    return analyze(text).split()
