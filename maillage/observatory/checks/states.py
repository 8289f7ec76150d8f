"""The states of a structure's questionnaire (its `Response`) and the one function that changes them.

    non commencé → en cours (first save) → transmis (`filling.submit`)
    transmis → renvoyé (`checking.return_response`, with a comment) → transmis again
    transmis → validé (`checking.validate_response`)
    any state → validé (`past_import.store`: answers of past campaigns are data already checked)

`move` saves the new state, writes the `ResponseEvent` (who, when, from which state, why) and the audit log
(`AuditAction.QUESTIONNAIRE_STATUS`), in the caller's transaction; the services check the person's rights and the
business rules (a complete questionnaire, settled flags) before calling it. Reminders are events without a change
of state (`note_reminder`). Two paths write no audit entry on purpose: the import of past answers, which logs one
`AuditAction.IMPORT` entry for the whole file (`audit=False`), and the demo generator (`demo.py`), which
bulk-creates invented responses directly in their final state, without events, for speed.
"""

from __future__ import annotations

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event

from ..models import Response, ResponseEvent, ResponseStatus

S = ResponseStatus
MOVES: dict[str, frozenset[str]] = {
    # → transmis: a response created empty by a reminder, submitted as it is when nothing blocks (`filling.submit`)
    S.NOT_STARTED: frozenset({S.IN_PROGRESS, S.SUBMITTED, S.VALIDATED}),
    S.IN_PROGRESS: frozenset({S.SUBMITTED, S.VALIDATED}),
    S.SUBMITTED: frozenset({S.RETURNED, S.VALIDATED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.VALIDATED}),
    S.VALIDATED: frozenset({S.VALIDATED}),  # a past campaign's response imported again from a corrected file
}


def move(
    response: Response,
    target: str,
    *,
    acting_user,
    comment: str = "",
    request=None,
    also_save: tuple[str, ...] = (),
    audit: bool = True,
) -> ResponseEvent:
    """Move `response` to `target`: save it, log the `ResponseEvent` and (unless `audit` is false) the audit entry.

    An existing response saves only its state, `updated_at` and the fields the caller changed with it
    (`also_save`), so that a move never writes back answers read earlier; a new response is created whole.
    A move not declared in `MOVES` is a programming error (`ValueError`), not a person's."""
    source = response.status
    if target not in MOVES[source]:
        raise ValueError(f"A questionnaire cannot move from {source!r} to {target!r}.")
    response.status = target
    if response.pk is None:
        response.save()
    else:
        response.save(update_fields=["status", "updated_at", *also_save])
    event = ResponseEvent.objects.create(
        response=response, source=source, target=target, acting_user=acting_user, comment=comment
    )
    if audit:
        log_event(AuditAction.QUESTIONNAIRE_STATUS, actor=acting_user, request=request, target=response,
                  from_status=source, to_status=target, comment=comment)  # fmt: skip
    return event


def note_reminder(response: Response, comment: str) -> ResponseEvent:
    """Log an e-mail reminder as an event with no change of state (source and target are the same)."""
    return ResponseEvent.objects.create(response=response, source=response.status, target=response.status,
                                        comment=comment)  # fmt: skip
