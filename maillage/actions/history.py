"""The history of a sheet as people read it: versions, field-by-field differences, restoring a version.

A `Revision` keeps the state of a sheet *before* a change (its open-data record). Reading them oldest
first and ending with the current record gives every version; two consecutive versions differ by one
change, made by the revision's author, at its date, for its reason.
"""

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.timezone import localtime

from maillage.accounts import perms
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.exchange.records import MULTI_CHOICE_KEYS, SINGLE_CHOICE_KEYS, TEXT_KEYS
from maillage.history.models import Revision
from maillage.referentials.models import CLOSED_LISTS

from .models import LIST_RELATIONS, Action, ActionState
from .services import action_snapshot, begin_action_change, record_action_change

# Labels in the order of the sheet (as the public page shows them).
FIELD_LABELS = {
    "title": "Titre",
    "structure": "Structure organisatrice",
    "files": "Fichier(s) associé(s)",
    "status": "Statut de l'action",
    "end_reason": "Raisons pour lesquelles l'action est terminée",
    "dimensions": "Dimension",
    "keywords": "Mots clés associés à l'action",
    "summary": "Résumé",
    "initiative": "Qui est à l'initiative de l'action ?",
    "initiative_detail": "Précision (si autre)",
    "territory": "Territoire concerné",
    "experience": "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases",
    "public": "Public",
    "partners": "Avec qui cette action a-t-elle été menée ?",
    "general_description": "Description générale",
    "financial_resources": "Ressources financières mobilisées pour cette action",
    "people_mobilised": "Nombre de personnes mobilisées pour cette action",
    "result_territory": "Résultat sur le territoire",
    "result_centre": "Résultat pour le centre social",
    "result_inhabitants": "Résultat pour les habitants",
    "limits": "Suite de l'action : limites",
    "perspectives": "Suite de l'action : perspectives",
}
LIST_KEYS = (*MULTI_CHOICE_KEYS, "files")
# Unchanged lines shown around a changed one in a text difference.
CONTEXT_LINES = 1


@dataclass
class FieldChange:
    key: str
    label: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # texts: ("added"|"removed"|"same"|"gap", line)
    added: list[str] = field(default_factory=list)  # lists
    removed: list[str] = field(default_factory=list)
    reordered: bool = False
    before: str = ""  # single values
    after: str = ""

    @property
    def kind(self) -> str:
        if self.key in LIST_KEYS:
            return "list"
        return "text" if self.key in TEXT_KEYS and self.key != "title" else "value"


def diff_records(old: dict, new: dict) -> list[FieldChange]:
    """What changed from `old` to `new`, field by field, in the order of the sheet."""
    changes = []
    for key, label in FIELD_LABELS.items():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = FieldChange(key, label)
        if key in LIST_KEYS:
            before, after = before or [], after or []
            change.added = [value for value in after if value not in before]
            change.removed = [value for value in before if value not in after]
            change.reordered = not change.added and not change.removed
        elif change.kind == "text":
            change.lines = text_diff(before or "", after or "")
        else:
            change.before, change.after = _display(before), _display(after)
        changes.append(change)
    return changes


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Lines removed and added (difflib), with a line of context around them."""
    old, new = before.splitlines(), after.splitlines()
    lines: list[tuple[str, str]] = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(CONTEXT_LINES):
        if lines:
            lines.append(("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(("same", line) for line in old[i1:i2])
                continue
            lines.extend(("removed", line) for line in old[i1:i2])
            lines.extend(("added", line) for line in new[j1:j2])
    return lines


def _display(value) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, dict):  # the structure
        department = value.get("department")
        return f"{value.get('name', '')} — {department}" if department else value.get("name", "")
    return str(value)


@dataclass
class Version:
    """A previous version of a sheet and the change that followed it."""

    revision: Revision
    record: dict
    changes: list[FieldChange]

    @property
    def replaced_at(self) -> datetime:
        return self.revision.created_at


def sheet_versions(action: Action) -> list[Version]:
    """Every previous version of the sheet, newest first, each with the difference to the next one."""
    revisions = list(Revision.objects.for_object(action).select_related("changed_by"))  # newest first
    following = action_snapshot(action.pk)
    versions = []
    for revision in revisions:
        versions.append(Version(revision, revision.data, diff_records(revision.data, following)))
        following = revision.data
    return versions


# Restoring ------------------------------------------------------------------------------------------


class RestoreError(ValueError):
    """A version that cannot be restored; the message is in French."""


def can_restore(user, action: Action) -> bool:
    """Moderators restore any version; the structure's editors restore versions of sheets that are not
    online (a published sheet changes only through moderation)."""
    if perms.can_moderate_action(user, action):
        return True
    return action.state != ActionState.PUBLISHED and perms.can_edit_action(user, action)


@transaction.atomic
def restore_version(action: Action, revision: Revision, acting_user, request=None) -> Action:
    """Make the sheet say again what it said in `revision`, through the services (the current state
    becomes a previous version in turn). The structure, the state and the attached files are kept."""
    if revision.object_id != action.pk or revision.content_type.model_class() is not Action:
        raise RestoreError("Cette version n'est pas une version de cette fiche.")
    action = Action.objects.select_for_update(of=("self",)).select_related("structure").get(pk=action.pk)
    if not can_restore(acting_user, action):
        raise PermissionDenied("Vous ne pouvez pas restaurer une version de cette fiche.")
    record = revision.data
    previous = begin_action_change(action.pk)
    for key in TEXT_KEYS:
        setattr(action, key, record.get(key) or "")
    for key in SINGLE_CHOICE_KEYS:
        setattr(action, f"{key}_id", _item_id(key, record.get(key)))
    action.save()
    for key in MULTI_CHOICE_KEYS:
        through, _ = LIST_RELATIONS[key]
        through.objects.filter(action=action).delete()
        through.objects.bulk_create(
            through(action=action, item_id=_item_id(key, label), position=position)
            for position, label in enumerate(dict.fromkeys(record.get(key) or []))
        )
    when = localtime(revision.created_at).strftime("%d/%m/%Y à %H:%M")
    comment = f"Restauration de la version remplacée le {when}"
    record_action_change(action, previous, acting_user=acting_user, source="restauration", comment=comment)
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action,
              operation="version_restored", revision_id=revision.pk)  # fmt: skip
    return action


def _item_id(key: str, label: str | None) -> int | None:
    """The closed-list value of this label; a value removed from the list since comes back "to review"."""
    if label is None:
        return None
    item, _ = CLOSED_LISTS[key].objects.get_or_create(label=label, defaults={"to_review": True})
    return item.pk
