"""One search interface, two backends: SQLite FTS5 (embedded default) and PostgreSQL full-text search.

The tables are created by this app's migrations. Index writes run on the caller's connection, so they
belong to the caller's transaction. Sheets are indexed by id: the text comes from the database itself
(`source.source_select`), after the sheet and its lists are written.
"""

from collections.abc import Iterator, Sequence

from django.db import connection

from .analysis import stems, tokens
from .source import INDEX_COLUMNS, WEIGHTS, source_select

PG_CONFIG = "maillage_french"
COLUMNS = ", ".join(INDEX_COLUMNS)


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


class SQLiteBackend:
    """A contentless FTS5 table: the text stays in the sheets' own table, not in a second copy, which
    halves what a big import writes. Removing a sheet means giving FTS5 the text it indexed."""

    table = "search_action_fts"
    vocabulary = "search_action_vocab"

    def index(self, ids: Sequence[int]) -> None:
        """Add sheets that are not in the index (a sheet indexed twice would count twice)."""
        self._insert(ids, command=None)

    def remove(self, ids: Sequence[int]) -> None:
        """Remove indexed sheets, while the database still holds the text they were indexed with."""
        self._insert(ids, command="delete")

    def _insert(self, ids: Sequence[int], *, command: str | None) -> None:
        select = source_select("sqlite")
        target, source = ("", "") if command is None else (f"{self.table}, ", f"'{command}', ")
        with connection.cursor() as cursor:
            for first, last in id_ranges(ids):
                cursor.execute(
                    f"INSERT INTO {self.table} ({target}rowid, {COLUMNS}) "
                    f"SELECT {source}id, {COLUMNS} FROM ({select} WHERE a.id BETWEEN %s AND %s)",
                    [first, last],
                )

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.table} ({self.table}) VALUES ('delete-all')")
            cursor.execute(
                f"INSERT INTO {self.table} (rowid, {COLUMNS}) SELECT id, {COLUMNS} FROM ({source_select('sqlite')})"
            )

    def expand(self, word: str) -> list[str]:
        """Indexed words sharing the French stem of `word` (the folded word itself included).

        Stems are nearly always a prefix of the word, but not quite (`chevaux` → `cheval`): candidates are
        the indexed words sharing a slightly shorter prefix, kept when their stem is the same.
        """
        folded = tokens(word)
        if not folded:
            return []
        folded_word = folded[0]
        stem = stems([folded_word])[0]
        if len(stem) < 4:
            return sorted({folded_word, stem})
        prefix = stem[: max(3, len(stem) - 2)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term FROM {self.vocabulary} WHERE term >= %s AND term < %s", [prefix, prefix + "\U0010ffff"]
            )
            candidates = [row[0] for row in cursor.fetchall()]
        variants = {term for term, term_stem in zip(candidates, stems(candidates), strict=True) if term_stem == stem}
        return sorted({folded_word, *variants})

    def search(self, query: str, limit: int = 100) -> list[int]:
        groups = [self.expand(word) for word in tokens(query)]
        groups = [group for group in groups if group]
        if not groups:
            return []
        match = " AND ".join("(" + " OR ".join(f'"{term}"' for term in group) + ")" for group in groups)
        weights = ", ".join(str(weight) for weight in WEIGHTS)
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
    # PostgreSQL has four weights: title A, keywords B, summary C, everything else D.
    vector = " || ".join(
        f"setweight(to_tsvector('{PG_CONFIG}', {text}), '{weight}')"
        for text, weight in (
            ("title", "A"),
            ("keywords", "B"),
            ("summary", "C"),
            ("concat_ws(' ', " + ", ".join(INDEX_COLUMNS[3:]) + ")", "D"),
        )
    )

    def index(self, ids: Sequence[int]) -> None:
        """Add or refresh sheets in the index."""
        select = source_select("postgresql")
        with connection.cursor() as cursor:
            for first, last in id_ranges(ids):
                cursor.execute(
                    f"INSERT INTO {self.table} (action_id, vector) "
                    f"SELECT id, {self.vector} FROM ({select} WHERE a.id BETWEEN %s AND %s) source "
                    "ON CONFLICT (action_id) DO UPDATE SET vector = EXCLUDED.vector",
                    [first, last],
                )

    def remove(self, ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE action_id = ANY(%s)", [list(ids)])

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")
            cursor.execute(
                f"INSERT INTO {self.table} (action_id, vector) "
                f"SELECT id, {self.vector} FROM ({source_select('postgresql')}) source"
            )

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
