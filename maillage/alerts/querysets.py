import datetime as dt

from django.db import models
from django.utils import timezone

from .tokens import token_hash

# An unconfirmed subscription is forgotten this long after its confirmation e-mail.
CONFIRMATION_VALIDITY = dt.timedelta(days=7)


class AlertSubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def expired_unconfirmed(self, now: dt.datetime | None = None):
        """Unconfirmed subscriptions whose confirmation link is no longer valid."""
        limit = (now or timezone.now()) - CONFIRMATION_VALIDITY
        return self.filter(confirmed_at__isnull=True, confirmation_sent_at__lt=limit)

    def active(self, now: dt.datetime | None = None):
        """Confirmed subscriptions and those still waiting for a valid confirmation."""
        limit = (now or timezone.now()) - CONFIRMATION_VALIDITY
        return self.filter(models.Q(confirmed_at__isnull=False) | models.Q(confirmation_sent_at__gte=limit))

    def for_email(self, email: str):
        return self.filter(email=email)

    def by_confirm_token(self, token: str):
        return self.active().filter(confirm_token_hash=token_hash(token))

    def by_unsubscribe_token(self, token: str):
        return self.filter(unsubscribe_token=token)
