"""Action sheets (fiches actions) as structures publish them.

Multi-valued closed lists are many-to-many relations through tables that keep the order in which the
sheet gives its values: exports must give them back in that order.
"""

from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from maillage.referentials.models import (
    ActionStatus,
    Dimension,
    Initiative,
    Keyword,
    Partner,
    Public,
    Territory,
)
from maillage.structures.models import Structure
from maillage.validators import NoLineBreaks

from .querysets import ActionQuerySet


class ActionState(models.TextChoices):
    DRAFT = "draft", "brouillon"
    SUBMITTED = "submitted", "soumise"
    PUBLISHED = "published", "publiée"
    RETURNED = "returned", "renvoyée"
    ARCHIVED = "archived", "archivée"


class Action(models.Model):
    title = models.CharField("titre", max_length=1000, blank=True, validators=[NoLineBreaks("Le titre")])
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure organisatrice",
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
    )
    status = models.ForeignKey(
        ActionStatus, verbose_name="statut de l'action", on_delete=models.PROTECT, null=True, blank=True
    )
    end_reason = models.TextField("raisons pour lesquelles l'action est terminée", blank=True)
    dimensions = models.ManyToManyField(
        Dimension, verbose_name="dimension", through="ActionDimension", related_name="actions", blank=True
    )
    keywords = models.ManyToManyField(
        Keyword, verbose_name="mots clés", through="ActionKeyword", related_name="actions", blank=True
    )
    summary = models.TextField("résumé", blank=True)
    initiative = models.ManyToManyField(
        Initiative,
        verbose_name="qui est à l'initiative de l'action",
        through="ActionInitiative",
        related_name="actions",
        blank=True,
    )
    initiative_detail = models.TextField("précision (si autre)", blank=True)
    territory = models.ForeignKey(
        Territory, verbose_name="territoire concerné", on_delete=models.PROTECT, null=True, blank=True
    )
    experience = models.TextField(
        "description de l'expérience, ses objectifs, ses acteurs et ses différentes phases", blank=True
    )
    public = models.ManyToManyField(
        Public, verbose_name="public", through="ActionPublic", related_name="actions", blank=True
    )
    partners = models.ManyToManyField(
        Partner,
        verbose_name="partenaires d'action",
        through="ActionPartner",
        related_name="actions",
        blank=True,
    )
    general_description = models.TextField("description générale", blank=True)
    financial_resources = models.TextField("ressources financières mobilisées", blank=True)
    people_mobilised = models.TextField("nombre de personnes mobilisées", blank=True)
    result_territory = models.TextField("résultat sur le territoire", blank=True)
    result_centre = models.TextField("résultat pour le centre social", blank=True)
    result_inhabitants = models.TextField("résultat pour les habitants", blank=True)
    limits = models.TextField("suite de l'action : limites", blank=True)
    perspectives = models.TextField("suite de l'action : perspectives", blank=True)

    year = models.PositiveSmallIntegerField("année de saisie", null=True, blank=True)
    state = models.CharField("état", max_length=10, choices=ActionState.choices, default=ActionState.DRAFT)
    # Not indexed: imports hold every fingerprint in memory, and a random-order index is costly to fill.
    fingerprint = models.CharField(
        "empreinte du contenu", max_length=64, editable=False, help_text="SHA-256 du contenu."
    )
    probable_duplicate_of = models.ForeignKey(
        "self",
        verbose_name="doublon probable de",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="probable_duplicates",
    )
    source = models.CharField("origine", max_length=500, blank=True, help_text="Fichier et ligne d'import.")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    # Freshness reminders (`send_freshness_reminders`): at most one per sheet every six months.
    stale_reminded_at = models.DateTimeField("dernier rappel d'actualisation", null=True, blank=True, editable=False)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches actions"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["state", "year"]),
            models.Index(fields=["-updated_at"]),
            # E-mail alerts: sheets published since the last digest.
            models.Index(fields=["state", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.title or f"Fiche sans titre n° {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("www:action-detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "fiche"


class OrderedChoice(models.Model):
    """A value of a multi-valued list on a sheet, at its place in the sheet."""

    # No index of its own: the unique (action, item) constraint serves lookups by sheet.
    action = models.ForeignKey(Action, on_delete=models.CASCADE, db_index=False)
    position = models.PositiveSmallIntegerField("rang", default=0)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return str(self.item)


class ActionDimension(OrderedChoice):
    item = models.ForeignKey(Dimension, verbose_name="dimension", on_delete=models.PROTECT)

    class Meta(OrderedChoice.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "item"], name="unique_action_dimension")]


class ActionKeyword(OrderedChoice):
    item = models.ForeignKey(Keyword, verbose_name="mot clé", on_delete=models.PROTECT)

    class Meta(OrderedChoice.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "item"], name="unique_action_keyword")]


class ActionInitiative(OrderedChoice):
    item = models.ForeignKey(Initiative, verbose_name="initiative", on_delete=models.PROTECT)

    class Meta(OrderedChoice.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "item"], name="unique_action_initiative")]


class ActionPublic(OrderedChoice):
    item = models.ForeignKey(Public, verbose_name="public", on_delete=models.PROTECT)

    class Meta(OrderedChoice.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "item"], name="unique_action_public")]


class ActionPartner(OrderedChoice):
    item = models.ForeignKey(Partner, verbose_name="partenaire", on_delete=models.PROTECT)

    class Meta(OrderedChoice.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "item"], name="unique_action_partner")]


class ActionFile(models.Model):
    """An attached file; imports know only its name, uploads also have the stored file."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="files")
    name = models.CharField("nom du fichier", max_length=500, validators=[NoLineBreaks("Le nom du fichier")])
    position = models.PositiveSmallIntegerField("rang", default=0)
    file = models.FileField("fichier", upload_to="actions/%Y/", blank=True)

    class Meta:
        verbose_name = "fichier associé"
        verbose_name_plural = "fichiers associés"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


# Multi-valued list fields: export key → (through model, many-to-many field name).
LIST_RELATIONS = {
    "dimensions": (ActionDimension, "dimensions"),
    "keywords": (ActionKeyword, "keywords"),
    "initiative": (ActionInitiative, "initiative"),
    "public": (ActionPublic, "public"),
    "partners": (ActionPartner, "partners"),
}


class ActionTransition(models.Model):
    """A change of state of a sheet: who, when, from what to what, and why."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("état de départ", max_length=10, choices=ActionState.choices)
    target = models.CharField("nouvel état", max_length=10, choices=ActionState.choices)
    acting_user = models.ForeignKey(
        "accounts.User", verbose_name="par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("le", auto_now_add=True)

    class Meta:
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} : {self.get_source_display()} → {self.get_target_display()}"


class PendingRevision(models.Model):
    """Changes proposed to a published sheet: the published version stays online until a correspondent
    approves them (`actions.editing.approve_pending_revision`) or rejects them.

    `data` holds the proposed content as the edit form gives it (texts, reference ids) and the files
    added (already stored under random names) or removed. One proposal per sheet: a later edit
    replaces it, and `version` lets two people editing it at once notice each other.
    """

    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="pending_revision")
    data = models.JSONField("modifications proposées")
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name="proposée par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("proposée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "modification en attente"
        verbose_name_plural = "modifications en attente"
        ordering = ["updated_at", "id"]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"Modification en attente de « {self.action} »"
