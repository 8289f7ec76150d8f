"""« Vouliez-vous dire … ? »: when a search finds nothing, the closest indexed words.

Each query word that no sheet holds (nor a word of its stem) is replaced by the closest word the
backend knows (`close_words`: the FTS5 vocabulary on SQLite, a trigram-indexed lexicon on
PostgreSQL). The suggestion is given only if it finds published sheets, and shows each word as the
lists or the sheets write it (with its accents).
"""

import re

from pyroaring import BitMap

from maillage.actions.models import Action
from maillage.exchange.records import TEXT_KEYS

from .analysis import fold
from .backends import forget_vocabulary, get_backend
from .query import ParsedQuery, Term, parse_query

_WORD = re.compile(r"[^\W_]+")
SAMPLE = 1000
__all__ = ["forget_vocabulary", "suggest"]


def suggest(text: str, parsed: ParsedQuery, index) -> str | None:
    backend = get_backend()
    replacements = {}
    for term in (term for group in parsed.groups for term in group if not term.phrase):
        word = term.words[0]
        if len(word) < 3 or backend.knows(word):
            continue
        candidates = backend.close_words(word)
        if candidates:
            replacements[word] = candidates[0]
    if not replacements:
        return None
    suggestion = " ".join(
        _display(replacements[fold(piece)], index) if fold(piece) in replacements else piece for piece in text.split()
    )
    # Published sheets among the first matches (reading every match of common words costs too much).
    found = BitMap(backend.sample(parse_query(suggestion), SAMPLE)) & index.published
    return suggestion if found else None


def _display(word: str, index) -> str:
    """`word` (folded) as the lists or a published sheet write it: `parentalite` → `parentalité`."""
    for facet in index.facets.values():
        for label in facet.labels.values():
            for written in _WORD.findall(str(label)):
                if fold(written) == word:
                    return written.lower()
    ids = get_backend().sample(ParsedQuery(groups=((Term((word,)),),)), SAMPLE)
    for pk in ids:
        if pk not in index.published:
            continue
        texts = Action.objects.filter(pk=pk).values_list(*TEXT_KEYS).first() or ()
        for text in texts:
            for written in _WORD.findall(text or ""):
                if fold(written) == word:
                    return written.lower()
        break
    return word
