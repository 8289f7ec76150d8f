"""The admin lists subscriptions, e-mail addresses included, only to those given the permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from maillage.accounts.models import User
from maillage.alerts.models import AlertSubscription
from tests.logins import log_in

from .conftest import days_ago, make_subscription

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:alerts_alertsubscription_changelist")


def staff(client, *permissions):
    user = User.objects.create_user(email="correspondant@example.org", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    log_in(client, user)
    return client


def test_national_administrators_see_the_subscriptions(client, django_assert_max_num_queries):
    for number in range(5):
        make_subscription(f"lecteur{number}@example.org", "keyword=Culture", confirmed_at=days_ago(1))
    staff(client, "view_alertsubscription", "delete_alertsubscription")
    with django_assert_max_num_queries(11):  # the second factor's device is one of them
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "lecteur4@example.org" in html
    assert "Mots clés : Culture" in html


def test_the_change_page_never_shows_the_tokens(client):
    subscription, token = make_subscription(query="keyword=Culture")
    staff(client, "view_alertsubscription")
    response = client.get(reverse("admin:alerts_alertsubscription_change", args=[subscription.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert subscription.email in html
    for secret in (token, subscription.unsubscribe_token, subscription.confirm_token_hash):
        assert secret not in html


def test_other_staff_do_not_see_the_addresses(client):
    make_subscription(query="keyword=Culture")
    staff(client)
    assert client.get(CHANGELIST).status_code == 403


def test_subscriptions_are_not_added_by_hand_but_can_be_deleted(client):
    subscription, _ = make_subscription(query="keyword=Culture")
    staff(client, "view_alertsubscription", "add_alertsubscription", "delete_alertsubscription")
    assert client.get(reverse("admin:alerts_alertsubscription_add")).status_code == 403
    response = client.post(reverse("admin:alerts_alertsubscription_delete", args=[subscription.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AlertSubscription.objects.exists()
