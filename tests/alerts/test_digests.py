"""`send_alert_digests`: the weekly digest lists only the new sheets that match, and nothing is sent
when there is nothing new."""

import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from maillage.actions.models import ActionState
from maillage.alerts import digests
from maillage.alerts.digests import MAX_LISTED_SHEETS, send_digests
from maillage.alerts.models import AlertSubscription
from maillage.search.facets import facet_index

from .conftest import ESCAPED_SCRIPT, SCRIPT, days_ago, make_action, make_subscription

pytestmark = pytest.mark.django_db

QUERY = "keyword=Culture"


@pytest.fixture
def sheets(structure):
    """Sheets published before and after a subscription confirmed three days ago."""
    return {
        "old": make_action(structure, "Ancienne fiche culture", keywords=["Culture"], published_at=days_ago(10)),
        "new": make_action(structure, "Nouvelle fiche culture", keywords=["Culture"], published_at=days_ago(1)),
        "newer": make_action(structure, "Fiche culture du jour", keywords=["Culture"], published_at=days_ago(0.1)),
        "other": make_action(structure, "Nouvelle fiche santé", keywords=["Santé"], published_at=days_ago(1)),
        "draft": make_action(structure, "Brouillon culture", keywords=["Culture"], state=ActionState.DRAFT),
    }


def test_no_digest_before_confirmation(sheets, run_command):
    make_subscription(query=QUERY, sent_at=days_ago(3))
    out, _ = run_command("send_alert_digests")
    assert not mail.outbox
    assert "Alertes confirmées examinées : 0" in out


def test_the_digest_lists_the_new_matching_sheets_only(sheets, run_command):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(3))
    before = timezone.now()
    out, err = run_command("send_alert_digests")
    assert "résumés envoyés : 1" in out
    assert err == ""

    [message] = mail.outbox
    assert message.to == [subscription.email]
    assert message.subject == "Maillage : 2 nouvelles fiches pour votre recherche"
    body = message.body
    assert "Fiche culture du jour" in body
    assert "Nouvelle fiche culture" in body
    assert body.index("Fiche culture du jour") < body.index("Nouvelle fiche culture"), "most recent first"
    for absent in ("Ancienne fiche culture", "Nouvelle fiche santé", "Brouillon culture"):
        assert absent not in body
    new = sheets["new"]
    assert f"https://maillage.test/actions/{new.pk}-{new.slug}/" in body
    assert "Centre social des Lilas — Rhône" in body
    assert "Mots clés : Culture" in body
    assert "https://maillage.test/actions/?keyword=Culture&sort=recent" in body

    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="https://maillage.test/actions/{new.pk}-{new.slug}/"' in html
    assert "Nouvelle fiche culture" in html

    unsubscribe = f"https://maillage.test/alertes/desabonner/{subscription.unsubscribe_token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in body
    assert unsubscribe in html

    subscription.refresh_from_db()
    assert subscription.last_sent_at >= before


def test_nothing_is_sent_when_nothing_is_new(sheets, run_command):
    make_subscription(query=QUERY, confirmed_at=days_ago(3))
    make_subscription("autre@example.org", query="keyword=Parentalit%C3%A9", confirmed_at=days_ago(3))
    run_command("send_alert_digests")
    assert len(mail.outbox) == 1
    out, _ = run_command("send_alert_digests")
    assert len(mail.outbox) == 1
    assert "résumés envoyés : 0 ; sans nouvelle fiche : 2" in out


def test_the_next_digest_starts_where_the_last_one_stopped(sheets, structure):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(3))
    send_digests(now=days_ago(0.5))
    assert "Nouvelle fiche culture" in mail.outbox[0].body
    assert "Fiche culture du jour" not in mail.outbox[0].body, "published after the cut-off"
    send_digests()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Maillage : 1 nouvelle fiche pour votre recherche"
    assert "Fiche culture du jour" in mail.outbox[1].body
    assert "Nouvelle fiche culture" not in mail.outbox[1].body


def test_each_subscription_gets_the_sheets_published_since_its_own_confirmation(sheets):
    make_subscription("ancien@example.org", query=QUERY, confirmed_at=days_ago(3))
    make_subscription("recent@example.org", query=QUERY, confirmed_at=days_ago(0.5))
    send_digests()
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Nouvelle fiche culture" in bodies["ancien@example.org"]
    assert "Fiche culture du jour" in bodies["recent@example.org"]
    assert "Nouvelle fiche culture" not in bodies["recent@example.org"]


def test_a_digest_lists_at_most_twenty_sheets_and_links_to_the_others(structure):
    make_subscription(query="", confirmed_at=days_ago(3))
    for number in range(MAX_LISTED_SHEETS + 3):
        make_action(structure, f"Fiche n° {number:02d}", published_at=days_ago(2 - number / 100))
    report = send_digests()
    assert report.sent == 1
    [message] = mail.outbox
    assert message.subject == "Maillage : 23 nouvelles fiches pour votre recherche"
    assert message.body.count("https://maillage.test/actions/") == MAX_LISTED_SHEETS + 1
    assert "Fiche n° 22" in message.body
    assert "Fiche n° 02" not in message.body
    assert "… et 3 autres fiches." in message.body
    assert "https://maillage.test/actions/?sort=recent" in message.body


def test_the_number_of_queries_does_not_grow_with_the_sheets(structure, django_assert_max_num_queries):
    for number in range(3):
        make_subscription(f"lecteur{number}@example.org", query="", confirmed_at=days_ago(3))
    for number in range(30):
        make_action(structure, f"Fiche n° {number}", published_at=days_ago(1))
    facet_index()  # loaded once per process, not per digest
    # Purge, window, sheets of the window, subscriptions; the search (once for the three: same query);
    # then for each digest: lock, sheets listed, update, and the savepoint around them.
    with django_assert_max_num_queries(4 + 2 + 3 * 5):
        report = send_digests()
    assert report.sent == 3


def test_dry_run_prints_and_changes_nothing(sheets, run_command):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(3))
    make_subscription("oubli@example.org", query=QUERY, sent_at=days_ago(8))
    out, _ = run_command("send_alert_digests", "--dry-run")
    assert not mail.outbox
    assert f"À lecteur@example.org (alerte n° {subscription.pk}, Mots clés : Culture) : 2 nouvelles fiches" in out
    assert "  - Nouvelle fiche culture — https://maillage.test/actions/" in out
    assert "Simulation" in out
    assert "résumés à envoyer : 1" in out
    assert "demandes non confirmées à supprimer : 1" in out
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None
    assert AlertSubscription.objects.count() == 2


def test_unconfirmed_requests_are_deleted_after_seven_days(run_command):
    make_subscription("oubli@example.org", query=QUERY, sent_at=days_ago(8))
    recent, _ = make_subscription("recent@example.org", query=QUERY, sent_at=days_ago(6))
    confirmed, _ = make_subscription("ancien@example.org", query=QUERY, confirmed_at=days_ago(30))
    out, _ = run_command("send_alert_digests")
    assert "demandes non confirmées supprimées : 1" in out
    assert set(AlertSubscription.objects.all()) == {recent, confirmed}


def test_user_text_is_escaped_in_the_html_digest(structure):
    make_subscription(query=f"q=atelier+{SCRIPT}", confirmed_at=days_ago(3))
    make_action(structure, f"Atelier {SCRIPT}", published_at=days_ago(1))
    send_digests()
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert SCRIPT not in html
    assert html.count(ESCAPED_SCRIPT) == 2  # the search and the title
    assert f"Atelier {SCRIPT}" in message.body


def test_a_search_that_became_invalid_is_reported_and_kept(sheets, run_command):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(3))
    AlertSubscription.objects.filter(pk=subscription.pk).update(query="keyword=Disparu")
    out, err = run_command("send_alert_digests")
    assert not mail.outbox
    assert "recherches devenues invalides : 1" in out
    assert f"alerte n° {subscription.pk} : la recherche n'est plus valable (valeur inconnue : « Disparu ».)" in err
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None


def test_a_failed_send_is_tried_again_by_the_mail_task_and_listed_once(sheets, run_command, monkeypatch):
    subscription, _ = make_subscription(query=QUERY, confirmed_at=days_ago(3))
    attempts = []
    send = digests.EmailMultiAlternatives.send

    def disconnected_once(self, *args, **kwargs):
        attempts.append(self.subject)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(digests.EmailMultiAlternatives, "send", disconnected_once)
        out, err = run_command("send_alert_digests")
    assert "résumés envoyés : 1" in out
    assert len(attempts) == 2  # the tests run tasks at once: the retry follows without its delay
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None
    run_command("send_alert_digests")
    assert len(mail.outbox) == 1


def test_the_help_gives_the_crontab_line(run_command):
    from maillage.alerts.management.commands.send_alert_digests import Command

    assert "0 7 * * 1" in Command.help
    assert "send_alert_digests" in Command.help
