"""Subscribing, confirming and unsubscribing. Every change is one transaction; mail leaves on commit.

The visitor always gets the same answer, whatever happened to the request (new subscription, new
confirmation link, address already following the search, limit reached): the outcome is returned for
logs and tests, never shown, so that nobody learns whether an address follows a search.
"""

import datetime as dt
import enum
import functools

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.jobs.mail import queue_message

from .models import AlertSubscription
from .querysets import CONFIRMATION_VALIDITY
from .searches import FollowedSearch
from .tokens import is_well_formed, new_token

# Searches an address may follow (confirmed, or waiting for a valid confirmation).
MAX_SUBSCRIPTIONS_PER_EMAIL = 20
# A confirmation e-mail is sent again for the same search only after this delay (no mail bombing).
CONFIRMATION_RESEND_DELAY = dt.timedelta(minutes=15)


class Outcome(enum.Enum):
    CREATED = "created"
    RESENT = "resent"
    TOO_SOON = "too soon"
    ALREADY_CONFIRMED = "already confirmed"
    LIMIT_REACHED = "limit reached"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(token: str) -> str:
    return absolute_url(reverse("www:alert-confirm", kwargs={"token": token}))


def unsubscribe_url(subscription: AlertSubscription) -> str:
    return absolute_url(reverse("www:alert-unsubscribe", kwargs={"token": subscription.unsubscribe_token}))


def request_subscription(email: str, search: FollowedSearch, *, now: dt.datetime | None = None) -> Outcome:
    """Create (or renew) an unconfirmed subscription and send its confirmation link on commit."""
    now = now or timezone.now()
    email = normalize_email(email)
    try:
        with transaction.atomic():
            return _request_subscription(email, search, now)
    except IntegrityError:
        # The same request, sent twice at once: the other one sends the confirmation.
        return Outcome.TOO_SOON


def _request_subscription(email: str, search: FollowedSearch, now: dt.datetime) -> Outcome:
    existing = AlertSubscription.objects.select_for_update().filter(email=email, query=search.query).first()
    if existing is not None and existing.is_confirmed:
        return Outcome.ALREADY_CONFIRMED
    expired = existing is not None and existing.confirmation_sent_at < now - CONFIRMATION_VALIDITY
    if existing is not None and not expired and existing.confirmation_sent_at > now - CONFIRMATION_RESEND_DELAY:
        return Outcome.TOO_SOON
    if (existing is None or expired) and _limit_reached(email, now):
        return Outcome.LIMIT_REACHED
    subscription = existing or AlertSubscription(
        email=email, query=search.query, unsubscribe_token=new_token(), created_at=now
    )
    subscription.description = search.description
    subscription.confirmation_sent_at = now
    token = subscription.new_confirm_token()
    subscription.save()
    transaction.on_commit(functools.partial(send_confirmation, subscription.pk, token), robust=True)
    return Outcome.CREATED if existing is None else Outcome.RESENT


def _limit_reached(email: str, now: dt.datetime) -> bool:
    return AlertSubscription.objects.for_email(email).active(now).count() >= MAX_SUBSCRIPTIONS_PER_EMAIL


def send_confirmation(subscription_id: int, token: str) -> None:
    subscription = AlertSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return
    context = {
        "subscription": subscription,
        "confirm_url": confirm_url(token),
        "validity_days": CONFIRMATION_VALIDITY.days,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject="Maillage : confirmez votre alerte par e-mail",
        body=render_to_string("alerts/email/confirmation.txt", context),
        to=[subscription.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("alerts/email/confirmation.html", context), "text/html")
    queue_message(message)


def subscription_to_confirm(token: str) -> AlertSubscription | None:
    """The subscription of a confirmation link that is still valid (confirmed ones stay reachable)."""
    if not is_well_formed(token):
        return None
    return AlertSubscription.objects.by_confirm_token(token).first()


def subscription_to_unsubscribe(token: str) -> AlertSubscription | None:
    if not is_well_formed(token):
        return None
    return AlertSubscription.objects.by_unsubscribe_token(token).first()


def confirm_subscription(subscription: AlertSubscription, *, now: dt.datetime | None = None) -> bool:
    """Confirm; returns False when it was confirmed already. Digests list sheets published after this."""
    updated = AlertSubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=now or timezone.now()
    )
    subscription.refresh_from_db(fields=["confirmed_at"])
    return bool(updated)


def unsubscribe(subscription: AlertSubscription) -> None:
    """Forget the subscription, e-mail address included."""
    AlertSubscription.objects.filter(pk=subscription.pk).delete()


def purge_unconfirmed(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete the subscriptions whose confirmation link expired; returns how many."""
    expired = AlertSubscription.objects.expired_unconfirmed(now)
    if dry_run:
        return expired.count()
    deleted, _ = expired.delete()
    return deleted
