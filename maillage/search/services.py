"""Keeping the search index in step with the sheets; callers run these inside their transaction."""

from collections.abc import Iterable, Sequence

from .backends import get_backend
from .documents import document_for_record


def index_records(records: Iterable[tuple[int, dict]], *, defer_terms: bool = False) -> None:
    """Index sheets given as `(id, open-data record)` pairs.

    Bulk loaders pass `defer_terms=True` for each batch, then call `sync_terms()` once at the end.
    """
    get_backend().index(((pk, document_for_record(record)) for pk, record in records), defer_terms=defer_terms)


def sync_terms() -> None:
    get_backend().sync_terms()


def remove_actions(ids: Sequence[int]) -> None:
    if ids:
        get_backend().remove(ids)


def index_actions(actions: Iterable, *, defer_terms: bool = False) -> None:
    """Index `Action` instances (fetched with `with_export_relations()` to avoid one query per sheet)."""
    from maillage.exchange.action_json import action_record

    index_records(((action.pk, action_record(action)) for action in actions), defer_terms=defer_terms)


def rebuild_index(batch_size: int = 2000) -> int:
    """Drop and rebuild the whole index from the database; returns the number of sheets indexed."""
    from maillage.actions.models import Action

    backend = get_backend()
    backend.clear()
    count = 0
    batch = []
    for action in Action.objects.with_export_relations().iterator(chunk_size=batch_size):
        batch.append(action)
        if len(batch) >= batch_size:
            index_actions(batch, defer_terms=True)
            count += len(batch)
            batch = []
    index_actions(batch, defer_terms=True)
    backend.sync_terms()
    return count + len(batch)


def search_action_ids(query: str, limit: int = 100) -> list[int]:
    return get_backend().search(query, limit)
