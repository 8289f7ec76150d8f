"""Writes on structures that keep their history, and the index of their sheets, in step."""

from django.db import transaction

from maillage.actions.models import Action
from maillage.exchange.action_json import action_record
from maillage.exchange.records import fingerprint
from maillage.exchange.structure_json import STRUCTURE_RELATIONS, structure_record
from maillage.history.services import record_revision
from maillage.search.services import index_records, remove_actions

from .models import Structure


def structure_snapshot(structure_id: int) -> dict:
    return structure_record(Structure.objects.select_related(*STRUCTURE_RELATIONS).get(pk=structure_id))


@transaction.atomic
def record_structure_change(structure: Structure, previous: dict | None, *, acting_user, source: str, comment=""):
    """Call once a structure is saved: keeps `previous` as a revision and re-indexes its sheets when the
    name or department (which the index holds) changed."""
    current = structure_snapshot(structure.pk)
    if previous is None or previous == current:
        return
    record_revision(structure, previous, acting_user=acting_user, source=source, comment=comment)
    if (previous["name"], previous["department"]) != (current["name"], current["department"]):
        refresh_actions(structure.actions.with_export_relations())


def refresh_actions(actions) -> None:
    """Sheets show their structure's name and department: refresh their fingerprint and index entry."""
    records = [(action.pk, action_record(action)) for action in actions]
    for pk, record in records:
        Action.objects.filter(pk=pk).update(fingerprint=fingerprint(record))
    remove_actions([pk for pk, _ in records])
    index_records(records)
