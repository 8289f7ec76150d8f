"""Editing sheets from the contributors' form: create, save (or propose a change to a published
sheet), autosave drafts, approve or reject proposals, and warn about probable duplicates.

Every write goes through `begin_action_change` → change → `record_action_change`, so that the
history, the search index and the facet counts follow. Each function is one transaction that locks
the sheet's row and compares the version the person started from (`edit_version`) with the stored
one: when someone else changed the sheet meanwhile, nothing is written (`EditConflict`).

The version is the sheet's state, its content fingerprint (refreshed by `record_action_change`
on every change, whoever makes it: this form, a moderator, an import, a restore) and the pending
proposal's own counter — rather than an integer column that every other writer would have to bump.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from rapidfuzz import fuzz

from maillage.accounts import perms
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.jobs.mail import queue_email
from maillage.parameters import MAX_ID, whole_number
from maillage.referentials.text import fold
from maillage.validators import one_line

from . import files as attachments
from .models import LIST_RELATIONS, Action, ActionFile, ActionState, PendingRevision
from .services import begin_action_change, record_action_change

TEXT_FIELDS = (
    "title",
    "end_reason",
    "summary",
    "initiative_detail",
    "experience",
    "general_description",
    "financial_resources",
    "people_mobilised",
    "result_territory",
    "result_centre",
    "result_inhabitants",
    "limits",
    "perspectives",
)
LIST_KEYS = tuple(LIST_RELATIONS)
DUPLICATE_THRESHOLD = 75
DUPLICATE_LIMIT = 5


class EditRefused(Exception):
    """A save that cannot be made; the message, in French, says why and what to do."""


class EditConflict(EditRefused):
    """The sheet changed since the person opened it: nothing is written."""


@dataclass
class SheetContent:
    """What the form edits: texts, the single choices and the ids of the ticked list values."""

    texts: dict[str, str] = field(default_factory=dict)
    status_id: int | None = None
    territory_id: int | None = None
    lists: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"texts": self.texts, "status": self.status_id, "territory": self.territory_id, "lists": self.lists}

    @classmethod
    def from_json(cls, data: dict) -> "SheetContent":
        return cls(
            texts={key: str(value) for key, value in data.get("texts", {}).items() if key in TEXT_FIELDS},
            status_id=data.get("status"),
            territory_id=data.get("territory"),
            lists={key: [int(pk) for pk in ids] for key, ids in data.get("lists", {}).items() if key in LIST_KEYS},
        )

    @classmethod
    def of(cls, action: Action) -> "SheetContent":
        """The stored content of a sheet."""
        lists = {key: [] for key in LIST_KEYS}
        for key, (through, _) in LIST_RELATIONS.items():
            lists[key] = list(
                through.objects.filter(action=action).order_by("position", "id").values_list("item", flat=True)
            )
        return cls(
            texts={key: getattr(action, key) for key in TEXT_FIELDS},
            status_id=action.status_id,
            territory_id=action.territory_id,
            lists=lists,
        )


@dataclass
class FileChanges:
    """Uploads already checked by the form (`(file, FileType)` pairs) and attachments to remove:
    `ActionFile` ids, or `pending:<path>` for a file added by a proposal not yet approved."""

    uploads: list = field(default_factory=list)
    removed: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.uploads or self.removed)


@dataclass
class SaveOutcome:
    action: Action
    pending: PendingRevision | None = None  # set when the change awaits a correspondent's approval
    changed: bool = True


def edit_version(action: Action, pending: PendingRevision | None = None) -> str:
    pending_part = f"{pending.pk}-{pending.version}" if pending is not None else "0"
    return f"{action.state}.{action.fingerprint[:20]}.{pending_part}"


def pending_of(action: Action) -> PendingRevision | None:
    return PendingRevision.objects.filter(action=action).first()


def editable_content(action: Action, pending: PendingRevision | None) -> SheetContent:
    """What the form starts from: the proposal awaiting approval if there is one, else the sheet."""
    if pending is not None:
        return SheetContent.from_json(pending.data["content"])
    return SheetContent.of(action)


def attachments_shown(action: Action, pending: PendingRevision | None) -> list[tuple[str, str, bool]]:
    """`(key, name, has_file)` of the attachments the form lists, proposal included."""
    removed = set(pending.data.get("files_removed", [])) if pending is not None else set()
    shown = [(str(f.pk), f.name, bool(f.file)) for f in action.files.all() if str(f.pk) not in removed]
    if pending is not None:
        shown += [(f"pending:{added['path']}", added["name"], True) for added in pending.data.get("files_added", [])]
    return shown


# --- creating and saving -------------------------------------------------------------------------


@transaction.atomic
def create_sheet(structure, content: SheetContent, *, acting_user, files: FileChanges | None = None, request=None):
    """A new draft sheet of `structure`, with its attachments."""
    if not perms.can_edit_structure(acting_user, structure):
        raise PermissionDenied("Vous ne pouvez pas créer de fiche pour cette structure.")
    action = Action(structure=structure, state=ActionState.DRAFT, year=timezone.localdate().year, source="saisie")
    _apply_content(action, content)
    _apply_files(action, files or FileChanges())
    record_action_change(action, None, acting_user=acting_user, source="saisie")
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action, created=True)
    return action


@transaction.atomic
def save_sheet(
    action: Action, content: SheetContent, *, version: str, acting_user, files: FileChanges | None = None, request=None
) -> SaveOutcome:
    """Save the form: applied at once, or kept as a proposal when the sheet is published."""
    files = files or FileChanges()
    action, pending = _lock(action, version, acting_user)
    if action.state == ActionState.PUBLISHED:
        return _propose(action, pending, content, files, acting_user, request)
    before = action.fingerprint
    previous = begin_action_change(action.pk)
    _apply_content(action, content)
    _apply_files(action, files)
    if pending is not None:  # saved directly (the sheet left the public bank): the proposal is superseded
        _drop_pending(pending)
    record_action_change(action, previous, acting_user=acting_user, source="saisie")
    changed = bool(files) or action.fingerprint != before
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action)
    return SaveOutcome(action, None, changed)


@transaction.atomic
def autosave_draft(action: Action, content: SheetContent, *, version: str, acting_user, request=None) -> str:
    """Save a draft in the background (no attachments); returns the new version for the next save."""
    action, pending = _lock(action, version, acting_user)
    if action.state != ActionState.DRAFT:
        raise EditRefused("Seuls les brouillons sont enregistrés automatiquement : enregistrez la fiche.")
    previous = begin_action_change(action.pk)
    _apply_content(action, content)
    record_action_change(action, previous, acting_user=acting_user, source="saisie (enregistrement automatique)")
    return edit_version(action, pending)


def _lock(action: Action, version: str, acting_user) -> tuple[Action, PendingRevision | None]:
    locked = Action.objects.select_for_update(of=("self",)).select_related("structure").filter(pk=action.pk).first()
    if locked is None:
        raise EditConflict("Cette fiche a été supprimée entre-temps.")
    if not perms.can_edit_action(acting_user, locked):
        raise PermissionDenied("Vous ne pouvez pas modifier cette fiche.")
    pending = PendingRevision.objects.select_for_update().filter(action=locked).first()
    if version != edit_version(locked, pending):
        raise EditConflict(
            "Cette fiche a été modifiée par quelqu'un d'autre (ou son état a changé) depuis que vous l'avez "
            "ouverte. Vos changements n'ont pas été enregistrés, pour ne rien écraser : copiez-les, "
            "ouvrez la version actuelle, puis reportez-les."
        )
    return locked, pending


def _apply_content(action: Action, content: SheetContent) -> None:
    for key in TEXT_FIELDS:
        if key in content.texts:
            setattr(action, key, content.texts[key])
    action.status_id = content.status_id
    action.territory_id = content.territory_id
    action.save()
    for key, chosen in content.lists.items():
        through = LIST_RELATIONS[key][0]
        existing = list(
            through.objects.filter(action=action).order_by("position", "id").values_list("item_id", flat=True)
        )
        ordered = ordered_choices(existing, chosen)
        if ordered != existing:
            through.objects.filter(action=action).delete()
            through.objects.bulk_create(
                [through(action=action, item_id=pk, position=position) for position, pk in enumerate(ordered)]
            )


def ordered_choices(existing: list, chosen: list) -> list:
    """The values ticked, in the order the sheet will keep: values already on the sheet keep their place
    (exports give them back in that order), new ones follow in the order given. The form gives ticked
    values in the order of the list of choices, which says nothing of the sheet's order."""
    kept = set(chosen)
    return [pk for pk in existing if pk in kept] + [pk for pk in dict.fromkeys(chosen) if pk not in set(existing)]


def _apply_files(action: Action, files: FileChanges, added: list[dict] = ()) -> None:
    """Remove and add attachments; stored files of removed ones go once the transaction commits."""
    removed_ids = _file_ids(files.removed)
    kept = ActionFile.objects.filter(action=action).exclude(file="").exclude(pk__in=removed_ids).count()
    _check_file_count(kept + len(files.uploads) + len(added))
    doomed = list(ActionFile.objects.filter(action=action, pk__in=removed_ids))
    attachments.delete_after_commit([attached.file.name for attached in doomed if attached.file])
    ActionFile.objects.filter(pk__in=[attached.pk for attached in doomed]).delete()
    position = max(ActionFile.objects.filter(action=action).values_list("position", flat=True), default=-1) + 1
    stored: list[str] = []
    try:
        for uploaded, file_type in files.uploads:
            attached = ActionFile(action=action, name=attachments.display_name(uploaded.name, file_type))
            attached.position, position = position, position + 1
            path = attached.file.field.generate_filename(attached, attachments.random_name(file_type))
            attached.file.name = _save_file(path, uploaded)
            stored.append(attached.file.name)
            attached.save()
        for item in added:
            ActionFile.objects.create(action=action, name=item["name"], file=item["path"], position=position)
            position += 1
    except BaseException:
        attachments.delete_now(stored)
        raise


def _save_file(path: str | None, uploaded, file_type=None) -> str:
    """Store an upload at `path` (a proposal's: under `actions/pending/`); a full disk refuses the whole save,
    in French, with nothing of the file left (the transaction rolls the sheet back)."""
    try:
        return attachments.save_file(path, uploaded) if path else attachments.store_upload(uploaded, file_type)
    except attachments.FileNotStored as error:
        raise EditRefused(str(error)) from error


def _file_ids(keys) -> list[int]:
    """The stored attachments among form keys (`pending:…` names uploads not yet approved)."""
    return [pk for pk in (whole_number(str(key), maximum=MAX_ID) for key in keys) if pk is not None]


def _check_file_count(count: int) -> None:
    if count > attachments.MAX_FILES_PER_SHEET:
        raise EditRefused(
            f"Une fiche peut avoir au plus {attachments.MAX_FILES_PER_SHEET} fichiers : retirez-en avant d'en ajouter."
        )


# --- proposals on published sheets ---------------------------------------------------------------


def _propose(action, pending, content: SheetContent, files: FileChanges, acting_user, request) -> SaveOutcome:
    if pending is None and not files and _same_content(content, SheetContent.of(action)):
        return SaveOutcome(action, None, changed=False)
    data = pending.data if pending is not None else {"files_added": [], "files_removed": []}
    added = [item for item in data["files_added"] if f"pending:{item['path']}" not in files.removed]
    dropped = [item["path"] for item in data["files_added"] if f"pending:{item['path']}" in files.removed]
    removed = sorted(set(data["files_removed"]) | {str(pk) for pk in _file_ids(files.removed)})
    kept = ActionFile.objects.filter(action=action).exclude(file="").exclude(pk__in=_file_ids(removed)).count()
    _check_file_count(kept + len(added) + len(files.uploads))
    stored = []
    try:
        for uploaded, file_type in files.uploads:
            path = _save_file(None, uploaded, file_type)
            stored.append(path)
            added.append({"name": attachments.display_name(uploaded.name, file_type), "path": path})
        data = {"content": content.to_json(), "files_added": added, "files_removed": removed}
        if pending is None:
            pending = PendingRevision.objects.create(action=action, data=data, submitted_by=acting_user)
        else:
            pending.data, pending.submitted_by, pending.version = data, acting_user, pending.version + 1
            pending.save()
    except BaseException:
        attachments.delete_now(stored)
        raise
    attachments.delete_after_commit(dropped)
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action, pending_revision=True)
    return SaveOutcome(action, pending)


def _same_content(content: SheetContent, stored: SheetContent) -> bool:
    """Whether the form says what the sheet says: lists compared in the order the sheet would keep them."""
    lists = {key: ordered_choices(stored.lists.get(key, []), ids) for key, ids in content.lists.items()}
    return SheetContent(content.texts, content.status_id, content.territory_id, lists) == stored


def _drop_pending(pending: PendingRevision) -> None:
    attachments.delete_after_commit([item["path"] for item in pending.data.get("files_added", [])])
    pending.delete()


@transaction.atomic
def approve_pending_revision(pending: PendingRevision, acting_user, request=None) -> Action:
    """Apply a proposal to its published sheet (the previous version goes to the history)."""
    action = Action.objects.select_for_update(of=("self",)).select_related("structure").get(pk=pending.action_id)
    if not perms.can_moderate_action(acting_user, action):
        raise PermissionDenied("Vous ne pouvez pas valider les modifications de cette fiche.")
    pending = PendingRevision.objects.select_for_update().filter(pk=pending.pk).first()
    if pending is None:
        raise EditConflict("Cette proposition a déjà été traitée.")
    previous = begin_action_change(action.pk)
    _apply_content(action, SheetContent.from_json(pending.data["content"]))
    removed = FileChanges(removed={str(pk) for pk in pending.data.get("files_removed", [])})
    _apply_files(action, removed, added=pending.data.get("files_added", []))
    author = pending.submitted_by
    pending.delete()
    record_action_change(action, previous, acting_user=acting_user, source="modification validée",
                         comment=f"Modification proposée par {author or 'un contributeur'}, validée")  # fmt: skip
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action, approved_revision=True)
    _notify_author(author, action, approved=True)
    return action


@transaction.atomic
def reject_pending_revision(pending: PendingRevision, acting_user, comment: str, request=None) -> None:
    """Discard a proposal (the published sheet is unchanged); the comment tells its author why."""
    comment = comment.strip()
    if not comment:
        raise EditRefused("Un commentaire est obligatoire : dites ce qui est à revoir.")
    action = Action.objects.select_for_update(of=("self",)).select_related("structure").get(pk=pending.action_id)
    if not perms.can_moderate_action(acting_user, action):
        raise PermissionDenied("Vous ne pouvez pas refuser les modifications de cette fiche.")
    pending = PendingRevision.objects.select_for_update().filter(pk=pending.pk).first()
    if pending is None:
        raise EditConflict("Cette proposition a déjà été traitée.")
    author = pending.submitted_by
    _drop_pending(pending)
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action,
              rejected_revision=True, comment=comment)  # fmt: skip
    _notify_author(author, action, approved=False, comment=comment)


def _notify_author(author, action: Action, *, approved: bool, comment: str = "") -> None:
    if author is None or not author.email:
        return
    context = {"action": action, "approved": approved, "comment": comment, "site_url": settings.SITE_URL}
    verb = "validée" if approved else "refusée"
    subject = f"Votre modification de la fiche « {one_line(action.title)[:80]} » a été {verb}"
    body = render_to_string("contribute/email/revision_decision.txt", context)
    transaction.on_commit(lambda: queue_email(subject, body, [author.email]))


# --- probable duplicates -------------------------------------------------------------------------


def similar_sheets(structure_id: int, title: str, summary: str, *, exclude_pk: int | None = None) -> list[dict]:
    """Sheets of the same structure that look like this one (title and summary similarity), best first:
    a warning for the person who writes, never a block."""
    title_key, summary_key = fold(title or ""), fold((summary or "")[:1000])
    if not title_key.strip():
        return []
    found = []
    rows = Action.objects.filter(structure_id=structure_id).exclude(pk=exclude_pk).values("id", "title", "summary",
                                                                                          "state")  # fmt: skip
    for row in rows:
        score = fuzz.token_sort_ratio(title_key, fold(row["title"]))
        if summary_key and row["summary"]:
            score = 0.6 * score + 0.4 * fuzz.token_set_ratio(summary_key, fold(row["summary"][:1000]))
        if score >= DUPLICATE_THRESHOLD:
            found.append({**row, "score": round(score), "state_label": ActionState(row["state"]).label})
    found.sort(key=lambda row: (-row["score"], row["id"]))
    return found[:DUPLICATE_LIMIT]
