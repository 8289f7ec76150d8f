"""Searching the published sheets: full text, facets, sorts and pages, for the site, exports and the API.

    filters = parse_action_filters(request.GET)      # raises InvalidParameter
    results = search_actions(filters, page=2)
    results.count, results.ids, results.facets, results.ordered_ids(), results.suggestion

The text index answers which sheets match the words (and their rank); the in-memory facet index
(`facets`) restricts them to published sheets, applies the ticked values and counts the facets.
"""

import itertools
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from pyroaring import BitMap

from maillage.parameters import whole_number
from maillage.referentials.text import match_key

from . import shared
from .backends import base as backends_base  # the ranking limit is read at call time (tests lower it)
from .backends import get_backend
from .facets import FacetIndex, facet_index
from .params import FACETS, MAX_VALUES_PER_FACET, SORTS, ActionFilters, InvalidParameter
from .query import ParsedQuery, parse_query
from .suggestions import suggest

PAGE_SIZE = 20
# Parameters other than the filters that a list page or the API may receive.
PAGING_PARAMETERS = ("page", "page_size")
# How many recent text matches each process keeps (a reader paging or ticking facets reuses them).
MATCH_CACHE_SIZE = 64
YEARS = range(1900, 2101)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


def parse_action_filters(params, *, strict: bool = False) -> ActionFilters:
    """Read a search from a query string (a `QueryDict`); `strict` refuses unknown parameters (API)."""
    if strict:
        unknown = sorted(set(params) - {"q", "sort", *FACETS, *PAGING_PARAMETERS})
        if unknown:
            raise InvalidParameter(unknown[0], "paramètre inconnu.")
    query = _single(params, "q")
    parse_query(query)
    sort = _single(params, "sort")
    if sort and sort not in SORTS:
        raise InvalidParameter("sort", f"tri inconnu ; valeurs possibles : {', '.join(SORTS)}.")
    index = facet_index()
    selected = {}
    for name in FACETS:
        values = list(dict.fromkeys(value.strip() for value in params.getlist(name) if value.strip()))
        if len(values) > MAX_VALUES_PER_FACET:
            raise InvalidParameter(name, f"au plus {MAX_VALUES_PER_FACET} valeurs.")
        if values:
            selected[name] = tuple(_canonical(index, name, value) for value in values)
    return ActionFilters(query=query, selected=selected, sort=sort)


def _single(params, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(name, "ce paramètre ne peut être donné qu'une fois.")
    return values[0].strip() if values else ""


def _canonical(index: FacetIndex, name: str, value: str) -> str:
    facet = index.facets[name]
    key = facet.lookup.get(match_key(value))
    if key is not None:
        return facet.values[key]
    if name == "year" and whole_number(value, maximum=YEARS.stop - 1) in YEARS:  # None is in no range
        return value  # a year without published sheets: a valid question with no answer
    raise InvalidParameter(name, f"valeur inconnue : « {value[:100]} ».")


def search_actions(filters: ActionFilters, page: int = 1, page_size: int = PAGE_SIZE) -> "ActionResults":
    return ActionResults(filters, facet_index(), page=page, page_size=page_size)


class ActionResults:
    """The published sheets matching a search; facets and suggestions are computed when asked for."""

    def __init__(self, filters: ActionFilters, index: FacetIndex, *, page: int, page_size: int):
        self.filters = filters
        self.index = index
        self.page = page
        self.page_size = page_size
        self.sort = filters.effective_sort
        self.parsed = parse_query(filters.query)
        self.ranked: array | None = None
        base = index.published
        relevance = self.sort == "relevance"
        if self.parsed:
            # With facets ticked, only the sheets they keep are ranked (below): ranking reads each sheet's vector.
            ranked = relevance and not filters.selected
            self.ranked, matched = _matches(self.parsed, ranked=ranked, change=index.content_change)
            base = matched & index.published
        self.base = base
        self.selections = {name: self._selection(name, values) for name, values in filters.selected.items()}
        self.result = BitMap.intersection(base, *self.selections.values()) if self.selections else base
        if self.parsed and relevance and filters.selected:
            self.ranked = _ranked_within(self.parsed, matched, self.result, filters.selected, index.content_change)

    def _selection(self, name: str, values: tuple[str, ...]) -> BitMap:
        facet = self.index.facets[name]
        keys = [facet.lookup.get(match_key(value)) for value in values]
        return BitMap.union(BitMap(), *(facet.sheets.get(key, BitMap()) for key in keys if key is not None))

    @property
    def count(self) -> int:
        return len(self.result)

    @property
    def start(self) -> int:
        """Rank of the first sheet of the page (1 on the first page)."""
        return (self.page - 1) * self.page_size + 1

    @property
    def page_count(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @cached_property
    def ids(self) -> list[int]:
        """The sheets of the requested page, in order."""
        start = (self.page - 1) * self.page_size
        return list(itertools.islice(self.ordered_ids(), start, start + self.page_size))

    def ordered_ids(self) -> Iterator[int]:
        """Every matching sheet, in the order of the sort."""
        result = self.result
        if self.sort == "relevance" and self.ranked is not None:
            order = self.ranked
        elif self.sort == "-title":
            order = reversed(self.index.order("title"))
        elif self.sort in ("title", "department"):
            order = self.index.order(self.sort)
        else:
            order = self.index.order("recent")
        return (pk for pk in order if pk in result)

    @cached_property
    def facets(self) -> dict[str, list[FacetOption]]:
        """Options of each facet with their counts, on the result of the other facets' selections (so
        that ticking a second value of a facet widens the list, as OR does)."""
        return {name: self._facet_options(name) for name in FACETS}

    def _facet_options(self, name: str) -> list[FacetOption]:
        facet = self.index.facets[name]
        others = [selection for other, selection in self.selections.items() if other != name]
        scope = BitMap.intersection(self.base, *others) if others else self.base
        chosen = set(self.filters.selected.get(name, ()))
        options = []
        for key, label in facet.labels.items():
            sheets = facet.sheets.get(key)
            count = scope.intersection_cardinality(sheets) if sheets else 0
            value = facet.values[key]
            if count or value in chosen:
                options.append(FacetOption(value, label, count, value in chosen))
        if name not in ("year", "kind"):
            options.sort(key=lambda option: -option.count)
        return options

    @cached_property
    def suggestion(self) -> str | None:
        """A query with misspelt words replaced by close indexed words, when this one finds nothing."""
        if self.count or not self.parsed:
            return None
        return suggest(self.filters.query, self.parsed, self.index)


_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def _matches(parsed: ParsedQuery, *, ranked: bool, change: tuple[int, str]) -> tuple[array, BitMap]:
    """Ids of the indexed sheets matching the words (ranked, or in any order), kept for the next pages."""
    key = (connection.vendor, connection.settings_dict["NAME"], change, parsed, ranked)
    found = _cached(key)
    if found is None:
        found = _keep(
            key, _shared_match(("match", change, parsed, ranked), lambda: get_backend().match(parsed, ranked=ranked))
        )
    return found


def _shared_match(parts: tuple, compute) -> array:
    """Matches another process of the node has already worked out (`shared`), else worked out and left there."""
    key = shared.shared_key(*parts)
    stored = shared.get(key)
    if stored is not None:
        return shared.ids_of(stored)
    ids = array("I", compute())
    shared.put(key, ids.tobytes())
    return ids


def _ranked_within(
    parsed: ParsedQuery, matched: BitMap, result: BitMap, selected: dict, change: tuple[int, str]
) -> array:
    """The matching sheets that the ticked facets keep (`result`), best first, kept for the next pages.

    Only they are ranked: on PostgreSQL ranking reads every ranked sheet's vector (about 8 µs each, 40 ms for
    5,000 matches), and a search with a department ticked keeps a few dozen of them. Their order is the one the
    whole ranking gives them (each sheet's rank is its own); a ranking of every match already kept is used, and
    a backend that ranks in its index (SQLite) ranks every match once for every choice of facets, as does a query
    past `RANK_ALL_LIMIT` matches (title matches first: no vector read)."""
    name = connection.settings_dict["NAME"]
    whole_key = (connection.vendor, name, change, parsed, True)
    whole = _cached(whole_key)
    if whole is not None:
        return whole[0]
    stored = shared.get(shared.shared_key("match", change, parsed, True))  # ranked whole by another process
    if stored is not None:
        return _keep(whole_key, shared.ids_of(stored))[0]
    if not get_backend().ranks_within or len(matched) > backends_base.RANK_ALL_LIMIT:
        return _matches(parsed, ranked=True, change=change)[0]
    key = (connection.vendor, name, change, parsed, "within", tuple(sorted(selected.items())))
    found = _cached(key)
    if found is None:
        found = _keep(key, _shared_match(("within", change, parsed, key[-1]),
                                         lambda: get_backend().match(parsed, ranked=True, within=result)))  # fmt: skip
    return found[0]


def _cached(key: tuple) -> tuple[array, BitMap] | None:
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def _keep(key: tuple, ids: array) -> tuple[array, BitMap]:
    found = (ids, BitMap(ids))
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > MATCH_CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def clear_match_cache() -> None:
    with _cache_lock:
        _cache.clear()
