"""The words of the index, sorted, held in memory per process (both backends, ADR 003).

A query word stands for the indexed words of its search key (`backends.base.TermSetsBackend.expand`):
finding them means listing the indexed words of a prefix. The backend lists every indexed word once
(SQLite: FTS5's `fts5vocab` table; PostgreSQL: its lexicon table), under a second for 100,000 sheets;
then the list follows the log of changes like the facet index: the words of changed sheets are read
again and added (words that disappear stay, harmlessly: they match nothing).
"""

import bisect
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from .analysis import unaccented
from .facets import INCREMENTAL_LIMIT, changes_since, facet_index


@dataclass
class Vocabulary:
    terms: list[str]
    change: tuple[int, str]
    # (the word as `analysis.unaccented` spells it, the word): `œuvre` is listed under `oeuvre` as well.
    ligatured: list[tuple[str, str]] = field(default_factory=list)
    # The change at which words were last added (None: `change`). Drafts saved again move `change` on, mostly
    # without a new word: what is derived from the words alone (a query word's variants) is keyed on this.
    words_change: tuple[int, str] | None = None

    def __post_init__(self):
        self.words_change = self.words_change or self.change

    def with_prefix(self, prefix: str) -> list[str]:
        """Indexed words starting with `prefix`, spelt as `analysis.unaccented` spells them (`oeu` lists `œuvre`)."""
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo=start)
        start_ligatured = bisect.bisect_left(self.ligatured, (prefix,))
        end_ligatured = bisect.bisect_left(self.ligatured, (prefix + "\U0010ffff",), lo=start_ligatured)
        return self.terms[start:end] + [term for _, term in self.ligatured[start_ligatured:end_ligatured]]

    def spellings(self, plain: str) -> list[str]:
        """Indexed words that `analysis.unaccented` spells `plain` (`cœur` and `coeur` for `coeur`)."""
        found = [plain] if plain in self else []
        start = bisect.bisect_left(self.ligatured, (plain,))
        end = bisect.bisect_left(self.ligatured, (plain + "\x00",), lo=start)
        return found + [term for _, term in self.ligatured[start:end]]

    def __contains__(self, word: str) -> bool:
        position = bisect.bisect_left(self.terms, word)
        return position < len(self.terms) and self.terms[position] == word


_lock = threading.Lock()
_current: dict[str, Vocabulary] = {}


def indexed_terms(backend) -> Vocabulary:
    """The vocabulary of the index, brought up to date with the log of changes. `backend` gives
    `all_words()` and `words_of(ranges)`."""
    database = connection.settings_dict["NAME"]
    latest = facet_index().change
    vocabulary = _current.get(database)
    if vocabulary is not None and vocabulary.change == latest:
        return vocabulary
    with _lock:
        vocabulary = _current.get(database)
        if vocabulary is None or vocabulary.change != latest:
            vocabulary = _refreshed(backend, vocabulary, latest)
            _current[database] = vocabulary
    return vocabulary


def forget() -> None:
    with _lock:
        _current.clear()


def _refreshed(backend, vocabulary: Vocabulary | None, latest: tuple[int, str]) -> Vocabulary:
    ranges = changes_since(vocabulary.change) if vocabulary is not None else None
    if ranges is None or sum(last - first + 1 for first, last in ranges) > INCREMENTAL_LIMIT:
        terms = sorted(backend.all_words())
        return Vocabulary(terms, latest, _ligatured(terms))
    known = set(vocabulary.terms)
    new = set(backend.words_of(ranges)) - known
    if not new:
        return Vocabulary(vocabulary.terms, latest, vocabulary.ligatured, vocabulary.words_change)
    return Vocabulary(sorted(known | new), latest, sorted(vocabulary.ligatured + _ligatured(new)))


def _ligatured(words: Iterable[str]) -> list[tuple[str, str]]:
    return sorted((unaccented(word), word) for word in words if not word.isascii() and unaccented(word) != word)
