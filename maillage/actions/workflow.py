"""The life of a sheet, declared in one place: brouillon → soumise → publiée, or renvoyée (with a
comment) back to the structure; archivée hides a sheet without deleting it.

Every transition is one call, `transition(action, to_state, acting_user=…, comment=…)`: it checks who
may make it, changes the state through the services that keep history, search index and facet counts
right, logs who/when/why (`ActionTransition` and the audit log), and tells the structure by e-mail
once the transaction is committed when its sheet is published or returned.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.accounts import perms
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.jobs.mail import queue_each
from maillage.validators import one_line

from .models import Action, ActionState, ActionTransition
from .services import begin_action_change, record_action_change

State = ActionState
EDITOR, MODERATOR = "editor", "moderator"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    who: str  # EDITOR: the structure's members (and moderators); MODERATOR: correspondents, admins
    verb: str  # what the button says
    comment_required: bool = False


MOVES = (
    Move(State.DRAFT, State.SUBMITTED, EDITOR, "Soumettre pour publication"),
    Move(State.RETURNED, State.SUBMITTED, EDITOR, "Soumettre à nouveau"),
    Move(State.SUBMITTED, State.PUBLISHED, MODERATOR, "Publier"),
    Move(State.SUBMITTED, State.RETURNED, MODERATOR, "Renvoyer à la structure", comment_required=True),
    Move(State.PUBLISHED, State.RETURNED, MODERATOR, "Dépublier et renvoyer", comment_required=True),
    Move(State.PUBLISHED, State.ARCHIVED, EDITOR, "Archiver"),
    Move(State.DRAFT, State.ARCHIVED, EDITOR, "Archiver"),
    Move(State.RETURNED, State.ARCHIVED, EDITOR, "Archiver"),
    Move(State.ARCHIVED, State.DRAFT, EDITOR, "Remettre en brouillon"),
)
NOTIFIED = {State.PUBLISHED: "publiée", State.RETURNED: "renvoyée"}


class TransitionError(ValueError):
    """A transition that cannot be made; the message is in French, for the person who asked."""


def allowed_moves(user, action: Action) -> list[Move]:
    """The transitions this person may make on this sheet now (for buttons and checks)."""
    return [move for move in MOVES if move.source == action.state and _may(user, action, move)]


def _may(user, action: Action, move: Move) -> bool:
    if move.who == MODERATOR:
        return perms.can_moderate_action(user, action)
    return perms.can_edit_action(user, action)


@transaction.atomic
def transition(action: Action, target: str, *, acting_user, comment: str = "", request=None) -> ActionTransition:
    action = Action.objects.select_for_update(of=("self",)).select_related("structure").get(pk=action.pk)
    move = next((move for move in MOVES if move.source == action.state and move.target == target), None)
    if move is None:
        raise TransitionError(
            f"Une fiche {action.get_state_display()} ne peut pas devenir {State(target).label}."
            if target in State.values
            else "État inconnu."
        )
    if not _may(acting_user, action, move):
        raise PermissionDenied("Vous ne pouvez pas faire ce changement sur cette fiche.")
    comment = comment.strip()
    if move.comment_required and not comment:
        raise TransitionError("Un commentaire est obligatoire pour renvoyer une fiche : dites ce qui est à revoir.")
    previous = begin_action_change(action.pk)
    action.state = target
    if target == State.PUBLISHED:
        action.published_at = timezone.now()
    action.save(update_fields=["state", "published_at", "updated_at"])
    record_action_change(action, previous, acting_user=acting_user, source="workflow", comment=comment or move.verb)
    logged = ActionTransition.objects.create(
        action=action, source=move.source, target=target, acting_user=acting_user, comment=comment
    )
    log_event(AuditAction.TRANSITION, actor=acting_user, request=request, target=action,
              from_state=move.source, to_state=target, comment=comment)  # fmt: skip
    if target in NOTIFIED:
        transaction.on_commit(lambda: notify_structure(logged))
    return logged


def latest_returns(action_ids) -> dict[int, ActionTransition]:
    """The last return of each of these sheets (who, when, the comment), in one query: what the structure
    reads at the top of the sheet's form and in its list of sheets."""
    returns = (
        ActionTransition.objects.filter(action_id__in=list(action_ids), target=State.RETURNED)
        .select_related("acting_user")
        .order_by("action_id", "-created_at", "-id")
    )
    latest: dict[int, ActionTransition] = {}
    for logged in returns:
        latest.setdefault(logged.action_id, logged)
    return latest


RETURN_FIELDS = ("returned_at", "returned_comment", "returned_by")


def with_last_return(sheets):
    """Annotate each sheet with its last return (`returned_at`, `returned_comment`, `returned_by`): the
    same query lists the sheets and the reason they came back, whatever their number."""
    last = ActionTransition.objects.filter(action=OuterRef("pk"), target=State.RETURNED).order_by("-created_at", "-id")
    by = Coalesce(NullIf("acting_user__full_name", Value("")), "acting_user__email", output_field=CharField())
    return sheets.annotate(
        returned_at=Subquery(last.values("created_at")[:1]),
        returned_comment=Subquery(last.values("comment")[:1]),
        returned_by=Subquery(last.annotate(by=by).values("by")[:1]),
    )


def notify_structure(logged: ActionTransition) -> int:
    """E-mail the structure's members (or its contact address) that their sheet was published or returned."""
    action = logged.action
    structure = action.structure
    if structure is None:
        return 0
    recipients = sorted(set(structure.memberships.values_list("user__email", flat=True))) or (
        [structure.email] if structure.email else []
    )
    if not recipients:
        return 0
    context = {"action": action, "logged": logged, "verb": NOTIFIED[logged.target], "site_url": settings.SITE_URL}
    subject = f"Votre fiche « {one_line(action.title)[:80]} » a été {NOTIFIED[logged.target]}"
    body = render_to_string("actions/email/transition.txt", context)
    return queue_each(subject, body, recipients)
