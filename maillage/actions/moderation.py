"""What correspondents review: the moderation queue, probable duplicates, stale sheets, orphan structures.

Reads are scoped by `accounts.perms.moderated_actions` (a correspondent's departments, everything for
national administrators). Writes (merging two sheets, dismissing a duplicate flag, reminding structures
of stale sheets) are services that check permissions, keep the history and write the audit log.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.utils import timezone
from rapidfuzz import fuzz, process

from maillage.accounts import perms
from maillage.accounts.models import Membership
from maillage.audit.models import AuditAction, AuditEvent
from maillage.audit.services import log_event
from maillage.exchange.action_json import action_records
from maillage.history.models import Revision
from maillage.jobs.mail import queue_each
from maillage.parameters import MAX_ID, whole_number
from maillage.referentials.models import Department
from maillage.referentials.text import match_key
from maillage.structures.models import Structure

from .models import Action, ActionState, ActionTransition
from .services import delete_action

# A published sheet not updated for two years is "à actualiser"; its structure is reminded at most
# once every six months.
STALE_AFTER = timedelta(days=730)
REMIND_EVERY = timedelta(days=182)
# Titles at least this similar (rapidfuzz token-sort ratio on match keys) make a probable duplicate.
SIMILAR_TITLE_SCORE = 90
# Above this many sheets in one department, title pairs are not computed (quadratic); flags still show.
MAX_SHEETS_COMPARED = 5000
MERGED, DISMISSED = "duplicate_merged", "duplicate_dismissed"
# Seconds a person's tab counts are kept: they show on every moderation page, duplicates cost a comparison.
TAB_COUNTS_TTL = 60


class MergeError(ValueError):
    """Two sheets that cannot be merged; the message is in French."""


# Reads ----------------------------------------------------------------------------------------------


def is_moderator(user) -> bool:
    return perms.is_national_admin(user) or perms.is_correspondent(user)


def moderated_departments(user):
    departments = Department.objects.order_by("code")
    return departments if perms.is_national_admin(user) else departments.filter(id__in=perms.department_ids(user))


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - STALE_AFTER


def is_stale(action: Action, now: datetime | None = None) -> bool:
    """A published sheet not updated for two years (the "À actualiser" badge)."""
    return action.state == ActionState.PUBLISHED and action.updated_at < stale_before(now)


def stale_actions(queryset=None, now: datetime | None = None):
    queryset = Action.objects.all() if queryset is None else queryset
    return queryset.filter(state=ActionState.PUBLISHED, updated_at__lt=stale_before(now))


def mark_stale(actions, now: datetime | None = None) -> None:
    """Set `is_stale` on each sheet (for the "À actualiser" badge of a list)."""
    for action in actions:
        action.is_stale = is_stale(action, now)


@dataclass(frozen=True)
class QueueFilters:
    state: str = ActionState.SUBMITTED
    department_id: int | None = None
    structure_id: int | None = None
    duplicates: bool = False
    stale: bool = False


def moderation_queue(user, filters: QueueFilters, now: datetime | None = None):
    """Sheets in the person's scope, oldest change first."""
    sheets = perms.moderated_actions(user).filter(state=filters.state)
    if filters.department_id is not None:
        sheets = sheets.filter(structure__department_id=filters.department_id)
    if filters.structure_id is not None:
        sheets = sheets.filter(structure_id=filters.structure_id)
    if filters.duplicates:
        sheets = sheets.filter(probable_duplicate_of__isnull=False)
    if filters.stale:
        sheets = stale_actions(sheets, now)
    return sheets.select_related("structure__department", "probable_duplicate_of").order_by("updated_at", "id")


def orphan_structures(user):
    """Structures of the person's departments that have no member at all."""
    structures = Structure.objects.all()
    if not perms.is_national_admin(user):
        structures = structures.filter(department_id__in=perms.department_ids(user))
    has_member = Exists(Membership.objects.filter(structure=OuterRef("pk")))
    return structures.filter(~has_member).select_related("department").order_by("department__code", "name")


@dataclass
class DuplicatePair:
    """Two sheets that may say the same thing: `flagged` by the importer or found by `score` of titles."""

    first: Action
    second: Action
    flagged: bool = False
    score: float | None = None
    reasons: list[str] = field(default_factory=list)


def probable_duplicates(user, *, department_id: int | None = None, limit: int = 200) -> list[DuplicatePair]:
    """The importer's flags in the person's scope, then pairs of sheets of different structures of the
    same department whose titles are very similar (dismissed pairs left out)."""
    scope = perms.moderated_actions(user).exclude(state=ActionState.ARCHIVED)
    if department_id is not None:
        scope = scope.filter(structure__department_id=department_id)
    dismissed = dismissed_pairs()
    pairs: dict[frozenset, DuplicatePair] = {}
    flagged = scope.filter(probable_duplicate_of__isnull=False).select_related(
        "structure__department", "probable_duplicate_of__structure__department"
    )
    for action in flagged.order_by("id")[:limit]:
        key = frozenset((action.pk, action.probable_duplicate_of_id))
        pairs[key] = DuplicatePair(action, action.probable_duplicate_of, flagged=True, reasons=["signalé à l'import"])
    for first_id, second_id, score in _similar_title_pairs(scope):
        key = frozenset((first_id, second_id))
        if key in dismissed:
            continue
        if key in pairs:
            pairs[key].score = score
            continue
        if len(pairs) >= limit:
            break
        pairs[key] = DuplicatePair(first_id, second_id, score=score)
    _load_pair_sheets(pairs.values())
    return list(pairs.values())


def _similar_title_pairs(scope) -> list[tuple[int, int, float]]:
    rows = scope.exclude(title="").values_list("id", "title", "structure_id", "structure__department_id")
    by_department: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, title, structure_id, department_id in rows.order_by("id"):
        if department_id is not None:
            by_department[department_id].append((pk, match_key(title), structure_id))
    found = []
    for sheets in by_department.values():
        if len(sheets) < 2 or len(sheets) > MAX_SHEETS_COMPARED:
            continue
        titles = [title for _, title, _ in sheets]
        for i, (first_id, title, structure_id) in enumerate(sheets[:-1]):
            # `process.extract` (not `cdist`, which needs numpy) compares in C; limit=None keeps every match.
            matches = process.extract(
                title, titles[i + 1 :], scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_TITLE_SCORE, limit=None
            )
            for _, score, offset in matches:
                second_id, _, second_structure = sheets[i + 1 + offset]
                if second_structure != structure_id:
                    found.append((first_id, second_id, float(score)))
    found.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return found


def _load_pair_sheets(pairs) -> None:
    """Replace the ids of title pairs by sheets, in one query."""
    ids = {pk for pair in pairs for pk in (pair.first, pair.second) if isinstance(pk, int)}
    sheets = Action.objects.select_related("structure__department").in_bulk(ids)
    for pair in pairs:
        if isinstance(pair.first, int):
            pair.first, pair.second = sheets[pair.first], sheets[pair.second]
            pair.reasons.append(f"titres semblables à {pair.score:.0f} %")
        elif pair.score is not None:
            pair.reasons.append(f"titres semblables à {pair.score:.0f} %")


def dismissed_pairs() -> set[frozenset]:
    """Pairs a moderator said are not duplicates (read from the audit log, where dismissals are kept)."""
    events = AuditEvent.objects.filter(
        action=AuditAction.SHEET_EDITED, object_type=Action._meta.label_lower, details__operation=DISMISSED
    ).values_list("object_id", "details")
    return {frozenset((int(object_id), details.get("other_id"))) for object_id, details in events}


@dataclass(frozen=True)
class TabCounts:
    """What each tab of the moderation pages holds, in the person's scope."""

    submitted: int
    pending: int
    duplicates: int
    stale: int
    orphans: int


def tab_counts(user, now: datetime | None = None) -> TabCounts:
    """The counts shown on the moderation tabs, in a fixed number of queries whatever the data: submitted
    and stale sheets in one aggregate, proposals and orphan structures in one count each, the probable
    duplicates (a comparison of titles, the costly one). The tabs keep them a minute (`TAB_COUNTS_TTL`)."""
    sheets = perms.moderated_actions(user).aggregate(
        submitted=Count("id", filter=Q(state=ActionState.SUBMITTED)),
        stale=Count("id", filter=Q(state=ActionState.PUBLISHED, updated_at__lt=stale_before(now))),
    )
    return TabCounts(
        submitted=sheets["submitted"],
        pending=pending_revisions(user).count(),
        duplicates=len(probable_duplicates(user)),
        stale=sheets["stale"],
        orphans=orphan_structures(user).count(),
    )


def tab_counts_key(user) -> str:
    return f"moderation:tabs:{user.pk}"


def forget_tab_counts(user) -> None:
    """After a person's own decision, their tabs count again at once (others' within a minute)."""
    cache.delete(tab_counts_key(user))


# Writes ---------------------------------------------------------------------------------------------


def _check_moderates(user, *actions: Action) -> None:
    if not all(perms.can_moderate_action(user, action) for action in actions):
        raise PermissionDenied("Vous ne modérez pas ces fiches.")


@dataclass(frozen=True)
class FieldComparison:
    """One field of two sheets side by side, as shown before a merge."""

    label: str
    kept: str
    removed: str

    @property
    def differs(self) -> bool:
        return self.kept != self.removed


def compare_sheets(kept: Action, removed: Action) -> list[FieldComparison]:
    """Both sheets field by field, in the order of the sheet (read in one batch of queries)."""
    from .history import FIELD_LABELS

    records = action_records([kept.pk, removed.pk])
    return [
        FieldComparison(label, _shown(records[kept.pk].get(key)), _shown(records[removed.pk].get(key)))
        for key, label in FIELD_LABELS.items()
    ]


def _shown(value) -> str:
    if isinstance(value, dict):  # the structure
        return " — ".join(part for part in (value.get("name"), value.get("department")) if part)
    if isinstance(value, list):
        return ", ".join(value)
    return value or ""


def across_structures(first: Action, second: Action) -> bool:
    return first.structure_id != second.structure_id


@transaction.atomic
def merge_actions(
    kept: Action, removed: Action, *, acting_user, allow_across_structures: bool = False, request=None
) -> Action:
    """Keep `kept`, delete `removed`: the removed sheet's transitions and previous versions (and its
    last state) move to the kept sheet, so that the history of both stays readable in one place.

    Sheets of two different structures are not merged unless the moderator says so explicitly
    (`allow_across_structures`). Two centres sociaux of one department often run actions with the same
    name (« Jardin partagé », « Café des parents »): each sheet is its structure's own account of its own
    work, and a merge would delete one structure's sheet from its space. So the moderator who opens such
    a pair is told that the structures differ, and the expected answer is « Ignorer »; an action led
    together and entered by both partners can still be merged, by ticking a box that says what happens.
    Sheets of one structure (an import run twice, a sheet typed again) merge without the question."""
    if kept.pk == removed.pk:
        raise MergeError("Choisissez deux fiches différentes.")
    _check_moderates(acting_user, kept, removed)
    if across_structures(kept, removed) and not allow_across_structures:
        raise MergeError(
            "Ces fiches appartiennent à deux structures différentes : elles ne sont fusionnées que si vous "
            "cochez « Fusionner quand même ». Si ce sont deux actions distinctes, choisissez plutôt « Ignorer »."
        )
    removed_id = removed.pk  # `delete()` sets `removed.pk` to None
    removed_label = f"fiche n° {removed_id} « {removed.title[:120]} »"
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=removed,
              operation=MERGED, kept_id=kept.pk, removed_id=removed.pk)  # fmt: skip
    ActionTransition.objects.filter(action=removed).update(
        action=kept, comment=Concat(Value(f"[{removed_label}] "), "comment")
    )
    Action.objects.filter(probable_duplicate_of=removed).exclude(pk=kept.pk).update(probable_duplicate_of=kept)
    Action.objects.filter(pk=kept.pk, probable_duplicate_of=removed).update(probable_duplicate_of=None)
    delete_action(removed, acting_user=acting_user, source=f"fusion dans la fiche n° {kept.pk}")
    content_type = ContentType.objects.get_for_model(Action)
    Revision.objects.filter(content_type=content_type, object_id=removed_id).update(
        object_id=kept.pk, comment=Concat(Value(f"[{removed_label}] "), "comment")
    )
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=kept,
              operation=MERGED, kept_id=kept.pk, removed_id=removed_id, removed_title=removed.title[:300])  # fmt: skip
    forget_tab_counts(acting_user)
    kept.refresh_from_db()
    return kept


@transaction.atomic
def dismiss_duplicate(action: Action, other: Action, *, acting_user, request=None) -> None:
    """Say that two sheets are not duplicates: clears the importer's flag between them and remembers
    the dismissal (audit log) so that the pair is not proposed again."""
    if action.pk == other.pk:
        raise MergeError("Choisissez deux fiches différentes.")
    _check_moderates(acting_user, action, other)
    Action.objects.filter(
        Q(pk=action.pk, probable_duplicate_of=other) | Q(pk=other.pk, probable_duplicate_of=action)
    ).update(probable_duplicate_of=None)
    log_event(AuditAction.SHEET_EDITED, actor=acting_user, request=request, target=action,
              operation=DISMISSED, other_id=other.pk)  # fmt: skip
    forget_tab_counts(acting_user)
    action.refresh_from_db(fields=["probable_duplicate_of"])


# Freshness reminders --------------------------------------------------------------------------------


@dataclass
class Reminder:
    structure: Structure
    sheets: list[Action]
    recipients: list[str]


@dataclass
class ReminderReport:
    dry_run: bool = False
    structures: int = 0
    sheets: int = 0
    messages: int = 0
    without_recipient: list[str] = field(default_factory=list)


def sheets_to_remind(now: datetime | None = None):
    """Stale published sheets of a structure not reminded in the last six months."""
    now = now or timezone.now()
    never_or_long_ago = Q(stale_reminded_at__isnull=True) | Q(stale_reminded_at__lt=now - REMIND_EVERY)
    return (
        stale_actions(now=now)
        .filter(never_or_long_ago, structure__isnull=False)
        .select_related("structure")
        .order_by("structure_id", "updated_at", "id")
    )


def send_freshness_reminders(*, dry_run: bool = False, now: datetime | None = None, on_reminder=None) -> ReminderReport:
    """E-mail each structure (its members, else its contact address) the list of its stale sheets, and
    remember when, so that a sheet is not reminded again for six months.

    Structure by structure, the e-mails are queued (the `send_email` task sends them, and tries again while the
    mail server does not answer) and the sheets marked, in one transaction."""
    now = now or timezone.now()
    report = ReminderReport(dry_run=dry_run)
    for reminder in reminders(now):
        if not reminder.recipients:
            report.without_recipient.append(reminder.structure.name)
            continue
        if on_reminder is not None:
            on_reminder(reminder)
        subject, body = _reminder_message(reminder.structure, reminder.sheets)
        if not dry_run:
            with transaction.atomic():
                queue_each(subject, body, reminder.recipients)
                # Not a change of content: `update()` leaves `updated_at` (and the freshness) alone.
                Action.objects.filter(pk__in=[action.pk for action in reminder.sheets]).update(stale_reminded_at=now)
        report.structures += 1
        report.sheets += len(reminder.sheets)
        report.messages += len(reminder.recipients)
    return report


def reminders(now: datetime | None = None) -> list[Reminder]:
    by_structure: dict[int, list[Action]] = defaultdict(list)
    for action in sheets_to_remind(now):
        by_structure[action.structure_id].append(action)
    emails = _member_emails(by_structure)
    found = []
    for structure_id, sheets in by_structure.items():
        structure = sheets[0].structure
        recipients = emails.get(structure_id) or ([structure.email] if structure.email else [])
        found.append(Reminder(structure, sheets, recipients))
    return found


def _member_emails(by_structure) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = defaultdict(list)
    members = Membership.objects.filter(structure_id__in=list(by_structure), user__is_active=True)
    for structure_id, email in members.order_by("user__email").values_list("structure_id", "user__email"):
        emails[structure_id].append(email)
    return emails


def _reminder_message(structure: Structure, sheets: list[Action]) -> tuple[str, str]:
    context = {"structure": structure, "sheets": sheets, "site_url": settings.SITE_URL, "years": 2}
    count = len(sheets)
    subject = f"{count} fiche{'s' if count > 1 else ''} action à actualiser sur Maillage"
    return subject, render_to_string("moderation/email/freshness_reminder.txt", context)


# Pending revisions of published sheets -------------------------------------------------------------


def pending_revisions(user):
    """Changes proposed to published sheets of the person's scope, oldest first."""
    from .models import PendingRevision

    return (
        PendingRevision.objects.filter(action__in=perms.moderated_actions(user))
        .select_related("action__structure__department", "submitted_by")
        .order_by("updated_at", "id")
    )


def proposed_record(pending) -> dict:
    """The record the sheet would have once the proposal is approved (to show what changes)."""
    from maillage.referentials.models import CLOSED_LISTS

    from .editing import ordered_choices
    from .models import LIST_RELATIONS
    from .services import action_snapshot

    record = dict(action_snapshot(pending.action_id))
    content = pending.data.get("content", {})
    record.update({key: value for key, value in content.get("texts", {}).items() if key in record})
    for key in ("status", "territory"):
        item_id = content.get(key)
        record[key] = CLOSED_LISTS[key].objects.filter(pk=item_id).values_list("label", flat=True).first()
    for key, ids in content.get("lists", {}).items():
        through = LIST_RELATIONS[key][0]
        existing = through.objects.filter(action_id=pending.action_id).order_by("position", "id")
        # In the order the approval will give them (not the form's), so that no order change is shown by mistake.
        ids = ordered_choices(list(existing.values_list("item_id", flat=True)), ids)
        labels = dict(CLOSED_LISTS[key].objects.filter(pk__in=ids).values_list("pk", "label"))
        record[key] = [labels[pk] for pk in ids if pk in labels]
    removed = {whole_number(str(pk), maximum=MAX_ID) for pk in pending.data.get("files_removed", [])} - {None}
    kept = pending.action.files.exclude(pk__in=removed).order_by("position", "id")
    record["files"] = [*kept.values_list("name", flat=True), *(f["name"] for f in pending.data.get("files_added", []))]
    return record
