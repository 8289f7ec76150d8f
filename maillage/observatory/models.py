"""Campaigns of the yearly questionnaire, the questionnaires loaded for them, and each structure's answers.

A questionnaire is kept as the YAML files it was loaded from (`sources`: the main file, its includes and
the file it extends), so that the definition answered in a campaign stays the same whatever happens to the
files later; `definition()` rebuilds it (see `definitions.py`).
"""

from django.conf import settings
from django.db import models

from maillage.structures.models import StructureKind


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField("année observée", unique=True, help_text="L'année sur laquelle on répond.")
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "campagne"
        verbose_name_plural = "campagnes"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens_on__lte=models.F("closes_on")), name="campaign_dates")
        ]

    def __str__(self) -> str:
        return f"Campagne {self.year + 1} (données {self.year})"


class Questionnaire(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questionnaires")
    kind = models.CharField("structures concernées", max_length=3, choices=StructureKind.choices)
    code = models.CharField("code", max_length=50)
    version = models.CharField("version", max_length=50)
    title = models.CharField("titre", max_length=300)
    main_file = models.CharField("fichier principal", max_length=200)
    sources = models.JSONField("fichiers YAML", help_text="Nom de fichier → contenu, tels que chargés.")
    question_count = models.PositiveSmallIntegerField("nombre de questions")
    loaded_at = models.DateTimeField("chargé le", auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="chargé par", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "questionnaire"
        verbose_name_plural = "questionnaires"
        ordering = ["campaign", "kind"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="one_questionnaire_per_kind")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()}, {self.campaign.year}) — {self.code} v{self.version}"

    def definition(self):
        from .storage import stored_definition

        return stored_definition(self)


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", "non commencé"
    IN_PROGRESS = "in_progress", "en cours"
    SUBMITTED = "submitted", "transmis"
    RETURNED = "returned", "renvoyé"
    VALIDATED = "validated", "validé"


class Response(models.Model):
    """A structure's answers to its questionnaire of a campaign (answers by question code)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="responses")
    status = models.CharField("état", max_length=12, choices=ResponseStatus.choices,
                              default=ResponseStatus.NOT_STARTED)  # fmt: skip
    answers = models.JSONField("réponses", default=dict, blank=True)
    confirmations = models.JSONField("justifications des valeurs inhabituelles", default=dict, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    submitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="validé par", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "réponse au questionnaire"
        verbose_name_plural = "réponses au questionnaire"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "structure"], name="one_response_per_structure")
        ]
        indexes = [models.Index(fields=["questionnaire", "status"])]

    def __str__(self) -> str:
        return f"{self.structure} — {self.questionnaire.campaign.year} ({self.get_status_display()})"
