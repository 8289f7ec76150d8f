"""What both search backends share: a query word's indexed variants (the words of its search key, ADR 003), the
sheets matching a query, combined in memory from the cached sheets of each term (`TermSetsBackend`), the ranking
limits, and the per-process caches that `forget_vocabulary` empties."""

import functools
import operator
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence

from django.db import connection
from pyroaring import BitMap

from .. import shared
from ..analysis import search_keys, tokens
from ..facets import INCREMENTAL_LIMIT, changes_since, facet_index
from ..query import ParsedQuery, Term
from ..vocabulary import indexed_terms

RANK_ALL_LIMIT = 5_000
# Above this many title matches, they come most recent first rather than ranked.
RANK_TITLES_LIMIT = 2_000


def id_ranges(ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive ids as (first, last): an import's sheets have consecutive ids."""
    ordered = sorted(set(ids))
    start = previous = None
    for pk in ordered:
        if start is None:
            start = previous = pk
        elif pk == previous + 1:
            previous = pk
        else:
            yield start, previous
            start = previous = pk
    if start is not None:
        yield start, previous


def titles_first(matching, titles: list[int]) -> list[int]:
    """The matching sheets whose title matched, in the given order, then the others, most recent first."""
    found = matching if isinstance(matching, BitMap) else BitMap(matching)
    first = [pk for pk in titles if pk in found]
    return first + list(found - BitMap(first))[::-1]


class TermSetsBackend:
    """What both backends share: a query word's variants, a query's matching sheets combined in memory from
    cached term sets. Subclasses give `_term_ids(cursor, term, first=None, last=None)`, and the indexed words:
    `all_words()`, `words_of(ranges)`."""

    def expand(self, word: str) -> list[str]:
        """Indexed words of the search key of `word` (the folded word itself included), kept per process until
        the index changes."""
        key = (connection.settings_dict["NAME"], indexed_terms(self).words_change, word)
        with _vocabulary_lock:
            found = _expansions.get(key)
        if found is None:
            found = self._expand(word)
            with _vocabulary_lock:
                if len(_expansions) >= MAX_EXPANSIONS:
                    _expansions.clear()
                _expansions[key] = found
        return found

    def _expand(self, word: str) -> list[str]:
        """Indexed words of the search key of `word` (`vélos` for `vélo`, `ateliers` for `atelier`).

        Stems are nearly always a prefix of the word, but not quite (`chevaux` → `cheval`): candidates are
        the indexed words sharing a slightly shorter prefix, kept when their key is the same.
        """
        folded = tokens(word)
        if not folded:
            return []
        folded_word = folded[0]
        key = search_keys([folded_word])[0]
        candidates = indexed_terms(self).with_prefix(key[: max(3, len(key) - 2)])
        variants = {term for term, term_key in zip(candidates, search_keys(candidates), strict=True) if term_key == key}
        return sorted({folded_word, *variants})

    def _matching(self, cursor, parsed: ParsedQuery) -> BitMap:
        """The sheets matching the query, combined in memory from the sheets of each term."""
        groups = [functools.reduce(operator.or_, (self._term_sheets(cursor, term) for term in group))
                  for group in parsed.groups]  # fmt: skip
        found = functools.reduce(operator.and_, groups)
        for term in parsed.excluded:
            found = found - self._term_sheets(cursor, term)
        return found

    def sheets_with(self, term: Term) -> BitMap:
        """The indexed sheets holding a word (or one of its variants) or a phrase, kept per process."""
        with connection.cursor() as cursor:
            return self._term_sheets(cursor, term)

    def _sheets_key(self, term: Term) -> Term | tuple[str, ...]:
        """A word by its search key: it stands for the indexed words of that key (`expand`; the word itself, if
        indexed, is one of them), so `famille`, `familles` and `FAMILLE` read the same sheets, once."""
        if term.phrase:
            return term
        folded = tokens(term.words[0])
        return ("key", search_keys(folded[:1])[0]) if folded else ()

    def _term_sheets(self, cursor, term: Term) -> BitMap:
        """The sheets holding a word (or one of its variants) or a phrase, kept per process and, for the other
        processes of the node, in its shared cache (`search.shared`): common words come back in many searches,
        and reading their long doclists is the main cost of a search (25–50 ms for a word most sheets hold on
        SQLite, 300–500 ms on PostgreSQL). After a change of the index, only the changed sheets are read again,
        unless too many changed."""
        sheets_key = self._sheets_key(term)
        key = (connection.settings_dict["NAME"], sheets_key)
        latest = _index_generation()
        with _vocabulary_lock:
            cached = _term_sheets.get(key)
            if cached is not None:
                _term_sheets.move_to_end(key)
        if cached is not None and cached[0] == latest:
            return cached[1]
        node_key = shared.shared_key("terms", sheets_key)
        if cached is None:
            stored = shared.get(node_key)  # read by another process of the node
            cached = (stored[0], BitMap.deserialize(stored[1])) if stored is not None else None
        found = self._patched(cursor, term, cached, latest) if cached is not None else None
        if found is None:
            found = BitMap(self._term_ids(cursor, term))
            shared.put(node_key, (latest, found.serialize()))
        with _vocabulary_lock:
            _term_sheets[key] = (latest, found)
            _term_sheets.move_to_end(key)
            while len(_term_sheets) > MAX_CACHED_TERMS:  # the least recently used go first
                _term_sheets.popitem(last=False)
        return found

    def _patched(self, cursor, term: Term, cached: tuple, latest: tuple[int, str]) -> BitMap | None:
        """The sheets kept at an earlier change, with the sheets changed since read again; None when the log no
        longer tells what changed, or too many sheets did."""
        if cached[0] == latest:
            return cached[1]
        ranges = changes_since(cached[0])
        if ranges is None or sum(last - first + 1 for first, last in ranges) > INCREMENTAL_LIMIT:
            return None
        found = cached[1].copy()
        for first, last in ranges:
            found.remove_range(first, last + 1)
            found.update(self._term_ids(cursor, term, first, last))
        return found


_vocabulary_lock = threading.Lock()
_vocabularies: dict = {}
# Query word → its indexed variants; reading them costs a scan of the vocabulary by prefix (10–30 ms
# for a common word). Keyed by the last change that added words to the index, so that a new variant is found at
# once.
_expansions: dict = {}
MAX_EXPANSIONS = 5000
# Word (its search key) or phrase → (the index change, its sheets). « Actions similaires » reads a sheet's rarest
# words: many, with small sets; the common words of searches must stay.
_term_sheets: OrderedDict = OrderedDict()
MAX_CACHED_TERMS = 5000


def _index_generation() -> tuple[int, str]:
    return facet_index().change


def forget_vocabulary() -> None:
    with _vocabulary_lock:
        _vocabularies.clear()
        _expansions.clear()
        _term_sheets.clear()
