"""Subscribing to a search by e-mail: double opt-in, no enumeration, limits, one-click unsubscribe."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.alerts.models import AlertSubscription
from maillage.alerts.services import MAX_SUBSCRIPTIONS_PER_EMAIL
from maillage.alerts.tokens import token_hash
from maillage.search.facets import facet_index

from .conftest import ESCAPED_SCRIPT, SCRIPT, days_ago, make_subscription

pytestmark = pytest.mark.django_db

SUBSCRIBE_URL = reverse("www:alert-subscribe")
QUERY = "q=v%C3%A9lo&keyword=Culture"


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """POST the subscription form; mails sent on commit leave at once."""

    def post(email="lecteur@example.org", query=QUERY):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SUBSCRIBE_URL, {"email": email, "query": query})

    return post


def confirm_link(message) -> str:
    found = re.search(r"https://maillage\.test(/alertes/confirmer/[^/]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_subscribing_sends_a_confirmation_link_and_keeps_only_its_hash(subscribe):
    response = subscribe()
    assert response.status_code == 200
    assert "Vérifiez votre boîte aux lettres" in response.content.decode()
    subscription = AlertSubscription.objects.get()
    assert subscription.email == "lecteur@example.org"
    assert subscription.query == "q=v%C3%A9lo&keyword=Culture"
    assert subscription.description == "« vélo » · Mots clés : Culture"
    assert subscription.confirmed_at is None
    assert subscription.last_sent_at is None

    [message] = mail.outbox
    assert message.to == ["lecteur@example.org"]
    assert "confirmez" in message.subject
    link = confirm_link(message)
    token = link.split("/")[-2]
    assert subscription.confirm_token_hash == token_hash(token)
    assert token not in {subscription.confirm_token_hash, subscription.unsubscribe_token}
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://maillage.test{link}"' in html
    assert "« vélo » · Mots clés : Culture" in message.body


def test_the_same_search_by_the_same_address_is_stored_once(subscribe):
    subscribe(email="Lecteur@Example.org", query="keyword=Culture&q=v%C3%A9lo&page=2&sort=title")
    subscribe(email="lecteur@example.org ", query="q=v%C3%A9lo&keyword=culture")
    assert AlertSubscription.objects.count() == 1
    # The second request came within the resend delay: one confirmation e-mail only.
    assert len(mail.outbox) == 1


def test_a_new_request_after_the_delay_sends_a_new_link_and_the_old_one_stops_working(subscribe, client):
    subscribe()
    first_link = confirm_link(mail.outbox[0])
    AlertSubscription.objects.update(confirmation_sent_at=timezone.now() - dt.timedelta(minutes=20))
    subscribe()
    assert AlertSubscription.objects.count() == 1
    assert len(mail.outbox) == 2
    assert client.get(first_link).status_code == 404
    assert client.get(confirm_link(mail.outbox[1])).status_code == 200


def test_the_answer_is_the_same_whatever_the_address_follows(subscribe):
    """New address, address already subscribed, address at its limit: nobody can tell them apart."""
    new = subscribe(email="nouveau@example.org").content
    make_subscription("abonne@example.org", QUERY, confirmed_at=days_ago(3))
    confirmed = subscribe(email="abonne@example.org").content
    for number in range(MAX_SUBSCRIPTIONS_PER_EMAIL):
        make_subscription("plein@example.org", f"year={2000 + number}")
    full = subscribe(email="plein@example.org").content
    assert new == confirmed == full
    assert [message.to for message in mail.outbox] == [["nouveau@example.org"]]


def test_an_address_follows_a_limited_number_of_searches(subscribe):
    for number in range(MAX_SUBSCRIPTIONS_PER_EMAIL - 1):
        make_subscription("lecteur@example.org", f"year={2000 + number}", confirmed_at=days_ago(1))
    subscribe(query="keyword=Culture")
    assert len(mail.outbox) == 1
    subscribe(query="keyword=Sant%C3%A9")
    assert len(mail.outbox) == 1
    assert AlertSubscription.objects.filter(email="lecteur@example.org").count() == MAX_SUBSCRIPTIONS_PER_EMAIL


def test_expired_requests_do_not_count_towards_the_limit(subscribe):
    for number in range(MAX_SUBSCRIPTIONS_PER_EMAIL):
        make_subscription("lecteur@example.org", f"year={2000 + number}", sent_at=days_ago(8))
    subscribe()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", ["", "pas-une-adresse", "lecteur@", "a" * 250 + "@example.org"])
def test_a_bad_address_shows_the_form_again_with_a_french_error(subscribe, email):
    response = subscribe(email=email)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p id="alert-email-error" class="invalid-feedback d-block mb-0">' in html
    assert 'aria-describedby="alert-email-error alert-search alert-email-help"' in html
    assert "<title>Erreur — " in html
    assert any(
        text in html
        for text in ("Indiquez votre adresse e-mail.", "Saisissez une adresse e-mail valide", "trop longue")
    )
    assert not AlertSubscription.objects.exists()
    assert not mail.outbox


def test_the_bad_address_typed_is_given_back_escaped(subscribe):
    response = subscribe(email=f'x"{SCRIPT}')
    html = response.content.decode()
    assert SCRIPT not in html
    assert f'value="x&quot;{ESCAPED_SCRIPT}"' in html


def test_an_invalid_search_is_refused_with_a_french_message(subscribe):
    response = subscribe(query="keyword=Inconnu")
    assert response.status_code == 400
    assert "Cette recherche ne peut pas être suivie : valeur inconnue : « Inconnu »." in response.content.decode()
    assert not AlertSubscription.objects.exists()
    assert not mail.outbox


def test_user_text_is_escaped_on_the_pages_and_in_the_html_mail(subscribe):
    response = subscribe(query=f"q={SCRIPT}")
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()
    assert ESCAPED_SCRIPT in response.content.decode()
    html = mail.outbox[0].alternatives[0][0]
    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html
    # The plain-text mail is not HTML: the text is given as typed.
    assert SCRIPT in mail.outbox[0].body


def test_the_subscribe_page_follows_the_search_of_its_url(client, django_assert_max_num_queries):
    facet_index()  # loaded once per process, not per page
    with django_assert_max_num_queries(6):
        response = client.get(SUBSCRIBE_URL, {"q": "vélo", "department": "69", "page": "2", "sort": "title"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input type="hidden" name="query" value="q=v%C3%A9lo&amp;department=69">' in html
    assert "Recherche suivie : « vélo » · Département : Rhône" in html


def test_the_subscribe_page_says_when_the_search_of_its_url_cannot_be_followed(client):
    response = client.get(SUBSCRIBE_URL, {"keyword": "Inconnu"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cette recherche ne peut pas être suivie : valeur inconnue : « Inconnu »." in html
    assert 'name="email"' not in html


def test_other_methods_are_refused(client):
    assert client.put(SUBSCRIBE_URL).status_code == 405


def test_the_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(SUBSCRIBE_URL, {"email": "lecteur@example.org", "query": QUERY})
    assert response.status_code == 403
    assert not AlertSubscription.objects.exists()


# Confirmation


def confirm_url(token: str) -> str:
    return reverse("www:alert-confirm", kwargs={"token": token})


def unsubscribe_url(token: str) -> str:
    return reverse("www:alert-unsubscribe", kwargs={"token": token})


def test_opening_the_confirmation_link_does_not_confirm(client):
    subscription, token = make_subscription(query=QUERY)
    response = client.get(confirm_url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmer l'abonnement" in html
    assert 'method="post"' in html
    assert "« vélo » · Mots clés : Culture" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"]
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_the_button_confirms(client):
    subscription, token = make_subscription(query=QUERY)
    response = client.post(confirm_url(token))
    assert response.status_code == 200
    assert "Alerte confirmée" in response.content.decode()
    assert unsubscribe_url(subscription.unsubscribe_token) in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    confirmed_at = subscription.confirmed_at
    # Again: nothing changes, the page says so.
    assert "déjà confirmée" in client.get(confirm_url(token)).content.decode()
    client.post(confirm_url(token))
    subscription.refresh_from_db()
    assert subscription.confirmed_at == confirmed_at


def test_confirming_needs_the_csrf_token_of_the_page():
    subscription, token = make_subscription(query=QUERY)
    assert Client(enforce_csrf_checks=True).post(confirm_url(token)).status_code == 403
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


@pytest.mark.parametrize("token", ["inconnu", "A" * 43, "A" * 500, "%3Cscript%3E"])
def test_an_unknown_token_gives_a_friendly_page(client, token):
    make_subscription(query=QUERY)
    for url in (confirm_url(token), unsubscribe_url(token)):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404
            assert "Lien inconnu ou expiré" in response.content.decode()
    assert AlertSubscription.objects.filter(confirmed_at__isnull=True).count() == 1


def test_a_confirmation_link_expires_after_seven_days(client):
    subscription, token = make_subscription(query=QUERY, sent_at=days_ago(7.1))
    assert client.post(confirm_url(token)).status_code == 404
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_the_unsubscribe_token_cannot_confirm(client):
    subscription, _ = make_subscription(query=QUERY)
    assert client.post(confirm_url(subscription.unsubscribe_token)).status_code == 404


# Unsubscribing


def test_opening_the_unsubscribe_link_does_not_unsubscribe(client):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(1))
    response = client.get(unsubscribe_url(subscription.unsubscribe_token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Me désabonner" in html
    assert 'method="post"' in html
    assert AlertSubscription.objects.filter(pk=subscription.pk).exists()


def test_one_click_unsubscribe_without_csrf_token():
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the URL, with no cookie nor token."""
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(1))
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(subscription.unsubscribe_token),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Désabonnement effectué" in response.content.decode()
    assert not AlertSubscription.objects.exists()


def test_the_unsubscribe_button_works_and_a_second_click_is_harmless(client):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(1))
    other, _ = make_subscription(query="keyword=Culture", confirmed_at=days_ago(1))
    url = unsubscribe_url(subscription.unsubscribe_token)
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 404
    assert list(AlertSubscription.objects.all()) == [other]
