"""One search interface, two backends: SQLite FTS5 (embedded default) and PostgreSQL full-text search.

The tables are created by this app's migrations. Index writes run on the caller's connection, so they
belong to the caller's transaction. Sheets are indexed by id: the text comes from the database itself
(`source.source_select`), after the sheet and its lists are written.
"""

import functools
import operator
import threading
import time
from collections.abc import Iterator, Sequence

from django.db import connection
from pyroaring import BitMap
from rapidfuzz import fuzz, process

from .analysis import stems, tokens
from .facets import INCREMENTAL_LIMIT, changes_since, facet_index
from .query import ParsedQuery, Term
from .source import INDEX_COLUMNS, WEIGHTS, source_select
from .vocabulary import indexed_terms

PG_CONFIG = "maillage_french"
# The vector of a title alone, as the GIN expression index of migration 0005 defines it.
TITLE_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, translate(title, '<>', '  '))"
COLUMNS = ", ".join(INDEX_COLUMNS)
RANK_ALL_LIMIT = 5_000
# Above this many title matches, they come most recent first rather than ranked.
RANK_TITLES_LIMIT = 2_000
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


def titles_first(matching, titles: list[int]) -> list[int]:
    """The matching sheets whose title matched, in the given order, then the others, most recent first."""
    found = matching if isinstance(matching, BitMap) else BitMap(matching)
    first = [pk for pk in titles if pk in found]
    return first + list(found - BitMap(first))[::-1]


class TermSetsBackend:
    """What both backends share: a query's matching sheets combined in memory from cached term sets.
    Subclasses give `_term_ids(cursor, term, first=None, last=None)`."""

    def _matching(self, cursor, parsed: ParsedQuery) -> BitMap:
        """The sheets matching the query, combined in memory from the sheets of each term."""
        groups = [functools.reduce(operator.or_, (self._term_sheets(cursor, term) for term in group))
                  for group in parsed.groups]  # fmt: skip
        found = functools.reduce(operator.and_, groups)
        for term in parsed.excluded:
            found = found - self._term_sheets(cursor, term)
        return found

    def _term_sheets(self, cursor, term: Term) -> BitMap:
        """The sheets holding a word (or one of its variants) or a phrase, kept per process: common words
        come back in many searches, and reading their long doclists is the main cost of a search
        (25–50 ms for a word most sheets hold on SQLite, 300–500 ms on PostgreSQL). After a change of
        the index, only the changed sheets are read again, unless too many changed."""
        key = (connection.settings_dict["NAME"], term)
        latest = _index_generation()
        with _vocabulary_lock:
            cached = _term_sheets.get(key)
        if cached is not None and cached[0] == latest:
            return cached[1]
        ranges = changes_since(cached[0]) if cached is not None else None
        if ranges is not None and sum(last - first + 1 for first, last in ranges) <= INCREMENTAL_LIMIT:
            found = cached[1].copy()
            for first, last in ranges:
                found.remove_range(first, last + 1)
                found.update(self._term_ids(cursor, term, first, last))
        else:
            found = BitMap(self._term_ids(cursor, term))
        with _vocabulary_lock:
            if len(_term_sheets) >= MAX_CACHED_TERMS:
                _term_sheets.clear()
            _term_sheets[key] = (latest, found)
        return found


class SQLiteBackend(TermSetsBackend):
    """A contentless FTS5 table: the text stays in the sheets' own table, not in a second copy, which
    halves what a big import writes. Removing a sheet means giving FTS5 the text it indexed."""

    table = "search_action_fts"
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

    def expand(self, word: str) -> list[str]:
        """Indexed words sharing the French stem of `word`, kept per process until the index changes."""
        key = (connection.settings_dict["NAME"], _index_generation(), word)
        with _vocabulary_lock:
            found = _expansions.get(key)
        if found is None:
            found = self._expand(word)
            with _vocabulary_lock:
                if len(_expansions) >= MAX_EXPANSIONS:
                    _expansions.clear()
                _expansions[key] = found
        return found

    def _expand(self, word: str) -> list[str]:
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
        candidates = indexed_terms().with_prefix(prefix)
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

        BM25 costs about 3 µs a sheet: ranking the 70,000 sheets holding a common word takes 200 ms.
        Past `RANK_ALL_LIMIT` matches, only the sheets whose title matches are ranked (in the small
        title index), and come first; the others follow, most recent id first.
        """
        with connection.cursor() as cursor:
            matching = self._matching(cursor, parsed)
            if not ranked:
                return list(matching)
            expression = self.expression(parsed)
            if len(matching) <= RANK_ALL_LIMIT:
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
        if len(titles) > RANK_TITLES_LIMIT:
            return titles[::-1]
        return self._ranked(cursor, self.title_table, expression, (1.0,))

    def _ranked(self, cursor, table: str, expression: str, weights) -> list[int]:
        weights = ", ".join(str(weight) for weight in weights)
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY bm25({table}, {weights})", [expression]
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


class PostgresBackend(TermSetsBackend):
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
        """Ids of the indexed sheets matching the query, best first when `ranked` (ts_rank with the
        weights; past `RANK_ALL_LIMIT` matches, title matches first, as `SQLiteBackend.match`)."""
        with connection.cursor() as cursor:
            matching = self._matching(cursor, parsed)
            if not ranked:
                return list(matching)
            if len(matching) <= RANK_ALL_LIMIT:
                # Ranked on the wanted words only (ts_rank gives odd weights to a negated part), reading
                # the matching sheets' vectors by primary key.
                wanted, params = self.tsquery(ParsedQuery(groups=parsed.groups))
                cursor.execute(
                    f"SELECT action_id FROM {self.table} WHERE action_id = ANY(%s) "
                    f"ORDER BY ts_rank(vector, ({wanted})) DESC, action_id",
                    [list(matching), *params],
                )
                return [row[0] for row in cursor.fetchall()]
            return titles_first(matching, self._title_matches(cursor, parsed))

    def _term_ids(self, cursor, term: Term, first: int | None = None, last: int | None = None) -> list[int]:
        query, params = self.tsquery(ParsedQuery(groups=((term,),)))
        sql = f"SELECT action_id FROM {self.table} WHERE vector @@ ({query})"
        if first is not None:
            sql, params = sql + " AND action_id BETWEEN %s AND %s", [*params, first, last]
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]

    def sample(self, parsed: ParsedQuery, limit: int) -> list[int]:
        """Some indexed sheets matching the query, without reading every match."""
        query, params = self.tsquery(parsed)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT action_id FROM {self.table}, (SELECT {query}) AS q(query) WHERE vector @@ q.query LIMIT %s",
                [*params, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def _title_matches(self, cursor, parsed: ParsedQuery) -> list[int]:
        """Sheets whose title holds any wanted word (GIN index on the titles' vectors): ranked, or most
        recent first when they are too many to rank quickly."""
        words, params = self.tsquery(ParsedQuery(groups=(tuple(t for group in parsed.groups for t in group),)))
        source = f"FROM actions_action, (SELECT {words}) AS q(query) WHERE {TITLE_VECTOR} @@ q.query"
        cursor.execute(f"SELECT id {source}", params)
        titles = [row[0] for row in cursor.fetchall()]
        if len(titles) > RANK_TITLES_LIMIT:
            return sorted(titles, reverse=True)
        cursor.execute(f"SELECT id {source} ORDER BY ts_rank({TITLE_VECTOR}, q.query) DESC, id", params)
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
        """Whether sheets hold the word or a word of its stem: the lexicon answers for the words of titles
        and summaries (a primary-key lookup), the index for the others."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {self.lexicon} WHERE word = %s)", [word])
            return cursor.fetchone()[0] or bool(self._term_sheets(cursor, Term((word,))))

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
# Query word → its indexed variants; reading them costs a scan of the vocabulary by prefix (10–30 ms
# for a common word). Keyed by the last change of the index, so that a new variant is found at once.
_expansions: dict = {}
MAX_EXPANSIONS = 5000
_term_sheets: dict = {}
MAX_CACHED_TERMS = 2000


def _index_generation() -> tuple[int, str]:
    return facet_index().change


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
        _expansions.clear()
        _term_sheets.clear()


def get_backend() -> SQLiteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"Base de données non prise en charge : {connection.vendor}")
