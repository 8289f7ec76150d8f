"""Counters shared by every worker and node, counted atomically: the per-address rate limits.

`hit(key, seconds)` adds one to a counter and returns its new value. On Django's database cache (the default)
the counter is a row of `maillage_rate_counter`, counted by one statement
(`INSERT … ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count`, SQLite ≥ 3.35 and PostgreSQL):
however many workers count the same key at once, each gets its own number, and the limit lets exactly its number
of requests through. `DatabaseCache.incr` would read then write (two workers may both read 4 and write 5). Other
caches count atomically themselves: Redis's INCR, the tests' in-memory cache under its lock.
"""

from __future__ import annotations

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import DEFAULT_DB_ALIAS, connections

from .models import RateCounter


def hit(key: str, seconds: int, *, cache: BaseCache | None = None) -> int:
    """Count one more for `key`, kept `seconds`; returns the count, this one included."""
    if cache is None or cache is default_cache:
        cache = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not the proxy `django.core.cache.cache`
    if isinstance(cache, DatabaseCache):
        return hit_table(key, seconds)
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def hit_table(key: str, seconds: int) -> int:
    now = int(time.time())
    # The primary, without asking the router: a count is not data the request reads back, so it must not end the
    # replica reads of an anonymous page (ops/replica.py), as a write through the router does.
    connection = connections[DEFAULT_DB_ALIAS]
    table, key_, count, expires = map(
        connection.ops.quote_name, (RateCounter._meta.db_table, "key", "count", "expires")
    )
    expired = f"{table}.{expires} <= %s"
    with connection.cursor() as cursor:
        # A counter past its time starts again at 1 (a key reused after its window).
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {count}, {expires}) VALUES (%s, 1, %s) ON CONFLICT ({key_}) DO UPDATE SET "
            f"{count} = CASE WHEN {expired} THEN 1 ELSE {table}.{count} + 1 END, "
            f"{expires} = CASE WHEN {expired} THEN excluded.{expires} ELSE {table}.{expires} END RETURNING {count}",
            [key, now + seconds, now, now],
        )  # noqa: S608 - the model's table and columns
        (value,) = cursor.fetchone()
        if value == 1:  # a new counter: forget those of past windows (an indexed delete, once per key and window)
            cursor.execute(f"DELETE FROM {table} WHERE {expires} <= %s", [now])  # noqa: S608
    return value
