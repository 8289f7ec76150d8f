"""The history of a sheet as people read it: versions, field-by-field differences, restoring a version.

A `Revision` keeps the state of a sheet *before* a change (its open-data record). Reading them oldest
first and ending with the current record gives every version; two consecutive versions differ by one
change, made by the revision's author, at its date, for its reason.
"""

import difflib
import re
from collections import Counter
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

from .models import LIST_RELATIONS, Action, ActionState, ActionTransition
from .services import action_snapshot, begin_action_change, record_action_change
from .workflow import latest_returns

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
# Words, runs of spaces and single punctuation marks: the tokens compared in a changed paragraph.
WORD_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
# An unchanged stretch this short (characters, spaces aside) between two changes is folded into them.
SMALL_EQUAL = 3
# Unchanged stretches longer than this many words show only `KEPT_WORDS` words at each end.
LONG_STRETCH = 30
KEPT_WORDS = 10


@dataclass
class FieldChange:
    key: str
    label: str
    rows: list["DiffRow"] = field(default_factory=list)  # texts
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
            change.added, change.removed, change.reordered = list_diff(before or [], after or [])
            if not (change.added or change.removed or change.reordered):
                continue
        elif change.kind == "text":
            change.rows = text_diff(before or "", after or "")
        else:
            change.before, change.after = _display(before), _display(after)
        changes.append(change)
    return changes


def list_diff(before: list[str], after: list[str]) -> tuple[list[str], list[str], bool]:
    """Values added, values removed, and whether the values present in both changed their order.

    Counted as multisets (two attachments may share a name: removing one of them is a removal, not a new
    order), and « reordered » only when the values kept in both lists are not in the same relative order —
    an addition or a removal alone is no change of order."""
    remaining_before, remaining_after = Counter(before), Counter(after)
    common = remaining_before & remaining_after
    added = list((remaining_after - common).elements())
    removed = list((remaining_before - common).elements())
    reordered = _common_subsequence(before, after) < sum(common.values())
    return _in_order(after, added), _in_order(before, removed), reordered


def _in_order(values: list[str], chosen: list[str]) -> list[str]:
    """`chosen` (a multiset drawn from `values`) in the order of `values`."""
    left = Counter(chosen)
    found = []
    for value in values:
        if left[value] > 0:
            left[value] -= 1
            found.append(value)
    return found


def _common_subsequence(first: list[str], second: list[str]) -> int:
    """The length of the longest common subsequence (lists of a sheet are short: dozens of values)."""
    previous = [0] * (len(second) + 1)
    for value in first:
        current = [0]
        for index, other in enumerate(second):
            current.append(previous[index] + 1 if value == other else max(previous[index + 1], current[index]))
        previous = current
    return previous[-1]


def text_diff(before: str, after: str) -> list["DiffRow"]:
    """What changed in a text, readable even for long ones: only the paragraphs that changed, with one
    paragraph around them (long ones shortened), and inside a changed paragraph the words removed and
    added rather than the whole paragraph twice."""
    old, new = before.splitlines(), after.splitlines()
    rows: list[DiffRow] = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(CONTEXT_LINES):
        if rows:
            rows.append(DiffRow("gap", [("same", "…")]))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffRow("same", [("same", _shortened(line))]) for line in old[i1:i2])
            elif tag == "delete":
                rows.extend(DiffRow("removed", [("removed", line)]) for line in old[i1:i2])
            elif tag == "insert":
                rows.extend(DiffRow("added", [("added", line)]) for line in new[j1:j2])
            else:
                rows.append(DiffRow("changed", word_diff("\n".join(old[i1:i2]), "\n".join(new[j1:j2]))))
    return rows


@dataclass
class DiffRow:
    """A paragraph of a text difference: `kind` is "same", "changed", "added", "removed" or "gap";
    `segments` are `(op, text)` pieces, op "same", "added" or "removed" (escaped where shown)."""

    kind: str
    segments: list[tuple[str, str]]


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words removed and added between two versions of a paragraph, unchanged stretches kept (long
    ones shortened around « … »). Words, spaces and punctuation are tokens, so that a changed word is
    marked alone; a lone unchanged space or short word between two changes is folded into them, so that
    a rewritten sentence reads as one removal and one addition rather than confetti."""
    old, new = WORD_TOKENS.findall(before), WORD_TOKENS.findall(after)
    chunks: list[list[str]] = []  # [removed, added] pairs or ["=", text]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            chunks.append(["=", "".join(old[i1:i2])])
        else:
            chunks.append(["".join(old[i1:i2]), "".join(new[j1:j2])])
    segments: list[tuple[str, str]] = []
    folded = _fold_small_equals(chunks)
    for index, chunk in enumerate(folded):
        if chunk[0] == "=":
            text = chunk[1]
            segments.append(("same", _shortened(text, keep_start=index > 0, keep_end=index < len(folded) - 1)))
            continue
        removed, added = chunk
        if removed:
            segments.append(("removed", removed))
        if added:
            segments.append(("added", added))
    return segments


def _fold_small_equals(chunks: list[list[str]]) -> list[list[str]]:
    folded: list[list[str]] = []
    for position, chunk in enumerate(chunks):
        between_changes = 0 < position < len(chunks) - 1 and folded and folded[-1][0] != "="
        if chunk[0] == "=" and between_changes and len(chunk[1].strip()) <= SMALL_EQUAL:
            folded[-1] = [folded[-1][0] + chunk[1], folded[-1][1] + chunk[1]]
        elif chunk[0] != "=" and folded and folded[-1][0] != "=":
            folded[-1] = [folded[-1][0] + chunk[0], folded[-1][1] + chunk[1]]
        else:
            folded.append(chunk)
    return folded


def _shortened(text: str, *, keep_start: bool = True, keep_end: bool = True) -> str:
    """An unchanged stretch of more than `LONG_STRETCH` words, cut to the words next to the changes."""
    words = text.split(" ")
    if len(words) <= LONG_STRETCH:
        return text
    head = " ".join(words[:KEPT_WORDS]) + " " if keep_start else ""
    tail = " " + " ".join(words[-KEPT_WORDS:]) if keep_end else ""
    return f"{head}…{tail}"


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


@dataclass
class SinceReturn:
    """What the structure changed between the sheet's last return and now (its resubmission)."""

    returned: ActionTransition
    changes: list[FieldChange]


def changes_since_return(action: Action) -> SinceReturn | None:
    """For a sheet submitted again after a return: the return (who, when, why) and the difference between
    the version returned and the current one, for the correspondent who reviews it again.

    The version returned is read back from the history rather than copied at the return: a transition changes
    no content (the record holds no state), so the oldest revision kept since the return is the sheet exactly
    as it was returned; when there is none, nothing changed since."""
    if action.state != ActionState.SUBMITTED:
        return None
    last = action.transitions.order_by("-created_at", "-id").first()
    if last is None or last.source != ActionState.RETURNED:
        return None
    returned = latest_returns([action.pk]).get(action.pk)
    if returned is None:
        return None
    current = action_snapshot(action.pk)
    since = Revision.objects.for_object(action).filter(created_at__gte=returned.created_at)
    first = since.order_by("created_at", "id").first()
    return SinceReturn(returned, diff_records(first.data if first else current, current))


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
