"""Campaigns of the yearly questionnaire, the questionnaires loaded for them, and each structure's answers.

A questionnaire is kept as the YAML files it was loaded from (`sources`: the main file, its includes and
the file it extends), so that the definition answered in a campaign stays the same whatever happens to the
files later; `definition()` rebuilds it (`definitions/sources.py`, the format in `definitions/questionnaire.py`).
"""

from django.conf import settings
from django.db import models

from maillage.structures.models import StructureKind

from .definitions.sources import definition_from_sources
from .definitions.wording import campaign_label, campaign_phrase, campaign_slug


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField("année observée", unique=True, help_text="L'année sur laquelle on répond.")
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    aggregates_computed_at = models.DateTimeField(
        "chiffres clés calculés le", null=True, blank=True, editable=False,
        help_text="Dernier calcul des agrégats de l'année : la version des rapports mis en cache.",
    )  # fmt: skip

    class Meta:
        verbose_name = "campagne"
        verbose_name_plural = "campagnes"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(opens_on__lte=models.F("closes_on")), name="campaign_dates")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The campaign's one name, everywhere: « Enquête 2026 — données 2025 » (`definitions.wording`)."""
        return campaign_label(self.year)

    @property
    def phrase(self) -> str:
        """The name inside a sentence: « l'enquête 2026 — données 2025 »."""
        return campaign_phrase(self.year)

    @property
    def slug(self) -> str:
        """The name in a file name: « enquete-2026-donnees-2025 »."""
        return campaign_slug(self.year)


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
        return f"{self.title} ({self.get_kind_display()}) — {self.campaign.label} — {self.code} v{self.version}"

    def definition(self):
        """The definition kept with the questionnaire, rebuilt once per process for the same files."""
        return definition_from_sources(self.main_file, self.sources)


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
        return f"{self.structure} — {self.questionnaire.campaign.label} ({self.get_status_display()})"


class ResponseEvent(models.Model):
    """A change of state of a response (started, transmitted, returned, validated): who, when, why."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="events")
    source = models.CharField("état de départ", max_length=12, choices=ResponseStatus.choices)
    target = models.CharField("nouvel état", max_length=12, choices=ResponseStatus.choices)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "changement d'état d'une réponse"
        verbose_name_plural = "changements d'état des réponses"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.response} : {self.get_source_display()} → {self.get_target_display()}"


class AnswerCorrection(models.Model):
    """A value changed after the questionnaire was transmitted: who, old value, new value, why."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="corrections")
    code = models.CharField("question", max_length=100)
    old_value = models.JSONField("ancienne valeur", null=True, blank=True)
    new_value = models.JSONField("nouvelle valeur", null=True, blank=True)
    reason = models.TextField("raison")
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "correction d'une réponse"
        verbose_name_plural = "corrections des réponses"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.code} : {self.old_value} → {self.new_value}"


class FlagStatus(models.TextChoices):
    OPEN = "open", "à examiner"
    SENT_BACK = "sent_back", "renvoyé à la structure"
    ACCEPTED = "accepted", "accepté avec justification"
    RESOLVED = "resolved", "corrigé"


class Flag(models.Model):
    """A coherence flag raised on a transmitted response (see `anomalies.py`)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("type", max_length=30)
    codes = models.JSONField("questions concernées", default=list)
    values = models.JSONField("valeurs", default=dict)
    explanation = models.TextField("explication")
    status = models.CharField("état", max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    comment = models.TextField("commentaire", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="traité par", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("traité le", null=True, blank=True)
    created_at = models.DateTimeField("levé le", auto_now_add=True)

    class Meta:
        verbose_name = "signalement de cohérence"
        verbose_name_plural = "signalements de cohérence"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["response", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()}) — {self.response}"


class AggregateScope(models.TextChoices):
    NATION = "nation", "France"
    REGION = "region", "région"
    DEPARTMENT = "department", "département"


class Aggregate(models.Model):
    """Figures of one question for one year, territory and group of structures, computed once from the
    validated responses (`statistics.Summary.to_json()`) and read by the report pages."""

    year = models.PositiveSmallIntegerField("année observée")
    scope = models.CharField("échelle", max_length=10, choices=AggregateScope.choices)
    scope_code = models.CharField("code du territoire", max_length=3, blank=True)
    group = models.CharField("groupe de structures", max_length=60, default="all",
                             help_text="all, kind=csx, kind=evs, territory=…")  # fmt: skip
    code = models.CharField("question ou indicateur", max_length=100)
    structure_count = models.PositiveIntegerField("structures")
    secret = models.BooleanField(
        "secret statistique", default=False,
        help_text="Non publiable : moins de 5 structures, ou déductible d'autres chiffres publiés (disclosure.py).",
    )  # fmt: skip
    summary = models.JSONField("résumé")
    summary_digest = models.CharField(
        "empreinte du résumé", max_length=32, blank=True, default="", db_default="", editable=False,
        help_text="BLAKE2b du texte JSON écrit dans « résumé » (figures/rowsync.py) : un recalcul compare les "
                  "empreintes, sans relire ni analyser les résumés ; vide ou fausse, le recalcul suivant compare "
                  "la ligne en entier et la corrige.",
    )  # fmt: skip
    computed_at = models.DateTimeField("calculé le", auto_now=True)

    # `rowsync.sync_rows` keeps each digest with the text it stands for (value field → digest field).
    digested_fields = {"summary": "summary_digest"}

    class Meta:
        verbose_name = "agrégat"
        verbose_name_plural = "agrégats"
        constraints = [
            models.UniqueConstraint(fields=["year", "scope", "scope_code", "group", "code"], name="unique_aggregate")
        ]
        indexes = [models.Index(fields=["scope", "scope_code", "group", "year"])]

    def __str__(self) -> str:
        return f"{self.code} {self.year} {self.get_scope_display()} {self.scope_code} {self.group}"


class TerritoryEditorial(models.Model):
    """What a national administrator writes on a territory's plaquette: a short editorial (plain text, escaped
    when shown) and up to two logos (PNG or JPEG, checked by content in `editorial.py`), kept in the row so that a
    prebuilt plaquette needs no file beside it."""

    scope = models.CharField("échelle", max_length=10, choices=AggregateScope.choices)
    scope_code = models.CharField(
        "code du territoire", max_length=3, blank=True,
        help_text="Vide pour la France ; code INSEE de la région ou du département.",
    )  # fmt: skip
    text = models.TextField("texte éditorial", max_length=1200, blank=True,
                            help_text="Texte brut, 1 200 caractères au plus (signé, par exemple, par la Caf et la "
                                      "fédération). Il paraît en couverture de la plaquette.")  # fmt: skip
    logo_1 = models.BinaryField("logo 1", blank=True, default=b"", editable=False)
    logo_1_type = models.CharField("type du logo 1", max_length=20, blank=True, editable=False)
    logo_1_alt = models.CharField(
        "texte de remplacement du logo 1",
        max_length=120,
        blank=True,
        help_text="Ce que le logo dit, pour les lecteurs d'écran : « Caf du Nord ».",
    )
    logo_2 = models.BinaryField("logo 2", blank=True, default=b"", editable=False)
    logo_2_type = models.CharField("type du logo 2", max_length=20, blank=True, editable=False)
    logo_2_alt = models.CharField("texte de remplacement du logo 2", max_length=120, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "éditorial de plaquette"
        verbose_name_plural = "éditoriaux de plaquette"
        constraints = [models.UniqueConstraint(fields=["scope", "scope_code"], name="unique_territory_editorial")]

    def __str__(self) -> str:
        if self.scope == AggregateScope.NATION:
            return "France"
        return f"{self.get_scope_display()} {self.scope_code}"
