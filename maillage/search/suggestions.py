"""« Vouliez-vous dire … ? »: when a search finds nothing, the closest indexed words.

The candidates for a misspelt word are the indexed words with the same first letter (reading the
whole vocabulary costs most of a second on 100,000 sheets; a letter, a few dozen milliseconds): a typo
on the first letter gets no suggestion. Each letter's words are kept ten minutes per process:
suggestions need not follow every change. A misspelt word is replaced by the close word held by the
most sheets; the suggestion is given only if it finds published sheets, and shows the word as the
sheets write it (with its accents).
"""

import re
import threading
import time

from django.db import connection
from pyroaring import BitMap
from rapidfuzz import fuzz, process

from maillage.actions.models import Action
from maillage.exchange.records import TEXT_KEYS

from .analysis import fold, stems
from .backends import get_backend
from .query import ParsedQuery, Term, parse_query

VOCABULARY_TTL = 600
MIN_SCORE = 75
_WORD = re.compile(r"[^\W_]+")
_lock = threading.Lock()
_vocabulary: dict = {}


def suggest(text: str, parsed: ParsedQuery, index) -> str | None:
    replacements = {}
    for term in (term for group in parsed.groups for term in group if not term.phrase):
        word = term.words[0]
        vocabulary = _words(word[0])
        if _known(word, vocabulary):
            continue
        candidate = _closest(word, vocabulary)
        if candidate:
            replacements[word] = candidate
    if not replacements:
        return None
    suggestion = " ".join(
        _display(replacements[fold(piece)], index) if fold(piece) in replacements else piece for piece in text.split()
    )
    corrected = parse_query(suggestion)
    found = BitMap(get_backend().match(corrected, ranked=False)) & index.published
    return suggestion if found else None


def _known(word: str, vocabulary: dict[str, int]) -> bool:
    if word in vocabulary:
        return True
    stem = stems([word])[0]
    return any(stems([candidate])[0] == stem for candidate in _prefixed(stem, vocabulary))


def _prefixed(stem: str, vocabulary: dict[str, int]) -> list[str]:
    return [candidate for candidate in vocabulary if candidate.startswith(stem)][:50]


def _closest(word: str, vocabulary: dict[str, int]) -> str | None:
    if len(word) < 3:
        return None
    found = process.extract(word, vocabulary.keys(), scorer=fuzz.ratio, limit=5, score_cutoff=MIN_SCORE)
    if not found:
        return None
    best = max(found, key=lambda item: (round(item[1] / 5), vocabulary[item[0]]))
    return best[0]


def _display(word: str, index) -> str:
    """`word` (folded) as the lists or a published sheet write it: `parentalite` → `parentalité`."""
    for facet in index.facets.values():
        for label in facet.labels.values():
            for written in _WORD.findall(str(label)):
                if fold(written) == word:
                    return written.lower()
    ids = get_backend().match(ParsedQuery(groups=((Term((word,)),),)), ranked=False)
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


def _words(letter: str) -> dict[str, int]:
    key = (connection.vendor, connection.settings_dict["NAME"], letter)
    with _lock:
        cached = _vocabulary.get(key)
        if cached and time.monotonic() - cached[0] < VOCABULARY_TTL:
            return cached[1]
    words = {word: count for word, count in get_backend().vocabulary(letter).items() if word.isalpha()}
    with _lock:
        _vocabulary[key] = (time.monotonic(), words)
    return words


def forget_vocabulary() -> None:
    with _lock:
        _vocabulary.clear()
