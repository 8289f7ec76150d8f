"""Weekly digests: for each confirmed subscription, the sheets published since its last digest (or its
confirmation) that its search finds.

Every run takes one cut-off time: a digest lists the sheets published after the subscription's
`last_sent_at` and up to the cut-off, and moves `last_sent_at` to the cut-off in the same transaction as
the mail is queued, so that no sheet is listed twice nor skipped, even when the run is long. The
`send_email` task sends it, and tries again while the mail server does not answer.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from maillage.actions.models import Action
from maillage.jobs.mail import queue_message
from maillage.search.engine import parse_action_filters, search_actions
from maillage.search.params import InvalidParameter

from .models import AlertSubscription
from .services import absolute_url, purge_unconfirmed, unsubscribe_url

# Sheets listed in one digest; the link to the search gives the others.
MAX_LISTED_SHEETS = 20


@dataclass(frozen=True)
class DigestSheet:
    title: str
    structure: str
    department: str
    url: str


@dataclass(frozen=True)
class Digest:
    subscription: AlertSubscription
    sheets: list[DigestSheet]
    total: int
    search_url: str
    unsubscribe_url: str

    @property
    def more(self) -> int:
        return self.total - len(self.sheets)


@dataclass
class DigestReport:
    dry_run: bool = False
    checked: int = 0
    sent: int = 0
    nothing_new: int = 0
    invalid: int = 0
    purged: int = 0
    problems: list[str] = field(default_factory=list)


class NewSheetMatcher:
    """The sheets published in the window of a run, and which of them each search finds (once per search)."""

    def __init__(self, cutoff: dt.datetime):
        earliest = AlertSubscription.objects.confirmed().aggregate(since=Min(Coalesce("last_sent_at", "confirmed_at")))[
            "since"
        ]
        published = Action.objects.published().filter(published_at__lte=cutoff)
        if earliest is None:
            self.published_at = {}
        else:
            self.published_at = dict(published.filter(published_at__gt=earliest).values_list("id", "published_at"))
        self._matches: dict[str, list[int] | InvalidParameter] = {}

    def new_matches(self, query: str, since: dt.datetime) -> list[int]:
        """Ids of the sheets published after `since` that the search finds, the most recent first."""
        if not self.published_at:
            return []
        matches = self._matches.get(query)
        if matches is None:
            matches = self._matches[query] = self._search(query)
        if isinstance(matches, InvalidParameter):
            raise matches
        new = [pk for pk in matches if self.published_at[pk] > since]
        return sorted(new, key=lambda pk: (self.published_at[pk], pk), reverse=True)

    def _search(self, query: str) -> list[int] | InvalidParameter:
        try:
            filters = parse_action_filters(QueryDict(query))
        except InvalidParameter as error:
            return error
        return [pk for pk in search_actions(filters).ordered_ids() if pk in self.published_at]


def send_digests(
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    on_digest: Callable[[Digest], None] | None = None,
) -> DigestReport:
    """Send the digests that have news, purge expired unconfirmed subscriptions; `dry_run` changes nothing."""
    cutoff = now or timezone.now()
    report = DigestReport(dry_run=dry_run)
    report.purged = purge_unconfirmed(now=cutoff, dry_run=dry_run)
    matcher = NewSheetMatcher(cutoff)
    pks = list(AlertSubscription.objects.confirmed().order_by("pk").values_list("pk", flat=True))
    for pk in pks:
        report.checked += 1
        try:
            digest = process_subscription(pk, cutoff, matcher, dry_run=dry_run)
        except InvalidParameter as error:
            report.invalid += 1
            report.problems.append(f"alerte n° {pk} : la recherche n'est plus valable ({error.message})")
            continue
        if digest is None:
            report.nothing_new += 1
            continue
        report.sent += 1
        if on_digest:
            on_digest(digest)
    return report


def process_subscription(pk: int, cutoff: dt.datetime, matcher: NewSheetMatcher, *, dry_run: bool) -> Digest | None:
    """Decide and queue one digest, and move the subscription's window, in one transaction."""
    with transaction.atomic():
        subscription = AlertSubscription.objects.select_for_update().confirmed().filter(pk=pk).first()
        if subscription is None:  # unsubscribed while the run was going on
            return None
        since = subscription.last_sent_at or subscription.confirmed_at
        if since >= cutoff:
            return None
        ids = matcher.new_matches(subscription.query, since)
        digest = build_digest(subscription, ids) if ids else None
        if not dry_run:
            if digest is not None:
                queue_message(digest_message(digest))
            subscription.last_sent_at = cutoff
            subscription.save(update_fields=["last_sent_at"])
        return digest


def build_digest(subscription: AlertSubscription, ids: list[int]) -> Digest:
    shown = ids[:MAX_LISTED_SHEETS]
    actions = Action.objects.filter(pk__in=shown).select_related("structure__department").in_bulk()
    return Digest(
        subscription=subscription,
        sheets=[digest_sheet(actions[pk]) for pk in shown if pk in actions],
        total=len(ids),
        search_url=search_url(subscription.query),
        unsubscribe_url=unsubscribe_url(subscription),
    )


def digest_sheet(action: Action) -> DigestSheet:
    structure = action.structure
    department = structure.department if structure else None
    return DigestSheet(
        title=str(action),
        structure=structure.name if structure else "",
        department=department.name if department else "",
        url=absolute_url(action.get_absolute_url()),
    )


def search_url(query: str) -> str:
    """The followed search on the list page, the most recent sheets first."""
    recent = urlencode({"sort": "recent"})
    return absolute_url(f"{reverse('www:action-list')}?{query + '&' if query else ''}{recent}")


def digest_subject(digest: Digest) -> str:
    if digest.total == 1:
        return "Maillage : 1 nouvelle fiche pour votre recherche"
    return f"Maillage : {digest.total} nouvelles fiches pour votre recherche"


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The digest, plain text and HTML, with the one-click unsubscribe headers of RFC 8058."""
    context = {"digest": digest, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=digest_subject(digest),
        body=render_to_string("alerts/email/digest.txt", context),
        to=[digest.subscription.email],
        headers={
            "List-Unsubscribe": f"<{digest.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("alerts/email/digest.html", context), "text/html")
    return message
