"""One search interface, two backends: SQLite FTS5 (embedded default) and PostgreSQL full-text search.

The tables are created by this app's migrations. Index writes run on the caller's connection, so they
belong to the caller's transaction. Sheets are indexed by id: the text comes from the database itself
(`source.source_select`), after the sheet and its lists are written.

This package picks the backend of the connection (`get_backend`); `base.py` holds what both share (term sets
combined in memory, the per-process caches), `sqlite.py` and `postgres.py` one backend each.
"""

from django.db import connection

from .base import TermSetsBackend, forget_vocabulary, id_ranges
from .postgres import PostgresBackend, title_vector
from .sqlite import SQLiteBackend

__all__ = [
    "title_vector",
    "PostgresBackend",
    "SQLiteBackend",
    "TermSetsBackend",
    "forget_vocabulary",
    "get_backend",
    "id_ranges",
]


def get_backend() -> SQLiteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Base de données non prise en charge : {connection.vendor}")
