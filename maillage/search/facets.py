"""Facet counts over the published sheets, from compressed bitmaps held in memory.

Counting facets with SQL means a GROUP BY per facet over the whole result set: on 100,000 sheets that
is hundreds of milliseconds per page. Here each facet value (a keyword, a department, a year…) has a
Roaring bitmap of the published sheets that carry it; a result set is a bitmap too, and a count is
the size of an intersection, computed in microseconds.

The bitmaps stay exact: every write that changes what a sheet shows or whether it is published goes
through `search.services`, which appends a row to `IndexChange` in the same transaction. Once a
request (at every use outside requests), a process reads the last row of that log (one indexed query)
and reloads the sheets that changed since it last looked — or everything, if the log was rolled back
or pruned.
"""

import bisect
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import connection
from pyroaring import BitMap

from maillage.actions.models import LIST_RELATIONS, ActionState
from maillage.referentials.models import ActionStatus, Department, Region, Territory
from maillage.referentials.text import fold, match_key
from maillage.structures.models import StructureKind

from .models import IndexChange

# Facet parameter → the list relation (through table) it counts, for multi-valued lists.
LIST_FACETS = {"keyword": "keywords", "public": "public", "dimension": "dimensions",
               "initiative": "initiative", "partner": "partners"}  # fmt: skip
ORDERS = ("title", "recent", "department")
# Past this many changed sheets, reloading everything is quicker than patching.
INCREMENTAL_LIMIT = 5000


@dataclass
class Facet:
    """One facet: its values (`key` → label, in display order) and the sheets carrying each value."""

    labels: dict = field(default_factory=dict)
    sheets: dict = field(default_factory=dict)
    # match_key of what a reader may type (label, code) → key.
    lookup: dict[str, object] = field(default_factory=dict)
    # key → the value put in URLs: the label, or the code of a department or region.
    values: dict = field(default_factory=dict)

    def add(self, key, label: str, value: str | None = None) -> None:
        self.labels[key] = label
        self.values[key] = value or label
        self.lookup[match_key(label)] = key
        if value:
            self.lookup[match_key(value)] = key

    def bitmap(self, key) -> BitMap:
        found = self.sheets.get(key)
        if found is None:
            found = self.sheets[key] = BitMap()
        return found


@dataclass
class FacetIndex:
    published: BitMap
    facets: dict[str, Facet]
    title_keys: dict[int, str]
    published_keys: dict[int, float]
    change: tuple[int, str]
    _orders: dict[str, list[int]] = field(default_factory=dict)
    # The last change that touched a published sheet (None: `change`). Drafts saved again move `change` on, not
    # this: the caches of what published sheets show (text matches, similar sheets) are keyed on it.
    published_change: tuple[int, str] | None = None

    @property
    def content_change(self) -> tuple[int, str]:
        return self.published_change or self.change

    def order(self, name: str) -> list[int]:
        """Published sheet ids by title (`title`), most recent first (`recent`), or by department code
        then title (`department`). Computed once, then patched with the changed sheets."""
        if name not in self._orders:
            self._orders[name] = sorted(self.published, key=self._sort_key(name))
        return self._orders[name]

    def _sort_key(self, name: str):
        if name == "title":
            return lambda pk: (self.title_keys[pk], pk)
        if name == "department":
            codes = self._department_codes()
            return lambda pk: (codes.get(pk, "~"), self.title_keys[pk], pk)
        return lambda pk: (-self.published_keys[pk], -pk)

    def _department_codes(self) -> dict[int, str]:
        facet = self.facets["department"]
        return {pk: facet.values[key] for key, sheets in facet.sheets.items() for pk in sheets}

    def patch_orders(self, previous: "FacetIndex", changed: BitMap) -> None:
        """Orders of `previous`, without the changed sheets, with the changed ones still published put
        back in their place (a few milliseconds, where sorting again takes a few hundred)."""
        returning = list(changed & self.published)
        for name, order in previous._orders.items():
            kept = [pk for pk in order if pk not in changed]
            key = self._sort_key(name)
            for pk in returning:
                bisect.insort(kept, pk, key=key)
            self._orders[name] = kept


_lock = threading.Lock()
_current: FacetIndex | None = None


def facet_index() -> FacetIndex:
    """The facet index, brought up to date with the log of changes (one query when nothing changed)."""
    global _current
    latest = _latest_change()
    index = _current
    if index is not None and index.change == latest:
        return index
    with _lock:
        index = _current
        if index is not None and latest[0] < index.change[0] and _still_logged(index.change):
            # Another thread of this process has read a later change than this request: its index serves. Going
            # back to `latest` would load every sheet again (the reloads seen under `make loadtest`).
            _saw(index.change)
            return index
        if index is None or index.change != latest:
            index = _refreshed(index, latest)
            _current = index
    return index


def forget() -> None:
    """Drop the index held by this process (tests, benchmarks)."""
    global _current
    _current = None


def loaded() -> bool:
    """Whether this process holds an index (the readiness check `/sante/pret` reports it); no query."""
    return _current is not None


# The last change seen by the request this thread serves: read once per request. A page asked for the index once
# per word it searched, per word whose sheets it counted… (31 queries for a sheet page seen for the first time):
# under load each of these round trips waited for a database process to be given a core.
_request = threading.local()


def start_request(**kwargs) -> None:
    """A request starts in this thread (`request_started`): the log's last row is read once, at its first use."""
    _request.active, _request.change = True, None


def end_request(**kwargs) -> None:
    _request.active, _request.change = False, None


def forget_latest_change() -> None:
    """This thread wrote to the log (`services.log_change`): the rest of its request reads the log again."""
    _request.change = None


def _saw(change: tuple[int, str]) -> None:
    if getattr(_request, "active", False):
        _request.change = change


def _still_logged(change: tuple[int, str]) -> bool:
    """Whether this change is in the log: not, when the transaction that wrote it was rolled back."""
    return IndexChange.objects.filter(id=change[0], token=change[1]).exists()


def _latest_change() -> tuple[int, str]:
    if getattr(_request, "active", False) and _request.change is not None:
        return _request.change
    row = IndexChange.objects.order_by("-id").values_list("id", "token").first()
    latest = row or (0, "")
    _saw(latest)
    return latest


def _refreshed(index: FacetIndex | None, latest: tuple[int, str]) -> FacetIndex:
    if index is not None and latest[0] > index.change[0]:
        ranges = changes_since(index.change)
        if ranges is not None and sum(last - first + 1 for first, last in ranges) <= INCREMENTAL_LIMIT:
            if not _touches_published(index, ranges):
                return replace(index, change=latest, published_change=index.content_change)
            return _patched(index, ranges, latest)
    return load_index(latest)


def _touches_published(index: FacetIndex, ranges: list[tuple[int, int]]) -> bool:
    """Whether a changed sheet was or is published. A draft saved again (an autosave every few seconds while
    someone writes) changes no count and no order: the index is kept as it is, rather than copied and patched in
    every process (a copy of every bitmap and sorted list: most of a worker's time under a few autosaves)."""
    changed = BitMap()
    for first, last in ranges:
        changed.add_range(first, last + 1)
    if changed & index.published:
        return True
    # The states of the changed sheets, read by their ids: asked for `state = 'published'` in SQL, SQLite's planner
    # walks the whole index of published sheets (100,000 entries) instead of seeking these few ids.
    with connection.cursor() as cursor:
        for first, last in ranges:
            cursor.execute("SELECT state FROM actions_action WHERE id BETWEEN %s AND %s", [first, last])
            if any(state == ActionState.PUBLISHED for (state,) in cursor.fetchall()):
                return True
    return False


def changes_since(seen: tuple[int, str]) -> list[tuple[int, int]] | None:
    """Ranges of sheets changed after `seen`; None when the log no longer shows what `seen` saw."""
    rows = list(
        IndexChange.objects.filter(id__gte=seen[0]).order_by("id").values_list("id", "token", "first_action_id",
                                                                               "last_action_id")
    )  # fmt: skip
    if not rows or (rows[0][0], rows[0][1]) != seen:
        return None
    ranges = []
    for _, _, first, last in rows[1:]:
        if first is None:
            return None
        ranges.append((first, last))
    return merged(ranges)


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The same sheets in as few ranges as possible, in order. A draft autosaved every few seconds logs the
    same sheet over and over: each reader of the log would otherwise read it again once per save."""
    runs: list[list[int]] = []
    for first, last in sorted(ranges):
        if runs and first <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    return [(first, last) for first, last in runs]


def load_index(change: tuple[int, str]) -> FacetIndex:
    index = FacetIndex(BitMap(), _empty_facets(), {}, {}, change)
    _load_sheets(index, None)
    for name in ORDERS:
        index.order(name)
    return index


def _patched(index: FacetIndex, ranges: list[tuple[int, int]], latest: tuple[int, str]) -> FacetIndex:
    """A copy of `index` where the sheets of `ranges` are read again (readers keep the old copy)."""
    changed = BitMap()
    for first, last in ranges:
        changed.add_range(first, last + 1)
    facets = {}
    for name, facet in index.facets.items():
        copy = Facet(dict(facet.labels), {}, dict(facet.lookup), dict(facet.values))
        copy.sheets = {key: sheets - changed for key, sheets in facet.sheets.items()}
        facets[name] = copy
    patched = FacetIndex(index.published - changed, facets, dict(index.title_keys), dict(index.published_keys), latest)
    for pk in changed & index.published:
        patched.title_keys.pop(pk, None)
        patched.published_keys.pop(pk, None)
    _refresh_labels(patched)
    _load_sheets(patched, ranges)
    patched.patch_orders(index, changed)
    return patched


def _empty_facets() -> dict[str, Facet]:
    facets = {name: Facet() for name in ("keyword", "public", "dimension", "status", "initiative", "territory",
                                         "partner", "department", "region", "kind", "year")}  # fmt: skip
    for kind in StructureKind:
        facets["kind"].add(kind.value, kind.label, kind.value)
    return facets


def _refresh_labels(index: FacetIndex) -> None:
    """Labels of the closed lists and territories, read fresh (they are few, and may have been renamed)."""
    models = {name: LIST_RELATIONS[relation][0]._meta.get_field("item").related_model
              for name, relation in LIST_FACETS.items()}  # fmt: skip
    models.update(status=ActionStatus, territory=Territory)
    for name, model in models.items():
        facet = index.facets[name]
        facet.labels.clear()
        facet.lookup.clear()
        facet.values.clear()
        for pk, label in model.objects.order_by("position", "label").values_list("id", "label"):
            facet.add(pk, label)
    for name, model in (("department", Department), ("region", Region)):
        facet = index.facets[name]
        facet.labels.clear()
        facet.lookup.clear()
        facet.values.clear()
        for pk, code, label in model.objects.order_by("code").values_list("id", "code", "name"):
            facet.add(pk, label, code)


def _load_sheets(index: FacetIndex, ranges: list[tuple[int, int]] | None) -> None:
    if ranges is None:
        _refresh_labels(index)
    where, params = _range_condition(ranges)
    pending: dict[str, dict[object, list[int]]] = defaultdict(lambda: defaultdict(list))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.title, a.published_at, a.status_id, a.territory_id, a.year, s.kind, s.department_id, "
            "d.region_id FROM actions_action a LEFT JOIN structures_structure s ON s.id = a.structure_id "
            f"LEFT JOIN referentials_department d ON d.id = s.department_id WHERE a.state = 'published'{where}",
            params,
        )
        published = []
        for pk, title, published_at, status, territory, year, kind, department, region in cursor.fetchall():
            published.append(pk)
            index.title_keys[pk] = fold(title)
            index.published_keys[pk] = _timestamp(published_at)
            for name, key in (("status", status), ("territory", territory), ("year", year), ("kind", kind),
                              ("department", department), ("region", region)):  # fmt: skip
                if key is not None and key != "":
                    pending[name][key].append(pk)
        index.published |= BitMap(published)
        for name, relation in LIST_FACETS.items():
            through = LIST_RELATIONS[relation][0]._meta.db_table
            cursor.execute(
                f"SELECT l.action_id, l.item_id FROM {through} l JOIN actions_action a ON a.id = l.action_id "
                f"WHERE a.state = 'published'{where.replace('a.id', 'l.action_id')}",
                params,
            )
            for pk, item in cursor.fetchall():
                pending[name][item].append(pk)
    for name, values in pending.items():
        facet = index.facets[name]
        for key, ids in values.items():
            facet.bitmap(key).update(ids)
            if name == "year" and key not in facet.labels:
                facet.add(key, str(key))
    _sort_years(index.facets["year"])


def _sort_years(facet: Facet) -> None:
    facet.labels = dict(sorted(facet.labels.items(), reverse=True))


def _range_condition(ranges: list[tuple[int, int]] | None) -> tuple[str, list[int]]:
    if ranges is None:
        return "", []
    clauses = " OR ".join("a.id BETWEEN %s AND %s" for _ in ranges)
    return f" AND ({clauses})", [bound for pair in ranges for bound in pair]


def _timestamp(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value)).timestamp()
