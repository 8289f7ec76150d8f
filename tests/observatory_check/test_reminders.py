import pytest
from django.core import mail
from django.urls import reverse

from maillage.observatory.models import Response, ResponseStatus


@pytest.mark.django_db
def test_reminders_go_to_late_structures_once(campaign, world, run_command):
    a = campaign[0]
    Response.objects.filter(pk=a.pk).update(status=ResponseStatus.IN_PROGRESS)
    out, _ = run_command("send_questionnaire_reminders", "--annee", "2025")
    # A (in progress, two members), B and the Rhône centre (not started, contact address); the others answered
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "admin_a@maillage.test" in recipients and "member_a@maillage.test" in recipients
    assert "3 structures relancées" in out
    b = Response.objects.get(structure=world.structure_b)  # created, not started
    assert b.status == ResponseStatus.NOT_STARTED and b.events.get().comment == "Relance par e-mail"
    assert "votre réponse est attendue" in mail.outbox[0].subject
    sent = len(mail.outbox)
    out, _ = run_command("send_questionnaire_reminders", "--annee", "2025")
    assert len(mail.outbox) == sent and "0 structure" in out


@pytest.mark.django_db
def test_dry_run_sends_nothing(campaign, world, run_command):
    out, _ = run_command("send_questionnaire_reminders", "--annee", "2025", "--dry-run")
    assert mail.outbox == []
    assert "À relancer : Centre social B (non commencé)" in out
    assert "essai à blanc" in out
    assert not Response.objects.filter(structure=world.structure_b).exists()


@pytest.mark.django_db
def test_no_reminder_before_the_date(campaign, run_command):
    out, _ = run_command("send_questionnaire_reminders", "--annee", "2025", "--apres", "01/01/2999")
    assert mail.outbox == [] and "Rien à faire avant le 01/01/2999" in out


@pytest.mark.django_db
def test_dashboard_button_reminds_the_late_structures_of_my_departments_once_a_week(campaign, world):
    client = world.client("correspondent")
    page = client.get(reverse("observatory_check:dashboard"))
    assert reverse("observatory_check:remind") in page.content.decode()
    answer = client.post(reverse("observatory_check:remind"), {"annee": "2025"}, follow=True)
    body = answer.content.decode()
    assert body.count("1 structure relancée par e-mail") == 1  # shown once, by the layout
    assert [m.to for m in mail.outbox] == [["member_b@maillage.test"]]  # B, not the Rhône centre (69)
    again = client.post(reverse("observatory_check:remind"), {"annee": "2025", "departement": "13"}, follow=True)
    assert "0 structure relancée par e-mail ; 1 déjà relancée depuis moins de 7 jours" in again.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_dashboard_button_refuses_other_departments_and_members(campaign, world):
    refused = world.client("other_correspondent").post(
        reverse("observatory_check:remind"), {"annee": "2025", "departement": "13"}, follow=True
    )
    assert "Relance impossible." in refused.content.decode()
    assert "pas dans votre périmètre" in refused.content.decode()
    assert world.client("member_a").post(reverse("observatory_check:remind"), {"annee": "2025"}).status_code == 403
    assert world.client("correspondent").get(reverse("observatory_check:remind")).status_code == 405
    assert mail.outbox == []
