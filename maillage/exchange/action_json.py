"""Action sheets as open-data records (the JSON format), read in batches of plain rows.

This is the one place that turns stored sheets into records: exports, snapshots for the history,
fingerprints and pages all go through `iter_action_records`. It reads values, not model instances,
so that exporting 100,000 sheets takes seconds, with a fixed number of queries per batch.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Value
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.text import slugify

from maillage.actions.models import LIST_RELATIONS, Action, ActionFile
from maillage.site_url import site_url

from .records import CONTENT_KEYS, TEXT_KEYS

BATCH_SIZE = 2000
ROW_FIELDS = (
    "id",
    *TEXT_KEYS,
    "year",
    "state",
    "structure_id",
    "probable_duplicate_of_id",
    "created_at",
    "updated_at",
    "structure__name",
    "structure__department__name",
    "structure__department__code",
    "structure__department__region__name",
    "status__label",
    "territory__label",
)


def iter_action_records(queryset=None, batch_size: int = BATCH_SIZE) -> Iterator[tuple[dict, dict]]:
    """`(row, record)` for each sheet of `queryset` (all sheets by default), in id order.

    `row` holds the stored values (`ROW_FIELDS`), `record` the open-data record.
    """
    queryset = Action.objects.all() if queryset is None else queryset
    batch: list[int] = []
    for pk in queryset.order_by("id").values_list("id", flat=True).iterator(chunk_size=batch_size):
        batch.append(pk)
        if len(batch) >= batch_size:
            yield from _records(batch)
            batch = []
    yield from _records(batch)


def action_records(ids: Iterable[int]) -> dict[int, dict]:
    """Records of the given sheets, by id."""
    return {row["id"]: record for row, record in _records(list(ids))}


def listed_records(ids: list[int]) -> list[dict]:
    """Open-data records of these sheets with their `id`, `url` and `year`, in the order of `ids`
    (the results of a search, as the open API and the list page give them)."""
    found = {
        row["id"]: {"id": row["id"], "url": action_url(row["id"], row["title"]), "year": row["year"], **record}
        for row, record in _records(list(ids))
    }
    return [found[pk] for pk in ids if pk in found]


def _records(ids: list[int]) -> Iterator[tuple[dict, dict]]:
    if not ids:
        return
    rows = _rows(ids)
    lists = _lists(ids)
    files = lists.pop("files")
    for row in rows:
        pk = row["id"]
        record = {key: row[key] for key in TEXT_KEYS}
        name = row["structure__name"]
        record["structure"] = None if name is None else {"name": name, "department": row["structure__department__name"]}
        record["status"] = row["status__label"]
        record["territory"] = row["territory__label"]
        for key, labels in lists.items():
            record[key] = labels.get(pk, [])
        record["files"] = files.get(pk, [])
        yield row, {key: record[key] for key in CONTENT_KEYS}


def _lists(ids: list[int]) -> dict[str, dict[int, list[str]]]:
    """The labels of every list of these sheets, and their files' names (`files`), by sheet in the sheets' order:
    one query for all of them (a search page asked six; under load each round trip waits for the database)."""
    alias = router.db_for_read(ActionFile)
    sql, slots = _lists_sql(alias, connections[alias].vendor, len(ids))
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [ids[slot] if isinstance(slot, int) else slot.value for slot in slots])
        rows = cursor.fetchall()
    grouped: dict[str, dict[int, list[str]]] = {key: defaultdict(list) for key in [*LIST_RELATIONS, "files"]}
    for key, action_id, _, _, label in sorted(rows, key=lambda row: row[:4]):
        grouped[key][action_id].append(label)
    return grouped


def _rows(ids: list[int]) -> list[dict]:
    """`Action.objects.filter(id__in=ids).order_by("id").values(*ROW_FIELDS)`, its SQL built once per number of ids
    (building it took as long as running it: a list page, a sheet page and the API ask for it at each request)."""
    alias = router.db_for_read(Action)
    connection = connections[alias]
    sql, slots, converters = _rows_sql(alias, connection.vendor, len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids[slot] if isinstance(slot, int) else slot.value for slot in slots])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                values[position] = function(values[position], expression, connection)
        found.append(dict(zip(ROW_FIELDS, values, strict=True)))
    return found


@functools.lru_cache(maxsize=64)
def _rows_sql(alias: str, vendor: str, count: int) -> tuple[str, tuple, dict]:
    """The SQL of `_rows` for `count` ids, where each parameter comes from, and the ORM's converters of its
    columns (dates read from SQLite's text, for instance)."""
    markers = [-1 - position for position in range(count)]
    compiler = Action.objects.filter(id__in=markers).order_by("id").values(*ROW_FIELDS).query.get_compiler(alias)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return sql, _slots(params), converters


@dataclass(frozen=True)
class _Fixed:
    value: object


@functools.lru_cache(maxsize=64)
def _lists_sql(alias: str, vendor: str, count: int) -> tuple[str, tuple]:
    """The SQL of `_lists` for `count` sheets, and where each parameter comes from (the index of a sheet id,
    or a fixed value): built by the ORM once per size, not at every page (six querysets and their union
    cost the ORM eight times the query itself)."""
    markers = [-1 - position for position in range(count)]  # no stored id is negative
    parts = [
        through.objects.filter(action_id__in=markers)
        .order_by()
        .values_list(Value(key), "action_id", "position", "id", "item__label")
        for key, (through, _) in LIST_RELATIONS.items()
    ]
    files = ActionFile.objects.filter(action_id__in=markers).order_by()
    parts.append(files.values_list(Value("files"), "action_id", "position", "id", "name"))
    query = parts[0].union(*parts[1:], all=True).query
    sql, params = query.get_compiler(alias).as_sql()
    return sql, _slots(params)


def _slots(params) -> tuple:
    """Where each parameter of SQL built with negative markers for the ids comes from: the position of an id, or a
    fixed value."""
    return tuple(
        -1 - param if isinstance(param, int) and not isinstance(param, bool) and param < 0 else _Fixed(param)
        for param in params
    )


def action_url(pk: int, title: str) -> str:
    slug = slugify(title)[:80] or "fiche"
    return _url_pattern(site_url(), get_script_prefix(), get_urlconf()).format(pk=pk, slug=slug)


def action_path(pk: int, title: str) -> str:
    """The site-relative link of a sheet (`reverse` once, not for each sheet of a page)."""
    slug = slugify(title)[:80] or "fiche"
    return _url_pattern("", get_script_prefix(), get_urlconf()).format(pk=pk, slug=slug)


@functools.lru_cache(maxsize=8)
def _url_pattern(base_url: str, script_prefix: str, urlconf) -> str:
    """The sheet URL with `{pk}` and `{slug}` to fill: reversing once, not once per sheet of an export
    (a fifth of the time of exporting 100,000 sheets)."""
    path = reverse("www:action-detail", kwargs={"pk": 123456789, "slug": "slug-marker"})
    return base_url + path.replace("123456789", "{pk}").replace("slug-marker", "{slug}")


def action_export(row: dict, record: dict) -> dict:
    """The record plus what identifies the sheet on the platform."""
    return {
        "id": row["id"],
        **record,
        "year": row["year"],
        "state": row["state"],
        "url": action_url(row["id"], row["title"]),
        "structure_id": row["structure_id"],
        "probable_duplicate_of": row["probable_duplicate_of_id"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }
