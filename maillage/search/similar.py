"""« Actions similaires »: published sheets close to a given one.

Candidates are the sheets holding the given sheet's most distinctive words (its rarest title and summary
words), scored on which of them they hold — a rarer word counts more —, and the sheets sharing all its keywords.
Each is scored on shared keywords and publics (from the in-memory facet index) and on its text score; the same
department breaks ties. The text score comes from the sets of sheets of each word, kept per process for searches:
no sheet's text is read (ranking up to 5,000 sheets by the index's rank read each one's vector on PostgreSQL,
40–75 ms a sheet page, most of what the database did under `make loadtest`). A few milliseconds, whatever the size
of the bank, and the same on both databases.
"""

import math
import threading
import time
from collections import OrderedDict, defaultdict

from django.db import connection
from pyroaring import BitMap

from maillage.actions.models import Action

from . import shared
from .analysis import tokens
from .backends import get_backend
from .facets import facet_index
from .query import Term
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
    node_key = shared.shared_key("similar", *key[1:])
    found = shared.get(node_key)
    if found is None:
        found = _similar(index, action_id, limit)
        shared.put(node_key, found)
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
    """How many sheets hold each word (0 for none), counted at most once per FREQUENCY_SECONDS and node."""
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
        node_keys = {word: shared.shared_key("frequency", word) for word in missing}
        stored = shared.get_many(list(node_keys.values()))  # counted by another process of the node
        counted = {word: stored[key] for word, key in node_keys.items() if key in stored}
        uncounted = [word for word in missing if word not in counted]
        if uncounted:
            # A word more than MAX_MATCHES sheets hold is never chosen: counting stops past that.
            fresh = get_backend().document_frequency(uncounted, at_most=MAX_MATCHES + 1)
            fresh = {word: fresh.get(word, 0) for word in uncounted}
            shared.put_many({node_keys[word]: count for word, count in fresh.items()}, FREQUENCY_SECONDS)
            counted.update(fresh)
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
    return _best_holders(chosen, frequency, TEXT_CANDIDATES + 1)


def _best_holders(words: list[str], frequency: dict[str, int], limit: int) -> list[int]:
    """The `limit` published sheets holding the most weight of these words (a word's weight falls with the number
    of sheets holding it, as in the index's own ranks), most recent first when equal.

    The sheets are split by which of the words they hold (a few groups: most hold one word), each group scored
    once; only the best groups are listed. Scoring sheet by sheet in Python cost 5–10 ms for 10,000 holders."""
    backend = get_backend()
    published = facet_index().published
    total = max(len(published), *frequency.values()) + 1
    holders = {word: backend.sheets_with(Term((word,))) for word in words}
    groups = [(0.0, BitMap.union(*holders.values()) & published)]
    for word, sheets in holders.items():
        weight = math.log(total / frequency[word])
        groups = [(score + gained, part) for score, group in groups
                  for gained, part in ((weight, group & sheets), (0.0, group - sheets)) if part]  # fmt: skip
    by_score: dict[float, BitMap] = defaultdict(BitMap)
    for score, group in groups:
        by_score[round(score, 9)] |= group
    found: list[int] = []
    for score in sorted(by_score, reverse=True):
        if len(found) >= limit:
            break
        found.extend(reversed(by_score[score][-(limit - len(found)) :]))
    return found
