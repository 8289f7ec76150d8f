"""Replace a slice of a table by new rows, writing only what differs.

A figures refresh recomputes about 50,000 aggregate rows (21 MB of JSON) for a year, and after one validation all but
a few hundred come out the same. Deleting and inserting them all made the database write 40 MB every time (most of
a refresh's wall clock on SQLite, where each page also goes through the WAL). `sync_rows` loads the new rows into a
temporary table and lets the database compare them with the stored ones: rows that changed are updated, new ones
inserted, vanished ones deleted; equal rows are not touched. The comparison runs in the database (PostgreSQL compares
`jsonb` values, SQLite the stored text), inside the caller's transaction: readers see the old slice or the new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

TEMPORARY = "rowsync_fresh"


@dataclass(frozen=True)
class Written:
    inserted: int
    updated: int
    deleted: int


def sync_rows(
    model,
    where: tuple[str, object],
    keys: Sequence[str],
    values: Sequence[str],
    rows: Sequence[tuple],
    stamp: tuple[str, object] | None = None,
) -> Written:
    """Make the rows of `model` whose field `where[0]` equals `where[1]` exactly `rows` (tuples of the `keys` then
    the `values` fields, database-ready), matched on `keys`; `stamp` (field, value) is set on the rows written.
    Run it inside a transaction."""
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    where_column, where_value = column(where[0]), where[1]
    key_columns, value_columns = [column(k) for k in keys], [column(v) for v in values]
    fresh = quote(TEMPORARY)
    match = " AND ".join(f"m.{c} = f.{c}" for c in key_columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
        listed = ", ".join(key_columns + value_columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {fresh} AS SELECT {listed} FROM {table} WHERE 1 = 0")
        _load(cursor, fresh, listed, rows)
        cursor.execute(f"CREATE INDEX {quote(TEMPORARY + '_keys')} ON {fresh} ({', '.join(key_columns)})")
        stamped = [] if stamp is None else [(column(stamp[0]), stamp[1])]
        assignments = ", ".join([f"{c} = f.{c}" for c in value_columns] + [f"{c} = %s" for c, _ in stamped])
        differs = " OR ".join(f"m.{c} <> f.{c}" for c in value_columns)
        cursor.execute(
            f"UPDATE {table} AS m SET {assignments} FROM {fresh} AS f "
            f"WHERE m.{where_column} = %s AND {match} AND ({differs})",
            [*(v for _, v in stamped), where_value],
        )
        updated = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {table} WHERE {where_column} = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {fresh} AS f WHERE {' AND '.join(f'{table}.{c} = f.{c}' for c in key_columns)})",
            [where_value],
        )
        deleted = cursor.rowcount
        targets = ", ".join([where_column, *key_columns, *value_columns, *(c for c, _ in stamped)])
        chosen = ", ".join(["%s", *(f"f.{c}" for c in key_columns + value_columns), *("%s" for _ in stamped)])
        cursor.execute(
            f"INSERT INTO {table} ({targets}) SELECT {chosen} FROM {fresh} AS f WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} AS m WHERE m.{where_column} = %s AND {match})",
            [where_value, *(v for _, v in stamped), where_value],
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {fresh}")
    return Written(inserted, updated, deleted)


def _load(cursor, fresh: str, listed: str, rows: Sequence[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {fresh} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO {fresh} VALUES ({placeholders})", rows)
