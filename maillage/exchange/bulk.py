"""Fast inserts for imports of many rows: ids allocated up front, then plain `executemany`.

`bulk_create` spends most of its time preparing each value of each model instance; imports already
hold clean values, so they write rows as tuples.
"""

from collections.abc import Sequence

from django.db import connection


def allocate_ids(model, count: int) -> list[int]:
    """Reserve `count` primary keys for `model`, never reusing the key of a deleted row."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the caller's write transaction holds the database lock, so nobody else takes these ids.
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert_rows(model, fields: Sequence[str], rows: list[tuple]) -> None:
    """Insert `rows` (tuples of database-ready values in the order of `fields`) into `model`'s table.

    PostgreSQL gets them through COPY, many times faster than one INSERT per row.
    """
    if not rows:
        return
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {meta.db_table} ({columns}) VALUES ({placeholders})", rows)


def db_datetime(value):
    """A datetime as the database stores it (the raw cursor does not convert values itself)."""
    return connection.ops.adapt_datetimefield_value(value)
