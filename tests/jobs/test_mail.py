"""The `send_email` task: sent once, tried again later on connection errors and 4xx answers, given up after
EMAIL_MAX_ATTEMPTS attempts or on a permanent refusal, with a log line."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.jobs.mail import queue_each, queue_email

from .test_queue import run_worker

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """The test outbox, behind a mail server that fails `failures` times first."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise type(self).error
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.attempts, FlakyBackend.failures = 0, 1
    FlakyBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    return FlakyBackend


def test_a_message_is_sent_with_its_html_and_headers():
    headers = {"List-Unsubscribe": "<https://maillage.test/alertes/x/>", "Auto-Submitted": "auto-generated"}
    assert queue_email("Sujet", "Texte", ["a@example.org"], html="<p>Texte</p>", headers=headers) == 1
    [message] = mail.outbox
    assert (message.subject, message.body, message.to) == ("Sujet", "Texte", ["a@example.org"])
    assert message.alternatives[0][0] == "<p>Texte</p>"
    assert message.extra_headers == headers


def test_each_recipient_gets_a_message_of_their_own():
    assert queue_each("Sujet", "Texte", ["a@example.org", "b@example.org", ""]) == 2
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]


def test_a_failed_attempt_is_tried_again_later_by_the_worker(flaky, database_queue, caplog):
    before = timezone.now()
    queue_email("Sujet", "Texte", ["a@example.org"], headers={"Auto-Submitted": "auto-generated"})
    run_worker()
    assert not mail.outbox
    assert "nouvel essai dans 60 s" in caplog.text
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert (retry.status, retry.args_kwargs["kwargs"]["attempt"]) == (TaskResultStatus.READY, 2)
    assert before + datetime.timedelta(seconds=59) < retry.run_after < timezone.now() + datetime.timedelta(seconds=61)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    [message] = mail.outbox
    assert message.extra_headers == {"Auto-Submitted": "auto-generated"}
    assert flaky.attempts == 2


def test_without_deferral_the_next_attempt_follows_at_once(flaky):
    queue_email("Sujet", "Texte", ["a@example.org"])
    assert flaky.attempts == 2
    assert len(mail.outbox) == 1


def test_given_up_after_the_last_attempt_with_a_log_line(flaky, settings, caplog):
    settings.EMAIL_MAX_ATTEMPTS = 3
    flaky.failures = 10
    queue_email("Sujet", "Texte", ["a@example.org"])
    assert flaky.attempts == 3
    assert not mail.outbox
    assert "Courriel « Sujet » abandonné après 3 tentative(s)" in caplog.text


def test_a_permanent_refusal_is_not_tried_again(flaky, database_queue, caplog):
    flaky.error = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"unknown user")})
    queue_email("Sujet", "Texte", ["a@example.org"])
    run_worker()
    [job] = DBTaskResult.objects.all()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "maillage.jobs.mail.EmailGivenUp"
    assert flaky.attempts == 1
    assert "abandonné après 1 tentative(s)" in caplog.text


def test_the_password_reset_mail_waits_for_the_worker(client, database_queue):
    from maillage.accounts.models import User

    User.objects.create_user("camille@example.org", "un mot de passe assez long")
    assert client.post("/mot-de-passe/oublie/", {"email": "camille@example.org"}).status_code == 302
    assert not mail.outbox
    [job] = DBTaskResult.objects.all()
    assert job.task_path == "maillage.jobs.mail.send_email"
    run_worker()
    [message] = mail.outbox
    assert message.to == ["camille@example.org"] and "/mot-de-passe/nouveau/" in message.body


def test_a_waiting_e_mail_goes_before_other_waiting_jobs(tmp_path, database_queue):
    from .sample_tasks import note

    note.enqueue(str(tmp_path / "out.txt"), "avant")
    queue_email("Sujet", "Texte", ["a@example.org"])
    run_worker(max_tasks=1)
    assert len(mail.outbox) == 1
    assert not (tmp_path / "out.txt").exists()
