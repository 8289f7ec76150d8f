import pytest
from django.core import mail

from maillage.observatory.models import Response, ResponseStatus


@pytest.mark.django_db
def test_reminders_go_to_late_structures_once(campaign, world, run_command):
    a = campaign[0]
    Response.objects.filter(pk=a.pk).update(status=ResponseStatus.IN_PROGRESS)
    out, _ = run_command("send_questionnaire_reminders", "--annee", "2025")
    # A (in progress, two members), B and the Rhône centre (not started, contact address); the others answered
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "admin_a@maillage.test" in recipients and "member_a@maillage.test" in recipients
    assert "3 structure(s) relancée(s)" in out
    b = Response.objects.get(structure=world.structure_b)  # created, not started
    assert b.status == ResponseStatus.NOT_STARTED and b.events.get().comment == "Relance par e-mail"
    assert "votre réponse est attendue" in mail.outbox[0].subject
    sent = len(mail.outbox)
    out, _ = run_command("send_questionnaire_reminders", "--annee", "2025")
    assert len(mail.outbox) == sent and "0 structure(s)" in out


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
