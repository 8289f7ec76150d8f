"""Writes on action sheets that keep their history and the search index in step.

Each function runs in the caller's transaction (wrap the request or the command in `transaction.atomic`).
"""

from django.db import transaction

from maillage.exchange.action_json import action_record
from maillage.exchange.records import fingerprint
from maillage.history.services import record_revision
from maillage.search.services import index_records, remove_actions

from .models import Action


def action_snapshot(action_id: int) -> dict:
    """The stored state of a sheet, as an open-data record, read fresh from the database."""
    return action_record(Action.objects.with_export_relations().get(pk=action_id))


@transaction.atomic
def record_action_change(action: Action, previous: dict | None, *, acting_user, source: str, comment: str = "") -> None:
    """Call once a sheet and its lists are saved: keeps `previous` (None for a new sheet) as a revision,
    refreshes the fingerprint and the search index."""
    current = action_snapshot(action.pk)
    if previous is not None and previous != current:
        record_revision(action, previous, acting_user=acting_user, source=source, comment=comment)
    digest = fingerprint(current)
    if digest != action.fingerprint:
        Action.objects.filter(pk=action.pk).update(fingerprint=digest)
        action.fingerprint = digest
    remove_actions([action.pk])
    index_records([(action.pk, current)])


@transaction.atomic
def delete_action(action: Action, *, acting_user, source: str) -> None:
    """Delete a sheet, keeping its last state in the history, and drop it from the index."""
    record_revision(action, action_snapshot(action.pk), acting_user=acting_user, source=source, comment="Suppression")
    remove_actions([action.pk])
    action.delete()
