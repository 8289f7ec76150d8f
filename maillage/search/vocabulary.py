"""The words of the embedded index, sorted, held in memory per process (SQLite only).

A query word stands for the indexed words of its stem (`backends.SQLiteBackend.expand`): finding them
means listing the indexed words of a prefix. FTS5's `fts5vocab` table can list them, but it counts the
sheets of each word while it does, reading their doclists: 10 to 30 ms for a common prefix. This list is
read from it once (under a second for 100,000 sheets), then follows the log of changes like the facet
index: the words of changed sheets are read from their text and added (words that disappear stay,
harmlessly: they match nothing).
"""

import bisect
import threading
from dataclasses import dataclass

from django.db import connection

from .analysis import tokens
from .facets import INCREMENTAL_LIMIT, changes_since, facet_index
from .source import INDEX_COLUMNS, source_select

VOCABULARY_TABLE = "search_action_vocab"


@dataclass
class Vocabulary:
    terms: list[str]
    change: tuple[int, str]

    def with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo=start)
        return self.terms[start:end]


_lock = threading.Lock()
_current: dict[str, Vocabulary] = {}


def indexed_terms() -> Vocabulary:
    """The vocabulary of the index, brought up to date with the log of changes."""
    database = connection.settings_dict["NAME"]
    latest = facet_index().change
    vocabulary = _current.get(database)
    if vocabulary is not None and vocabulary.change == latest:
        return vocabulary
    with _lock:
        vocabulary = _current.get(database)
        if vocabulary is None or vocabulary.change != latest:
            vocabulary = _refreshed(vocabulary, latest)
            _current[database] = vocabulary
    return vocabulary


def forget() -> None:
    with _lock:
        _current.clear()


def _refreshed(vocabulary: Vocabulary | None, latest: tuple[int, str]) -> Vocabulary:
    ranges = changes_since(vocabulary.change) if vocabulary is not None else None
    if ranges is None or sum(last - first + 1 for first, last in ranges) > INCREMENTAL_LIMIT:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {VOCABULARY_TABLE}")
            return Vocabulary(sorted(row[0] for row in cursor.fetchall()), latest)
    known = set(vocabulary.terms)
    new = {word for text in _texts(ranges) for word in tokens(text)} - known
    return Vocabulary(sorted(known | new) if new else vocabulary.terms, latest)


def _texts(ranges: list[tuple[int, int]]):
    """The indexed text of the changed sheets, column by column."""
    select = source_select("sqlite")
    columns = ", ".join(INDEX_COLUMNS)
    with connection.cursor() as cursor:
        for first, last in ranges:
            cursor.execute(f"SELECT {columns} FROM ({select} WHERE a.id BETWEEN %s AND %s)", [first, last])
            for row in cursor.fetchall():
                yield from (text for text in row if text)
