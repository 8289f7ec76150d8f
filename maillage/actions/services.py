"""Writes on action sheets that keep their history and the search index in step.

The search index keeps no copy of the text (see `maillage.search`): a sheet must leave the index
*before* its stored text changes, and come back after. Every change therefore goes
`previous = begin_action_change(pk)` → change → `record_action_change(action, previous, …)`.
Each function runs in the caller's transaction.
"""

from django.db import transaction

from maillage.exchange.action_json import action_records
from maillage.exchange.records import fingerprint
from maillage.history.services import record_revision
from maillage.referentials.models import ActionStatus, Department, ReferenceItem, Territory
from maillage.search.services import index_actions, remove_actions

from .models import LIST_RELATIONS, Action


def action_snapshot(action_id: int) -> dict:
    """The stored state of a sheet, as an open-data record, read fresh from the database."""
    return action_records([action_id])[action_id]


def begin_action_change(action_id: int) -> dict:
    """Call before changing a stored sheet: returns its current version and takes it out of the index."""
    previous = action_snapshot(action_id)
    remove_actions([action_id])
    return previous


@transaction.atomic
def record_action_change(action: Action, previous: dict | None, *, acting_user, source: str, comment: str = "") -> None:
    """Call once a sheet and its lists are saved (`previous` from `begin_action_change`, None for a new
    sheet): keeps the previous version as a revision, refreshes the fingerprint, indexes the sheet."""
    current = action_snapshot(action.pk)
    if previous is not None and previous != current:
        record_revision(action, previous, acting_user=acting_user, source=source, comment=comment)
    digest = fingerprint(current)
    if digest != action.fingerprint:
        Action.objects.filter(pk=action.pk).update(fingerprint=digest)
        action.fingerprint = digest
    index_actions([action.pk])


@transaction.atomic
def delete_action(action: Action, *, acting_user, source: str) -> None:
    """Delete a sheet, keeping its last state in the history."""
    previous = begin_action_change(action.pk)
    record_revision(action, previous, acting_user=acting_user, source=source, comment="Suppression")
    action.delete()


def sheets_showing(item: ReferenceItem | Department) -> list[int]:
    """Ids of the sheets whose indexed text shows this closed-list value or department name."""
    if isinstance(item, Department):
        sheets = Action.objects.filter(structure__department=item)
    elif isinstance(item, ActionStatus):
        sheets = Action.objects.filter(status=item)
    elif isinstance(item, Territory):
        sheets = Action.objects.filter(territory=item)
    else:
        through = next((model for model, _ in LIST_RELATIONS.values() if isinstance(item, _item_model(model))), None)
        if through is None:
            return []
        return list(through.objects.filter(item=item).values_list("action_id", flat=True))
    return list(sheets.values_list("id", flat=True))


def _item_model(through) -> type:
    return through._meta.get_field("item").related_model
