"""One search interface, two backends: SQLite FTS5 (embedded default) and PostgreSQL full-text search.

The tables are created by this app's migrations. Index writes run on the caller's connection, so they
belong to the caller's transaction.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

from .analysis import stems, tokens
from .documents import SearchDocument

# bm25 weights of the columns title, keywords, summary, body.
SQLITE_WEIGHTS = (10.0, 5.0, 2.0, 1.0)
PG_CONFIG = "maillage_french"
# Below this many documents, new words are found in Python; above, from the index's vocabulary.
_PYTHON_TERMS_LIMIT = 50


class SQLiteBackend:
    table = "search_action_fts"
    vocabulary = "search_action_vocab"
    terms_table = "search_term"

    def index(self, documents: Iterable[tuple[int, SearchDocument]], *, defer_terms: bool = False) -> None:
        rows = [(pk, doc.title, doc.keywords, doc.summary, doc.body) for pk, doc in documents]
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, title, keywords, summary, body) VALUES (%s, %s, %s, %s, %s)", rows
            )
        if defer_terms:
            return
        if len(rows) <= _PYTHON_TERMS_LIMIT:
            self._add_terms({word for row in rows for text in row[1:] for word in tokens(text)})
        else:
            self.sync_terms()

    def sync_terms(self) -> None:
        """Give a stem to every indexed word that has none yet (after bulk indexing)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT v.term FROM {self.vocabulary} v LEFT JOIN {self.terms_table} t ON t.term = v.term "
                "WHERE t.term IS NULL"
            )
            new_terms = [row[0] for row in cursor.fetchall()]
        self._insert_terms(new_terms)

    def _add_terms(self, words: set[str]) -> None:
        self._insert_terms(sorted(words))

    def _insert_terms(self, words: list[str]) -> None:
        if not words:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {self.terms_table} (term, stem) VALUES (%s, %s)",
                list(zip(words, stems(words), strict=True)),
            )

    def remove(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(pk,) for pk in ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")
            cursor.execute(f"DELETE FROM {self.terms_table}")

    def expand(self, word: str) -> list[str]:
        """Indexed words sharing the stem of `word` (the folded word itself included)."""
        folded = tokens(word)
        if not folded:
            return []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {self.terms_table} WHERE stem = %s ORDER BY term", [stems(folded[:1])[0]])
            variants = [row[0] for row in cursor.fetchall()]
        return sorted({folded[0], *variants})

    def search(self, query: str, limit: int = 100) -> list[int]:
        groups = [self.expand(word) for word in tokens(query)]
        groups = [group for group in groups if group]
        if not groups:
            return []
        match = " AND ".join("(" + " OR ".join(f'"{term}"' for term in group) + ")" for group in groups)
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

    def index(self, documents: Iterable[tuple[int, SearchDocument]], *, defer_terms: bool = False) -> None:
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

    def sync_terms(self) -> None:
        """PostgreSQL stems inside `to_tsvector`: nothing to do."""

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
