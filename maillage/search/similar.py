"""« Actions similaires »: published sheets close to a given one.

Candidates are the sheets that best match the given sheet's most distinctive words (its rarest title
and summary words, in an OR query ranked by the index) and the sheets sharing all its keywords. Each is
scored on shared keywords and publics (from the in-memory facet index) and on its text rank; the same
department breaks ties. A few milliseconds, whatever the size of the bank.
"""

import threading
import time
from collections import OrderedDict

from django.db import connection
from pyroaring import BitMap

from maillage.actions.models import Action

from .analysis import tokens
from .backends import get_backend
from .facets import facet_index
from .query import ParsedQuery, Term
from .stopwords import STOP_WORDS

TEXT_CANDIDATES = 100
QUERY_WORDS = 8
# The words chosen match at most this many sheets together, so that ranking them stays quick.
MAX_MATCHES = 5000
KEYWORD_WEIGHT, PUBLIC_WEIGHT, TEXT_WEIGHT = 3.0, 2.0, 4.0


_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 1000
# How many sheets hold a word only decides which words of a sheet are the most distinctive: counts a few minutes
# old choose the same words. Counting reads the word's whole list of sheets (tens of milliseconds for a common
# word on SQLite, a count(*) on PostgreSQL), so counts are kept per process for FREQUENCY_SECONDS.
_frequencies: OrderedDict = OrderedDict()
FREQUENCY_SECONDS = 600
FREQUENCY_CACHE_SIZE = 50_000


def similar_actions(action_id: int, limit: int = 5) -> list[int]:
    """The `limit` published sheets most similar to this one, kept per process until the bank changes."""
    index = facet_index()
    key = (connection.settings_dict["NAME"], index.content_change, action_id, limit)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = _similar(index, action_id, limit)
    with _lock:
        _cache[key] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def forget() -> None:
    with _lock:
        _cache.clear()
        _frequencies.clear()


def document_frequency(words: list[str]) -> dict[str, int]:
    """How many sheets hold each word (0 for none), counted at most once per FREQUENCY_SECONDS and process."""
    database, now = connection.settings_dict["NAME"], time.monotonic()
    found, missing = {}, []
    with _lock:
        for word in words:
            kept = _frequencies.get((database, word))
            if kept is not None and now - kept[1] < FREQUENCY_SECONDS:
                found[word] = kept[0]
            else:
                missing.append(word)
    if missing:
        # A word more than MAX_MATCHES sheets hold is never chosen: counting stops past that.
        counted = get_backend().document_frequency(missing, at_most=MAX_MATCHES + 1)
        with _lock:
            for word in missing:
                found[word] = counted.get(word, 0)
                _frequencies[(database, word)] = (found[word], now)
                _frequencies.move_to_end((database, word))
            while len(_frequencies) > FREQUENCY_CACHE_SIZE:
                _frequencies.popitem(last=False)
    return found


def _similar(index, action_id: int, limit: int) -> list[int]:
    values = {name: _keys_of(index.facets[name], action_id) for name in ("keyword", "public", "department")}
    ranked = _text_neighbours(action_id)
    candidates = BitMap(ranked[:TEXT_CANDIDATES])
    keyword_sheets = [index.facets["keyword"].sheets[key] for key in values["keyword"]]
    if keyword_sheets:
        candidates |= BitMap(list(BitMap.intersection(*keyword_sheets))[:TEXT_CANDIDATES])
    candidates &= index.published
    candidates.discard(action_id)
    text_score = {pk: 1 - position / TEXT_CANDIDATES for position, pk in enumerate(ranked[:TEXT_CANDIDATES])}
    department = [index.facets["department"].sheets[key] for key in values["department"]]

    def score(pk: int) -> tuple[float, bool, int]:
        shared_keywords = sum(pk in sheets for sheets in keyword_sheets)
        shared_public = sum(pk in index.facets["public"].sheets[key] for key in values["public"])
        total = KEYWORD_WEIGHT * shared_keywords + PUBLIC_WEIGHT * shared_public + TEXT_WEIGHT * text_score.get(pk, 0)
        return total, any(pk in sheets for sheets in department), pk

    return sorted(candidates, key=score, reverse=True)[:limit]


def _keys_of(facet, action_id: int) -> list:
    return [key for key, sheets in facet.sheets.items() if action_id in sheets]


def _text_neighbours(action_id: int) -> list[int]:
    """Sheets best matching any of the sheet's most distinctive words, best first."""
    row = Action.objects.filter(pk=action_id).values_list("title", "summary").first()
    if row is None:
        return []
    words = list(dict.fromkeys(word for word in tokens(" ".join(row)) if len(word) > 3 and word not in STOP_WORDS))
    frequency = document_frequency(words)
    words.sort(key=lambda word: frequency.get(word, 0))
    chosen, total = [], 0
    for word in words:
        count = frequency.get(word, 0)
        if count > 1 and total + count <= MAX_MATCHES and len(chosen) < QUERY_WORDS:
            chosen.append(word)
            total += count
    if not chosen:
        return []
    query = ParsedQuery(groups=(tuple(Term((word,)) for word in chosen),))
    return get_backend().match(query, ranked=True)[: TEXT_CANDIDATES + 1]
