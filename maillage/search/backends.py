"""One search interface, two backends: SQLite FTS5 (embedded default) and PostgreSQL full-text search.

The tables are created by this app's migrations. Index writes run on the caller's connection, so they
belong to the caller's transaction.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

from .analysis import analyze, terms
from .documents import SearchDocument

# bm25 weights of the columns title, keywords, summary, body.
SQLITE_WEIGHTS = (10.0, 5.0, 2.0, 1.0)
PG_CONFIG = "maillage_french"


class SQLiteBackend:
    table = "search_action_fts"

    def index(self, documents: Iterable[tuple[int, SearchDocument]]) -> None:
        rows = [
            (pk, analyze(doc.title), analyze(doc.keywords), analyze(doc.summary), analyze(doc.body))
            for pk, doc in documents
        ]
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, title, keywords, summary, body) VALUES (%s, %s, %s, %s, %s)", rows
            )

    def remove(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(pk,) for pk in ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")

    def search(self, query: str, limit: int = 100) -> list[int]:
        words = terms(query)
        if not words:
            return []
        match = " AND ".join(f'"{word}"' for word in words)
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY bm25({self.table}, {weights}) "
                "LIMIT %s",
                [match, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return cursor.fetchone()[0]


class PostgresBackend:
    table = "search_action_document"

    def index(self, documents: Iterable[tuple[int, SearchDocument]]) -> None:
        rows = [(pk, doc.title, doc.keywords, doc.summary, doc.body) for pk, doc in documents]
        if not rows:
            return
        vector = " || ".join(
            f"setweight(to_tsvector('{PG_CONFIG}', %s), '{weight}')" for weight in ("A", "B", "C", "D")
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} (action_id, vector) VALUES (%s, {vector}) "
                "ON CONFLICT (action_id) DO UPDATE SET vector = EXCLUDED.vector",
                rows,
            )

    def remove(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE action_id = ANY(%s)", [list(ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.table}")

    def search(self, query: str, limit: int = 100) -> list[int]:
        if not query.strip():
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT action_id FROM {self.table}, websearch_to_tsquery('{PG_CONFIG}', %s) query "
                "WHERE vector @@ query ORDER BY ts_rank(vector, query) DESC, action_id LIMIT %s",
                [query, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return cursor.fetchone()[0]


def get_backend() -> SQLiteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Base de données non prise en charge : {connection.vendor}")
