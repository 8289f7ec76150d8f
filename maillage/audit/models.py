"""The audit log: who did what, when, from which address, on which object."""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "login", "connexion"
    LOGIN_FAILED = "login_failed", "échec de connexion"
    LOGOUT = "logout", "déconnexion"
    INVITATION = "invitation", "invitation"
    INVITATION_ACCEPTED = "invitation_accepted", "invitation acceptée"
    ROLE_CHANGED = "role_changed", "changement de rôle"
    ACCESS_REQUEST = "access_request", "demande d'accès"
    TRANSITION = "transition", "changement d'état d'une fiche"
    QUESTIONNAIRE_STATUS = "questionnaire_status", "changement d'état d'un questionnaire"
    CAMPAIGN = "campaign", "campagne de l'observatoire créée ou modifiée"
    SHEET_EDITED = "sheet_edited", "fiche modifiée"
    STRUCTURE_EDITED = "structure_edited", "structure modifiée"
    IMPORT = "import", "import"
    EXPORT_PERSONAL_DATA = "export_personal_data", "export de données personnelles"
    ACCOUNT_DELETED = "account_deleted", "compte supprimé"
    PASSWORD_RESET = "password_reset", "réinitialisation du mot de passe"
    TWO_FACTOR = "two_factor", "double authentification"


class AuditEvent(models.Model):
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the account is deleted, so that the log still says who it was.
    actor_email = models.CharField("e-mail de l'auteur", max_length=254, blank=True)
    action = models.CharField("action", max_length=30, choices=AuditAction.choices, db_index=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    object_type = models.CharField("type d'objet", max_length=100, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=300, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal d'audit"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_email or '—'} {self.get_action_display()}"
