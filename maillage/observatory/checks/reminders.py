"""Reminding the structures whose questionnaire is late (not started or in progress), by e-mail.

Used by the `send_questionnaire_reminders` command (cron, the whole country) and by the correspondents'
dashboard button (their departments). A structure reminded since `since` is not reminded twice; the reminder is
logged as a response event (`checking.send_reminder`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from ..models import Campaign, Response, ResponseStatus
from . import checking

LATE = (ResponseStatus.NOT_STARTED, ResponseStatus.IN_PROGRESS)
RESEND_AFTER_DAYS = 7  # the dashboard button reminds a structure at most once a week


@dataclass
class Outcome:
    """Who was reminded (or would be, in a dry run), who has no address, who was reminded recently."""

    reminded: list[Response] = field(default_factory=list)
    without_address: list[Response] = field(default_factory=list)
    skipped: int = 0


def late_responses(campaign: Campaign, *, user=None, department_id=None, create: bool) -> list[Response]:
    """The responses not transmitted, in the person's departments (all for None); structures without one get
    an unsaved (`create=False`, dry run) or new empty one."""
    questionnaires = {q.kind: q for q in campaign.questionnaires.all()}
    structures = checking.with_status(checking.expected_structures(campaign, user), campaign)
    if department_id is not None:
        structures = structures.filter(department_id=department_id)
    structures = structures.filter(response_status__in=LATE).order_by("department__code", "name")
    existing = {
        r.structure_id: r
        for r in Response.objects.filter(questionnaire__campaign=campaign, status__in=LATE).select_related(
            "questionnaire__campaign"
        )
    }
    late = []
    for structure in structures:
        response = existing.get(structure.pk)
        if response is None:
            response = Response(questionnaire=questionnaires[structure.kind], structure=structure)
            if create:
                response.save()
        response.structure = structure
        late.append(response)
    return late


def remind_late(
    campaign: Campaign, since: datetime.datetime, *, user=None, department_id=None, dry_run: bool = False
) -> Outcome:
    """E-mail every late structure not reminded since `since` (none in a dry run)."""
    late = late_responses(campaign, user=user, department_id=department_id, create=not dry_run)
    already = checking.reminded_since([r for r in late if r.pk], since)
    outcome = Outcome(skipped=len(already))
    for response in late:
        if response.pk in already:
            continue
        if dry_run:
            outcome.reminded.append(response)
            continue
        with transaction.atomic():
            sent = checking.send_reminder(response)
        (outcome.reminded if sent else outcome.without_address).append(response)
    return outcome
