"""Keeping the search index in step with the sheets, inside the caller's transaction.

The embedded index keeps no copy of the text (a contentless FTS5 table), so a sheet is removed with
the text it was indexed with: call `remove_actions` *before* changing what a sheet shows, and
`index_actions` after (or wrap the change in `reindexing`). Every stored sheet is in the index.
"""

from collections.abc import Sequence
from contextlib import contextmanager

from .backends import get_backend


def index_actions(ids: Sequence[int]) -> None:
    """Add stored sheets that are not in the index (new ones, or ones removed before a change)."""
    if ids:
        get_backend().index(ids)


def remove_actions(ids: Sequence[int]) -> None:
    """Take sheets out of the index; call it while the database still holds what was indexed."""
    if ids:
        get_backend().remove(ids)


@contextmanager
def reindexing(ids: Sequence[int]):
    """Wrap a change of what these sheets show (their text, lists, structure, a label they use)."""
    ids = list(ids)
    remove_actions(ids)
    yield
    index_actions(ids)


def rebuild_index() -> int:
    """Drop and rebuild the whole index from the database; returns the number of sheets indexed."""
    backend = get_backend()
    backend.rebuild()
    return backend.count()


def search_action_ids(query: str, limit: int = 100) -> list[int]:
    return get_backend().search(query, limit)
