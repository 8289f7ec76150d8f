"""E-mail alerts: a search of the action bank followed by e-mail, without an account.

Double opt-in: a subscription sends nothing until its owner opens the confirmation link. Two
credentials, each a `secrets.token_urlsafe` value:
- the confirmation token is needed once, in the confirmation e-mail: only its SHA-256 is kept, so that
  someone who reads the database cannot confirm a subscription on behalf of its owner;
- the unsubscribe token must be written in every digest: it is kept as it is. It can do nothing but
  delete the subscription.
"""

from django.db import models
from django.utils import timezone

from .querysets import AlertSubscriptionQuerySet
from .tokens import new_token, token_hash

# Longest canonical search that can be followed (the unique index must stay small).
MAX_QUERY_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 500


class AlertSubscription(models.Model):
    email = models.EmailField("adresse e-mail")
    query = models.CharField(
        "recherche suivie",
        max_length=MAX_QUERY_LENGTH,
        blank=True,
        help_text="Paramètres de la recherche, sous forme canonique (vide : toutes les fiches).",
    )
    description = models.CharField("description de la recherche", max_length=MAX_DESCRIPTION_LENGTH)
    confirm_token_hash = models.CharField("empreinte du lien de confirmation", max_length=64, unique=True)
    unsubscribe_token = models.CharField("jeton de désabonnement", max_length=64, unique=True)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    confirmation_sent_at = models.DateTimeField("confirmation envoyée le", default=timezone.now)
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    last_sent_at = models.DateTimeField(
        "fiches relevées jusqu'au",
        null=True,
        blank=True,
        help_text="Le prochain résumé liste les fiches publiées après cette date.",
    )

    objects = AlertSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte par e-mail"
        verbose_name_plural = "alertes par e-mail"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["email", "query"], name="unique_alert_email_query")]
        indexes = [models.Index(fields=["confirmed_at", "confirmation_sent_at"], name="alert_confirmation_idx")]

    def __str__(self) -> str:
        return f"Alerte n° {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def new_confirm_token(self) -> str:
        """Give the subscription a fresh confirmation token; returns it (only its hash is kept)."""
        token = new_token()
        self.confirm_token_hash = token_hash(token)
        return token
