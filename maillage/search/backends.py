"""One search interface, two backends: SQLite FTS5 (embedded default) and PostgreSQL full-text search.

The tables are created by this app's migrations. Index writes run on the caller's connection, so they
belong to the caller's transaction. Sheets are indexed by id: the text comes from the database itself
(`source.source_select`), after the sheet and its lists are written.
"""

import threading
import time
from collections.abc import Iterator, Sequence

from django.db import connection
from rapidfuzz import fuzz, process

from .analysis import stems, tokens
from .query import ParsedQuery, Term
from .source import INDEX_COLUMNS, WEIGHTS, source_select

PG_CONFIG = "maillage_french"
COLUMNS = ", ".join(INDEX_COLUMNS)
RANK_ALL_LIMIT = 20_000
# Spelling suggestions: least similarity (0–100) of a candidate word.
MIN_SIMILARITY = 75
VOCABULARY_TTL = 600
# PostgreSQL counts sheets per word with one query each: only the first words of a sheet are weighed.
MAX_FREQUENCY_WORDS = 12


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
    vocabulary_table = "search_action_vocab"

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
                f"SELECT term FROM {self.vocabulary_table} WHERE term >= %s AND term < %s",
                [prefix, prefix + "\U0010ffff"],
            )
            candidates = [row[0] for row in cursor.fetchall()]
        variants = {term for term, term_stem in zip(candidates, stems(candidates), strict=True) if term_stem == stem}
        return sorted({folded_word, *variants})

    def expression(self, parsed: ParsedQuery) -> str:
        """The FTS5 query: each word stands for the indexed words of its stem."""
        expression = " AND ".join(
            "(" + " OR ".join(self._term(term) for term in group) + ")" for group in parsed.groups
        )
        for term in parsed.excluded:
            expression = f"({expression}) NOT {self._term(term)}"
        return expression

    def _term(self, term: Term) -> str:
        if term.phrase:
            return '"' + " ".join(term.words) + '"'
        return "(" + " OR ".join(f'"{variant}"' for variant in self.expand(term.words[0])) + ")"

    def match(self, parsed: ParsedQuery, *, ranked: bool) -> list[int]:
        """Ids of the indexed sheets matching the query, best first when `ranked`.

        BM25 costs about 3 µs a sheet: ranking 70,000 matches of a common word takes 200 ms. Past
        `RANK_ALL_LIMIT` matches, only the sheets matching in their title or keywords (the two heaviest
        columns) are ranked, and come first; the others follow, most recent id first.
        """
        expression = self.expression(parsed)
        with connection.cursor() as cursor:
            if not ranked:
                cursor.execute(f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s", [expression])
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s", [expression])
            if cursor.fetchone()[0] <= RANK_ALL_LIMIT:
                return self._ranked(cursor, expression)
            best = self._ranked(cursor, f"{{title keywords}} : ({expression})")
            cursor.execute(
                f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY rowid DESC", [expression]
            )
            seen = set(best)
            return best + [row[0] for row in cursor.fetchall() if row[0] not in seen]

    def _ranked(self, cursor, expression: str) -> list[int]:
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        cursor.execute(
            f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY bm25({self.table}, {weights})",
            [expression],
        )
        return [row[0] for row in cursor.fetchall()]

    def document_frequency(self, words: list[str]) -> dict[str, int]:
        """How many sheets hold each of these folded words."""
        if not words:
            return {}
        marks = ", ".join(["%s"] * len(words))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term, doc FROM {self.vocabulary_table} WHERE term IN ({marks})", words)
            return dict(cursor.fetchall())

    def knows(self, word: str) -> bool:
        """Whether sheets hold this folded word, or a word of the same stem."""
        return bool(self.document_frequency(self.expand(word)))

    def close_words(self, word: str, limit: int = 5) -> list[str]:
        """Indexed words spelt like `word`, closest first (those held by more sheets first when as close).

        Candidates share the first letter of `word`: counting the words of the vocabulary reads the
        doclists, most of a second for the whole vocabulary of 100,000 sheets, a few dozen milliseconds
        for one letter (kept ten minutes per process: suggestions need not follow every change).
        """
        vocabulary = _letter_vocabulary(self, word[:1])
        found = process.extract(word, vocabulary.keys(), scorer=fuzz.ratio, limit=limit, score_cutoff=MIN_SIMILARITY)
        found.sort(key=lambda item: (-round(item[1] / 5), -vocabulary[item[0]]))
        return [candidate for candidate, _, _ in found]

    def vocabulary(self, prefix: str) -> dict[str, int]:
        """Indexed words starting with `prefix`, and the number of sheets holding each."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, doc FROM {self.vocabulary_table} WHERE term >= %s AND term < %s",
                [prefix, prefix + "\U0010ffff"],
            )
            return {term: count for term, count in cursor.fetchall() if term.isalpha()}

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return cursor.fetchone()[0]


class PostgresBackend:
    table = "search_action_document"
    lexicon = "search_lexicon"
    # PostgreSQL has four weights: title A, keywords B, summary C, everything else D.
    # `translate` hides angle brackets from PostgreSQL's parser, which would otherwise take `<b>` or
    # `<script>` for tags and drop the words inside, where FTS5 indexes them.
    vector = " || ".join(
        f"setweight(to_tsvector('{PG_CONFIG}', translate({text}, '<>', '  ')), '{weight}')"
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
                self._fill_lexicon(first, last)

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
            cursor.execute(f"DELETE FROM {self.lexicon}")
        self._fill_lexicon()

    def match(self, parsed: ParsedQuery, *, ranked: bool) -> list[int]:
        query, params = self.tsquery(parsed)
        order = "ORDER BY ts_rank(vector, q.query) DESC, action_id" if ranked else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT action_id FROM {self.table}, (SELECT {query}) AS q(query) WHERE vector @@ q.query {order}",
                params,
            )
            return [row[0] for row in cursor.fetchall()]

    def tsquery(self, parsed: ParsedQuery) -> tuple[str, list[str]]:
        """The query as a tsquery expression, with the precedence of the parser: OR inside a group,
        AND between groups (PostgreSQL's `websearch_to_tsquery` binds AND tighter than OR)."""
        params: list[str] = []

        def term(item: Term) -> str:
            params.append(" ".join(item.words))
            function = "phraseto_tsquery" if item.phrase else "plainto_tsquery"
            return f"{function}('{PG_CONFIG}', %s)"

        groups = ["(" + " || ".join(term(item) for item in group) + ")" for group in parsed.groups]
        expression = " && ".join(groups)
        for item in parsed.excluded:
            expression = f"({expression} && !! {term(item)})"
        return expression, params

    def document_frequency(self, words: list[str]) -> dict[str, int]:
        """How many sheets hold each of these folded words (or words of the same stem)."""
        found = {}
        with connection.cursor() as cursor:
            for word in words[:MAX_FREQUENCY_WORDS]:
                cursor.execute(
                    f"SELECT count(*) FROM {self.table} WHERE vector @@ plainto_tsquery('{PG_CONFIG}', %s)", [word]
                )
                found[word] = cursor.fetchone()[0]
        return found

    def knows(self, word: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.table} WHERE vector @@ plainto_tsquery('{PG_CONFIG}', %s))",
                [word],
            )
            return cursor.fetchone()[0]

    def close_words(self, word: str, limit: int = 5) -> list[str]:
        """Words of the titles and summaries spelt like `word` (trigram similarity, GIN-indexed)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word FROM {self.lexicon} WHERE word %% %s ORDER BY similarity(word, %s) DESC, word LIMIT %s",
                [word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def _fill_lexicon(self, first: int | None = None, last: int | None = None) -> None:
        """Add the words of these sheets' titles and summaries (folded, not stemmed) to the lexicon.
        Words are never removed: a suggestion is only made if it finds sheets."""
        where = "" if first is None else f" WHERE id BETWEEN {int(first)} AND {int(last)}"
        documents = f"SELECT to_tsvector('simple', unaccent(concat_ws(' ', title, summary))) FROM actions_action{where}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.lexicon} (word) SELECT word FROM ts_stat(%s) WHERE word ~ '^[a-z]+$' "
                "ON CONFLICT DO NOTHING",
                [documents],
            )

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return cursor.fetchone()[0]


_vocabulary_lock = threading.Lock()
_vocabularies: dict = {}


def _letter_vocabulary(backend: SQLiteBackend, letter: str) -> dict[str, int]:
    key = (connection.settings_dict["NAME"], letter)
    with _vocabulary_lock:
        cached = _vocabularies.get(key)
        if cached and time.monotonic() - cached[0] < VOCABULARY_TTL:
            return cached[1]
    words = backend.vocabulary(letter)
    with _vocabulary_lock:
        _vocabularies[key] = (time.monotonic(), words)
    return words


def forget_vocabulary() -> None:
    with _vocabulary_lock:
        _vocabularies.clear()


def get_backend() -> SQLiteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Base de données non prise en charge : {connection.vendor}")
