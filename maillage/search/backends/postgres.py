"""The PostgreSQL backend: a weighted tsvector per sheet (GIN-indexed) of its folded words, a tsvector of its title
alone (GIN-indexed), and the lexicon of every indexed word (the vocabulary query words are expanded from, and trigram
spelling suggestions).

The words are split and folded as FTS5 does on SQLite, neither stemmed nor left out (ADR 003): query words stand
for the indexed words of their search key, computed in Python for both backends (`base.TermSetsBackend.expand`).
"""

from collections.abc import Sequence

from django.db import connection
from pyroaring import BitMap

from ..query import ParsedQuery, Term
from ..source import INDEX_COLUMNS, source_select
from ..vocabulary import indexed_terms
from . import base  # the ranking limits are read at call time (tests lower them)
from .base import TermSetsBackend, id_ranges, titles_first

# `simple` after `unaccent`: lower case, no accents (migration 0006).
PG_CONFIG = "maillage_folded"
# The characters FTS5's tokenizer keeps in words, for the scripts a French bank meets: ASCII letters and digits,
# Latin letters with diacritics, Greek, Cyrillic. Every other character becomes a space before PostgreSQL's parser
# reads the text, whatever the server's locale: the parser would take `spectacle.Développer` for a file name,
# `jeunes.Les` for a host name, `contact@site.fr` for an address, `<b>` for a tag, and never index their words.
WORD_CHARACTERS = "0-9A-Za-zªµºÀ-ÖØ-öø-ɏΆ-ϿЀ-ӿḀ-ỿ"


def words_only(text: str) -> str:
    """SQL: the text expression `text` with every run of non-word characters replaced by a space."""
    return f"regexp_replace({text}, '[^{WORD_CHARACTERS}]+', ' ', 'g')"


def title_vector(column: str) -> str:
    """SQL: the vector of a title alone (`search_action_document.title_vector`, GIN-indexed: migration 0007)."""
    return f"to_tsvector('{PG_CONFIG}'::regconfig, {words_only(column)})"


# PostgreSQL counts the sheets of each word through the GIN index (a subquery each): only the first words of a sheet
# are weighed.
MAX_FREQUENCY_WORDS = 12


def lexemes(words: Sequence[str]) -> str:
    """A tsquery matching any of these indexed words, written as tsquery input (no dictionary applied)."""
    return " | ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)


# A word written between two fields, then deleted from the vector: its position stays empty, so that a phrase
# never runs from the end of a field into the next (FTS5 keeps each field in a column of its own).
FIELD_END = "zzmaillagefieldendzz"


def _vector() -> str:
    """The vector of a sheet, from the columns of `source.source_select`. PostgreSQL has four weights:
    title A, keywords B, summary C, everything else D."""
    fields = [
        (f"concat_ws(' ', {column}, '{FIELD_END}')", weight)
        for column, weight in zip(INDEX_COLUMNS[:3], "ABC", strict=True)
    ]
    fields.append((f"concat_ws(' {FIELD_END} ', " + ", ".join(INDEX_COLUMNS[3:]) + ")", "D"))
    weighted = " || ".join(
        f"setweight(to_tsvector('{PG_CONFIG}', {words_only(text)}), '{weight}')" for text, weight in fields
    )
    return f"ts_delete({weighted}, '{FIELD_END}')"


def gin_index_only(cursor, sql: str, params: Sequence) -> list[tuple]:
    """The rows of `sql`, a query on a word's sheets, read from the GIN index, never by a sequential scan.

    For a word most sheets hold, the planner prefers reading the table, which decompresses every (TOASTed)
    vector to test it: about 0.9 s at 100,000 sheets, where the index gives the same ids in 60 ms (its entries
    need no recheck). This is most of the cost of a word searched for the first time (docs/benchmarks.md).
    The setting is changed and restored in the same round trip as the query (three statements in one: under load
    each round trip waits for a database process to get a core); if the query fails, its implicit transaction, or
    the caller's, undoes the setting.
    """
    cursor.execute(f"SET enable_seqscan = off; {sql}; RESET enable_seqscan", params)
    cursor.nextset()  # the rows of the query, after the SET's empty result
    return cursor.fetchall()


class PostgresBackend(TermSetsBackend):
    table = "search_action_document"
    lexicon = "search_lexicon"
    vector = _vector()
    # Ranking reads each ranked sheet's vector: `match(within=…)` ranks only the sheets wanted.
    ranks_within = True

    def index(self, ids: Sequence[int]) -> None:
        """Add or refresh sheets in the index."""
        select = source_select("postgresql")
        with connection.cursor() as cursor:
            for first, last in id_ranges(ids):
                cursor.execute(
                    f"INSERT INTO {self.table} (action_id, vector, title_vector) "
                    f"SELECT id, {self.vector}, {title_vector('title')} FROM ({select} WHERE a.id BETWEEN %s AND %s) "
                    "source ON CONFLICT (action_id) DO UPDATE SET vector = EXCLUDED.vector, "
                    "title_vector = EXCLUDED.title_vector",
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
                f"INSERT INTO {self.table} (action_id, vector, title_vector) "
                f"SELECT id, {self.vector}, {title_vector('title')} FROM ({source_select('postgresql')}) source"
            )
            cursor.execute(f"DELETE FROM {self.lexicon}")
        self._fill_lexicon()

    def match(self, parsed: ParsedQuery, *, ranked: bool, within: BitMap | None = None) -> list[int]:
        """Ids of the indexed sheets matching the query, best first when `ranked` (ts_rank with the
        weights; past `RANK_ALL_LIMIT` matches, title matches first, as `SQLiteBackend.match`).

        `within`: only these sheets are wanted, and only they are ranked (each read costs its vector, about
        8 µs); which way the matches are ordered still depends on how many there are in all. Past the limit,
        every match comes back, as without `within`."""
        with connection.cursor() as cursor:
            matching = self._matching(cursor, parsed)
            if not ranked:
                return list(matching)
            if len(matching) <= base.RANK_ALL_LIMIT:
                wanted_ids = matching if within is None else matching & within
                if not wanted_ids:
                    return []
                # Ranked on the wanted words only (ts_rank gives odd weights to a negated part), reading
                # the matching sheets' vectors by primary key.
                wanted, params = self.tsquery(ParsedQuery(groups=parsed.groups))
                cursor.execute(
                    f"SELECT action_id FROM {self.table} WHERE action_id = ANY(%s) "
                    f"ORDER BY ts_rank(vector, ({wanted})) DESC, action_id",
                    [list(wanted_ids), *params],
                )
                return [row[0] for row in cursor.fetchall()]
            return titles_first(matching, self._title_matches(cursor, parsed))

    def _term_ids(self, cursor, term: Term, first: int | None = None, last: int | None = None) -> list[int]:
        query, params = self.tsquery(ParsedQuery(groups=((term,),)))
        sql = f"SELECT action_id FROM {self.table} WHERE vector @@ ({query})"
        if first is not None:
            sql, params = sql + " AND action_id BETWEEN %s AND %s", [*params, first, last]
        return [row[0] for row in gin_index_only(cursor, sql, params)]

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
        """Sheets whose title holds any wanted word (the titles' vectors kept in the index table, GIN-indexed):
        ranked, or most recent first when they are too many to rank quickly."""
        words, params = self.tsquery(ParsedQuery(groups=(tuple(t for group in parsed.groups for t in group),)))
        source = f"FROM {self.table}, (SELECT {words}) AS q(query) WHERE title_vector @@ q.query"
        cursor.execute(f"SELECT action_id {source}", params)
        titles = [row[0] for row in cursor.fetchall()]
        if len(titles) > base.RANK_TITLES_LIMIT:
            return sorted(titles, reverse=True)
        cursor.execute(f"SELECT action_id {source} ORDER BY ts_rank(title_vector, q.query) DESC, action_id", params)
        return [row[0] for row in cursor.fetchall()]

    def tsquery(self, parsed: ParsedQuery) -> tuple[str, list[str]]:
        """The query as a tsquery expression, with the precedence of the parser: OR inside a group,
        AND between groups (PostgreSQL's `websearch_to_tsquery` binds AND tighter than OR). A word stands
        for its indexed variants; a phrase for its folded words, adjacent."""
        params: list[str] = []

        def term(item: Term) -> str:
            if item.phrase:
                params.append(" ".join(item.words))
                return f"phraseto_tsquery('{PG_CONFIG}', {words_only('%s')})"
            params.append(lexemes(self.expand(item.words[0])))
            return "%s::tsquery"

        groups = ["(" + " || ".join(term(item) for item in group) + ")" for group in parsed.groups]
        expression = " && ".join(groups)
        for item in parsed.excluded:
            expression = f"({expression} && !! {term(item)})"
        return expression, params

    def document_frequency(self, words: list[str], at_most: int | None = None) -> dict[str, int]:
        """How many sheets hold each of these folded words (or words of the same search key), in one query;
        counted up to `at_most` when given (a word more sheets hold counts `at_most`).

        Counted from the GIN index: for a word most sheets hold the planner would read the table, decompressing
        every vector (0.36 s at 100,000 sheets, against 20 ms through the index, 10 ms up to 5,001). Under
        `make loadtest` these scans were most of what PostgreSQL did, and what the web processes waited for
        (docs/benchmarks.md)."""
        words = words[:MAX_FREQUENCY_WORDS]
        if not words:
            return {}
        matches = f"SELECT 1 FROM {self.table} WHERE vector @@ %s::tsquery"
        if at_most is not None:
            matches += f" LIMIT {int(at_most)}"
        counts = ", ".join(f"(SELECT count(*) FROM ({matches}) m)" for _ in words)
        with connection.cursor() as cursor:
            (row,) = gin_index_only(cursor, f"SELECT {counts}", [lexemes(self.expand(word)) for word in words])
            return dict(zip(words, row, strict=True))

    def knows(self, word: str) -> bool:
        """Whether the lexicon holds the word or a word of its search key (held in memory: no query)."""
        vocabulary = indexed_terms(self)
        return any(variant in vocabulary for variant in self.expand(word))

    def close_words(self, word: str, limit: int = 5) -> list[str]:
        """Indexed words spelt like `word` (trigram similarity, GIN-indexed), letters only."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT word FROM {self.lexicon} WHERE word %% %s AND word ~ '^[a-z]+$' "
                "ORDER BY similarity(word, %s) DESC, word LIMIT %s",
                [word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def all_words(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT word FROM {self.lexicon}")
            return [row[0] for row in cursor.fetchall()]

    def words_of(self, ranges: list[tuple[int, int]]) -> set[str]:
        """The indexed words of these sheets, read from their vectors."""
        words = set()
        with connection.cursor() as cursor:
            for first, last in ranges:
                cursor.execute(
                    f"SELECT DISTINCT unnest(tsvector_to_array(vector)) FROM {self.table} "
                    "WHERE action_id BETWEEN %s AND %s",
                    [first, last],
                )
                words.update(row[0] for row in cursor.fetchall())
        return words

    def _fill_lexicon(self, first: int | None = None, last: int | None = None) -> None:
        """Add the words of these sheets' vectors to the lexicon. Words are never removed: a word no sheet holds
        any more matches nothing, and a suggestion is only made if it finds sheets."""
        where = "" if first is None else f" WHERE action_id BETWEEN {int(first)} AND {int(last)}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.lexicon} (word) SELECT word FROM ts_stat(%s) ON CONFLICT DO NOTHING",
                [f"SELECT vector FROM {self.table}{where}"],
            )

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return cursor.fetchone()[0]
