"""Writes on structures that keep their history, and the index entries of their sheets, in step."""

from contextlib import contextmanager

from django.db import transaction

from maillage.actions.models import Action
from maillage.exchange.action_json import action_records
from maillage.exchange.records import fingerprint
from maillage.exchange.structure_json import STRUCTURE_RELATIONS, structure_record
from maillage.history.services import record_revision
from maillage.search.services import reindexing

from .models import Structure

# Fields the sheets show (in their open-data record, fingerprint and search index).
SHOWN_ON_SHEETS = frozenset({"name", "department", "department_id"})
# Shown by the public sheet page only (« Contacter la structure »): a change is logged for its sheets too, so that
# the cached sheet pages (`www/page_cache.py`, keyed by that log) show it at once.
SHOWN_ON_SHEET_PAGES = frozenset({"email"})


def structure_snapshot(structure_id: int) -> dict:
    return structure_record(Structure.objects.select_related(*STRUCTURE_RELATIONS).get(pk=structure_id))


@contextmanager
def structure_change(structure: Structure, *, changed_fields, acting_user, source: str, comment: str = ""):
    """Wrap the saving of a change to a stored structure.

    Keeps the previous version in the history; when the name, the department or the e-mail change, its sheets
    (which show them) get a new fingerprint and index entry.
    """
    with transaction.atomic():
        previous = structure_snapshot(structure.pk)
        sheet_ids = []
        if (SHOWN_ON_SHEETS | SHOWN_ON_SHEET_PAGES) & set(changed_fields):
            sheet_ids = list(Action.objects.filter(structure_id=structure.pk).values_list("id", flat=True))
        with reindexing(sheet_ids):
            yield
            refresh_fingerprints(sheet_ids)
        if previous != structure_snapshot(structure.pk):
            record_revision(structure, previous, acting_user=acting_user, source=source, comment=comment)


def refresh_fingerprints(sheet_ids: list[int]) -> None:
    for pk, record in action_records(sheet_ids).items():
        Action.objects.filter(pk=pk).update(fingerprint=fingerprint(record))


@transaction.atomic
def delete_structure(structure: Structure, *, acting_user, source: str) -> None:
    """Delete a structure without sheets (they protect it), keeping its last state in the history."""
    record_revision(
        structure, structure_snapshot(structure.pk), acting_user=acting_user, source=source, comment="Suppression"
    )
    structure.delete()
