"""The SQLite backend: a contentless FTS5 table of the sheets' text and a small one of their titles; query words
are expanded to the indexed words of their search key (`base`), spelling suggestions come from the FTS5 vocabulary."""

import itertools
import time
from collections.abc import Sequence

from django.db import connection
from rapidfuzz import fuzz, process

from ..analysis import tokens, unaccented
from ..query import ParsedQuery, Term
from ..source import INDEX_COLUMNS, WEIGHTS, source_select
from ..vocabulary import indexed_terms
from . import base  # the ranking limits are read at call time (tests lower them)
from .base import TermSetsBackend, _vocabularies, _vocabulary_lock, id_ranges, titles_first

COLUMNS = ", ".join(INDEX_COLUMNS)
# Spelling suggestions: least similarity (0–100) of a candidate word.
MIN_SIMILARITY = 75
VOCABULARY_TTL = 600
MAX_PHRASE_SPELLINGS = 16


class SQLiteBackend(TermSetsBackend):
    """A contentless FTS5 table: the text stays in the sheets' own table, not in a second copy, which
    halves what a big import writes. Removing a sheet means giving FTS5 the text it indexed."""

    table = "search_action_fts"
    # FTS5 ranks in its index: the whole ranking of a query, kept, serves every choice of facets.
    ranks_within = False
    vocabulary_table = "search_action_vocab"
    # The titles alone, in a small index of their own: ranking the title matches of a common word reads
    # short doclists there, not the long ones of the whole text (see `match`).
    title_table = "search_title_fts"

    def index(self, ids: Sequence[int]) -> None:
        """Add sheets that are not in the index (a sheet indexed twice would count twice)."""
        self._insert(ids, command=None)

    def remove(self, ids: Sequence[int]) -> None:
        """Remove indexed sheets, while the database still holds the text they were indexed with."""
        self._insert(ids, command="delete")

    def _insert(self, ids: Sequence[int], *, command: str | None) -> None:
        select = source_select("sqlite")
        target, source = ("", "") if command is None else (f"{self.table}, ", f"'{command}', ")
        title_target = "" if command is None else f"{self.title_table}, "
        with connection.cursor() as cursor:
            for first, last in id_ranges(ids):
                cursor.execute(
                    f"INSERT INTO {self.table} ({target}rowid, {COLUMNS}) "
                    f"SELECT {source}id, {COLUMNS} FROM ({select} WHERE a.id BETWEEN %s AND %s)",
                    [first, last],
                )
                cursor.execute(
                    f"INSERT INTO {self.title_table} ({title_target}rowid, title) "
                    f"SELECT {source}id, title FROM actions_action WHERE id BETWEEN %s AND %s",
                    [first, last],
                )

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.table, self.title_table):
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
            cursor.execute(
                f"INSERT INTO {self.table} (rowid, {COLUMNS}) SELECT id, {COLUMNS} FROM ({source_select('sqlite')})"
            )
            cursor.execute(f"INSERT INTO {self.title_table} (rowid, title) SELECT id, title FROM actions_action")

    def all_words(self) -> list[str]:
        """Every indexed word (FTS5 folds them: lower case, no accents)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {self.vocabulary_table}")
            return [row[0] for row in cursor.fetchall()]

    def words_of(self, ranges: list[tuple[int, int]]) -> set[str]:
        """The words of these sheets, read from their text as FTS5 reads it."""
        select = source_select("sqlite")
        words = set()
        with connection.cursor() as cursor:
            for first, last in ranges:
                cursor.execute(f"SELECT {COLUMNS} FROM ({select} WHERE a.id BETWEEN %s AND %s)", [first, last])
                for row in cursor.fetchall():
                    words.update(word for text in row if text for word in tokens(text))
        return words

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
            return "(" + " OR ".join('"' + " ".join(words) + '"' for words in self._spellings(term.words)) + ")"
        return "(" + " OR ".join(f'"{variant}"' for variant in self.expand(term.words[0])) + ")"

    def _spellings(self, words: tuple[str, ...]) -> list[tuple[str, ...]]:
        """A phrase as the index may spell it: FTS5 keeps `cœur` where PostgreSQL's `unaccent` and the query
        may write `coeur` (ADR 003)."""
        vocabulary = indexed_terms(self)
        options = [sorted({word, *vocabulary.spellings(unaccented(word))}) for word in words]
        return list(itertools.islice(itertools.product(*options), MAX_PHRASE_SPELLINGS))

    def match(self, parsed: ParsedQuery, *, ranked: bool, within=None) -> list[int]:
        """Ids of the indexed sheets matching the query, best first when `ranked`; `within` (the sheets wanted)
        changes nothing here (`ranks_within`).

        BM25 costs about 3 µs a sheet: ranking the 70,000 sheets holding a common word takes 200 ms.
        Past `RANK_ALL_LIMIT` matches, only the sheets whose title matches are ranked (in the small
        title index), and come first; the others follow, most recent id first.
        """
        with connection.cursor() as cursor:
            matching = self._matching(cursor, parsed)
            if not ranked:
                return list(matching)
            expression = self.expression(parsed)
            if len(matching) <= base.RANK_ALL_LIMIT:
                return self._ranked(cursor, self.table, expression, WEIGHTS)
            return titles_first(matching, self._title_matches(cursor, expression))

    def _term_ids(self, cursor, term: Term, first: int | None = None, last: int | None = None) -> list[int]:
        """Sheets holding the term (FTS5 seeks the rowid range when one is given)."""
        sql, params = f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s", [self._term(term)]
        if first is not None:
            sql, params = sql + " AND rowid BETWEEN %s AND %s", [*params, first, last]
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]

    def sample(self, parsed: ParsedQuery, limit: int) -> list[int]:
        """Some indexed sheets matching the query (the most recent ids), without reading every match."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY rowid DESC LIMIT %s",
                [self.expression(parsed), limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def _title_matches(self, cursor, expression: str) -> list[int]:
        """Sheets whose title matches the query: ranked, or most recent first when they too are too many
        to rank quickly."""
        cursor.execute(f"SELECT rowid FROM {self.title_table} WHERE {self.title_table} MATCH %s", [expression])
        titles = [row[0] for row in cursor.fetchall()]
        if len(titles) > base.RANK_TITLES_LIMIT:
            return titles[::-1]
        return self._ranked(cursor, self.title_table, expression, (1.0,))

    def _ranked(self, cursor, table: str, expression: str, weights) -> list[int]:
        weights = ", ".join(str(weight) for weight in weights)
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY bm25({table}, {weights})", [expression]
        )
        return [row[0] for row in cursor.fetchall()]

    def document_frequency(self, words: list[str], at_most: int | None = None) -> dict[str, int]:
        """How many sheets hold each of these folded words (at most `at_most` when given, as on PostgreSQL)."""
        if not words:
            return {}
        marks = ", ".join(["%s"] * len(words))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term, doc FROM {self.vocabulary_table} WHERE term IN ({marks})", words)
            return {term: doc if at_most is None else min(doc, at_most) for term, doc in cursor.fetchall()}

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
