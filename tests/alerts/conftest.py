"""Helpers for the e-mail alerts: published sheets with a publication date, subscriptions in any state."""

import datetime as dt

import pytest
from django.utils import timezone

from maillage.actions.models import Action, ActionKeyword, ActionState
from maillage.actions.services import record_action_change
from maillage.alerts.models import AlertSubscription
from maillage.alerts.searches import followed_search
from maillage.alerts.tokens import new_token
from maillage.referentials.models import Department, Keyword
from maillage.structures.models import Structure, StructureKind

SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


@pytest.fixture
def structure(db) -> Structure:
    return Structure.objects.create(
        name="Centre social des Lilas", department=Department.objects.get(code="69"), kind=StructureKind.CSX
    )


def make_action(structure, title, *, keywords=(), published_at=None, state=ActionState.PUBLISHED) -> Action:
    if published_at is None and state == ActionState.PUBLISHED:
        published_at = timezone.now()
    action = Action.objects.create(structure=structure, title=title, state=state, year=2024, published_at=published_at)
    for position, label in enumerate(keywords):
        ActionKeyword.objects.create(action=action, item=Keyword.objects.get(label=label), position=position)
    record_action_change(action, None, acting_user=None, source="test")
    return action


def make_subscription(
    email="lecteur@example.org", query="", *, confirmed_at=None, sent_at=None, last_sent_at=None
) -> tuple[AlertSubscription, str]:
    """A subscription (confirmed when `confirmed_at` is given) and its confirmation token."""
    search = followed_search(query)
    sent_at = sent_at or confirmed_at or timezone.now()
    subscription = AlertSubscription(
        email=email,
        query=search.query,
        description=search.description,
        unsubscribe_token=new_token(),
        created_at=sent_at,
        confirmation_sent_at=sent_at,
        confirmed_at=confirmed_at,
        last_sent_at=last_sent_at,
    )
    token = subscription.new_confirm_token()
    subscription.save()
    return subscription, token


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
