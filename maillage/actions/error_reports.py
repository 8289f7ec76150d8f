"""« Signaler une erreur »: a reader's message about a published sheet, sent to the correspondents of the
department of its structure (national administrators when the department has none)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import CorrespondentScope, User
from maillage.accounts.perms import moderated_actions
from maillage.jobs.mail import queue_each
from maillage.site_url import site_url
from maillage.structures.models import SheetErrorReport

from .models import Action

MAX_MESSAGE_LENGTH = 2000


def report_recipients(action: Action) -> list[str]:
    """Addresses of the people who moderate the sheet's department, else of the national administrators."""
    department_id = action.structure.department_id if action.structure_id else None
    emails = []
    if department_id:
        emails = list(
            CorrespondentScope.objects.filter(department_id=department_id, user__is_active=True)
            .order_by("user__email")
            .values_list("user__email", flat=True)
            .distinct()
        )
    if not emails:
        emails = list(
            User.objects.filter(is_active=True, is_national_admin=True)
            .order_by("email")
            .values_list("email", flat=True)
        )
    return emails


def open_reports(user):
    """Reports not yet handled on the sheets `user` moderates (their departments; everywhere for national
    administrators), newest first."""
    return (
        SheetErrorReport.objects.filter(handled_at=None, action__in=moderated_actions(user))
        .select_related("action__structure__department")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def mark_handled(report: SheetErrorReport, *, acting_user) -> None:
    report.handled_at = timezone.now()
    report.handled_by = acting_user
    report.save(update_fields=["handled_at", "handled_by"])


@transaction.atomic
def report_error(action: Action, *, message: str, reply_to: str = "", acting_user=None) -> int:
    """Keep the report for the « À faire » page of the correspondents and queue it to each of them by e-mail once
    the transaction commits; returns how many will get it."""
    SheetErrorReport.objects.create(action=action, message=message, email=reply_to)
    recipients = report_recipients(action)
    sender = acting_user.email if acting_user is not None and acting_user.is_authenticated else ""
    context = {
        "action": action,
        "message": message,
        "reply_to": reply_to,
        "sender": sender,
        "link": site_url() + action.get_absolute_url(),
        "edit_link": site_url() + reverse("contribute:sheet-edit", kwargs={"pk": action.pk}),
        "site_url": settings.SITE_URL,
    }
    subject = f"Erreur signalée sur la fiche « {action.title[:80]} »"
    body = render_to_string("actions/email/error_report.txt", context)
    headers = {"Reply-To": reply_to} if reply_to else None
    transaction.on_commit(lambda: queue_each(subject, body, recipients, headers=headers))
    return len(recipients)
