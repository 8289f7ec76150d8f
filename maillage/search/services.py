"""Keeping the search index in step with the sheets, inside the caller's transaction.

The embedded index keeps no copy of the text (a contentless FTS5 table), so a sheet is removed with
the text it was indexed with: call `remove_actions` *before* changing what a sheet shows, and
`index_actions` after (or wrap the change in `reindexing`). Every stored sheet is in the index.
Each call also appends to the log of changes that keeps the in-memory facet counts exact (`facets`).
"""

import secrets
from collections.abc import Sequence
from contextlib import contextmanager

from . import facets
from .backends import get_backend, id_ranges
from .models import IndexChange
from .query import parse_query

# Past this many ranges of ids, one "everything changed" row replaces them.
MAX_LOGGED_RANGES = 100
PRUNE_EVERY = 1000


def index_actions(ids: Sequence[int]) -> None:
    """Add stored sheets that are not in the index (new ones, or ones removed before a change)."""
    if ids:
        get_backend().index(ids)
        log_change(ids)


def remove_actions(ids: Sequence[int]) -> None:
    """Take sheets out of the index; call it while the database still holds what was indexed."""
    if ids:
        get_backend().remove(ids)
        log_change(ids)


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
    log_change(None)
    return backend.count()


def log_change(ids: Sequence[int] | None) -> None:
    """Record that these sheets (None: all sheets, or labels) changed, for the facet counts."""
    ranges = list(id_ranges(ids)) if ids is not None else []
    if ids is None or len(ranges) > MAX_LOGGED_RANGES:
        ranges = [(None, None)]
    for first, last in ranges:
        change = IndexChange.objects.create(first_action_id=first, last_action_id=last, token=secrets.token_hex(8))
    facets.forget_latest_change()
    if change.pk % PRUNE_EVERY == 0:
        prune_log()


def labels_changed() -> None:
    """A closed-list label, department or region was renamed: facet labels must be read again."""
    log_change(None)


def prune_log(keep: int = 10_000) -> int:
    """Forget all but the last `keep` changes (a process that had not seen them reloads everything)."""
    last = IndexChange.objects.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return 0
    deleted, _ = IndexChange.objects.filter(id__lte=last - keep).delete()
    return deleted


def search_action_ids(query: str, limit: int = 100) -> list[int]:
    """Ids of the stored sheets (published or not) matching `query`, best first."""
    parsed = parse_query(query)
    return get_backend().match(parsed, ranked=True)[:limit] if parsed else []
