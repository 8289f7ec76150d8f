"""Every e-mail of the platform leaves through one task, `send_email`, retried with backoff when the mail server
is unreachable or answers « try again later ».

Callers queue a message with `queue_email` (one message to its recipients) or `queue_each` (one message per
recipient, who then do not see each other's address). They keep their own timing: most queue inside
`transaction.on_commit`; with the database backend a message queued inside a transaction is stored with it
and sent only if it commits. A failed attempt queues the next one `EMAIL_RETRY_SECONDS × 4^(attempt − 1)` later;
after `EMAIL_MAX_ATTEMPTS` attempts, or on a permanent refusal (5xx), the message is given up with a log line
and the job is marked failed.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from .queue import enqueue

logger = logging.getLogger(__name__)


class EmailGivenUp(Exception):
    """The message was not sent and will not be tried again (recorded on the failed job)."""


def is_transient(error: Exception) -> bool:
    """Whether trying again later may succeed: connection errors, disconnections and 4xx answers."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError)  # smtplib.SMTPException, refused or reset connections, time-outs


def retry_delay(attempt: int) -> float:
    """Seconds before the attempt after `attempt`: 1 min, 4 min, 16 min, about 1 h, then 4 h by default."""
    return settings.EMAIL_RETRY_SECONDS * 4 ** (attempt - 1)


# E-mails wait in their own queue, which a worker of their own serves (`maillage worker --queue emails`): a long
# import or refresh running in the other worker does not hold an invitation back. The worker of every queue
# sends them too, before other waiting jobs, should the e-mail worker be stopped.
EMAIL_QUEUE = "emails"
EMAIL_PRIORITY = 10


@task(priority=EMAIL_PRIORITY, queue_name=EMAIL_QUEUE)
def send_email(
    subject: str,
    body: str,
    recipients: list[str],
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    attempt: int = 1,
) -> int:
    """Send one message (plain text, and HTML if given); returns the messages sent (1)."""
    message = EmailMultiAlternatives(subject, body, from_email, recipients, headers=headers or None)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except Exception as error:
        if not is_transient(error) or attempt >= settings.EMAIL_MAX_ATTEMPTS:
            logger.error("Courriel « %s » abandonné après %s tentative(s) : %r", subject, attempt, error)
            raise EmailGivenUp(f"tentative {attempt} : {error!r}") from error
        delay = retry_delay(attempt)
        logger.warning("Courriel « %s » non envoyé (tentative %s, %r) : nouvel essai dans %s s", subject, attempt,
                       error, delay)  # fmt: skip
        enqueue(send_email, subject, body, list(recipients), html=html, headers=headers, from_email=from_email,
                attempt=attempt + 1, delay_seconds=delay)  # fmt: skip
        return 0


def queue_email(subject: str, body: str, recipients: list[str], *, html: str | None = None,
                headers: dict[str, str] | None = None, from_email: str | None = None) -> int:  # fmt: skip
    """Queue one message to `recipients` (now: callers wrap it in `on_commit` where needed); returns 1, or 0
    without a recipient."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    enqueue(send_email, subject, body, recipients, html=html, headers=headers, from_email=from_email)
    return 1


def queue_each(subject: str, body: str, recipients: list[str], **options) -> int:
    """Queue one message per recipient; returns how many."""
    return sum(queue_email(subject, body, [recipient], **options) for recipient in recipients)


def queue_message(message: EmailMultiAlternatives) -> int:
    """Queue a message built with Django's classes (its subject, text, HTML alternative, recipients, headers)."""
    if message.cc or message.bcc:
        raise ValueError("send_email n'envoie qu'aux destinataires directs (ni copie, ni copie cachée).")
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
    return queue_email(message.subject, message.body, message.to, html=html,
                       headers=message.extra_headers or None, from_email=message.from_email)  # fmt: skip
