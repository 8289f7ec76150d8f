"""Structures: centres sociaux (CSX) and espaces de vie sociale (EVS), with their identity sheet."""

from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.urls import reverse

from maillage.referentials.models import (
    Department,
    ManagementMode,
    PriorityGeography,
    TerritorySize,
    TerritoryType,
)
from maillage.validators import NoLineBreaks

from .phones import format_phone
from .querysets import StructureQuerySet

OPENING_HOURS_MAX_LENGTH = 500


class StructureKind(models.TextChoices):
    CSX = "csx", "Centre social"
    EVS = "evs", "Espace de vie sociale"


class Structure(models.Model):
    kind = models.CharField(
        "type",
        max_length=3,
        choices=StructureKind.choices,
        blank=True,
        help_text="Vide quand il n'est pas connu.",
    )
    name = models.CharField("nom", max_length=300, validators=[NoLineBreaks("Le nom")])
    department = models.ForeignKey(
        Department,
        verbose_name="département",
        on_delete=models.PROTECT,
        related_name="structures",
        null=True,
        blank=True,
    )
    street = models.CharField("adresse", max_length=300, blank=True, validators=[NoLineBreaks("L'adresse")])
    postcode = models.CharField("code postal", max_length=10, blank=True, validators=[NoLineBreaks("Le code postal")])
    commune = models.CharField("commune", max_length=200, blank=True, validators=[NoLineBreaks("La commune")])
    email = models.CharField(
        "adresse e-mail de contact", max_length=254, blank=True, validators=[NoLineBreaks("L'adresse e-mail")]
    )
    website = models.CharField(
        "site internet", max_length=500, blank=True, validators=[NoLineBreaks("Le site internet")]
    )
    phone = models.CharField(
        "téléphone",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^0[1-9][0-9]{8}$", "Le numéro de téléphone est enregistré sur dix chiffres.")],
        help_text="Dix chiffres, sans espace (la forme enregistrée ; les formulaires acceptent espaces et +33).",
    )
    opening_hours = models.TextField(
        "horaires d'ouverture",
        max_length=OPENING_HOURS_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(OPENING_HOURS_MAX_LENGTH)],
        help_text="Texte libre, quelques lignes.",
    )
    siret = models.CharField("numéro SIRET", max_length=40, blank=True, validators=[NoLineBreaks("Le numéro SIRET")])
    siret_flagged = models.BooleanField(
        "SIRET à vérifier",
        default=False,
        db_index=True,
        help_text="Le numéro n'a pas 14 chiffres ou sa clé est fausse.",
    )
    first_approval = models.DateField("date du 1er agrément", null=True, blank=True)
    population = models.PositiveIntegerField("population de la zone de compétence", null=True, blank=True)
    history = models.TextField("historique", blank=True)
    axis_1 = models.CharField("axe 1 du projet", max_length=500, blank=True, validators=[NoLineBreaks("Un axe")])
    axis_2 = models.CharField("axe 2 du projet", max_length=500, blank=True, validators=[NoLineBreaks("Un axe")])
    axis_3 = models.CharField("axe 3 du projet", max_length=500, blank=True, validators=[NoLineBreaks("Un axe")])
    axis_4 = models.CharField("axe 4 du projet", max_length=500, blank=True, validators=[NoLineBreaks("Un axe")])
    axis_5 = models.CharField("axe 5 du projet", max_length=500, blank=True, validators=[NoLineBreaks("Un axe")])
    management_mode = models.ForeignKey(
        ManagementMode, verbose_name="mode de gestion", on_delete=models.PROTECT, null=True, blank=True
    )
    territory_type = models.ForeignKey(
        TerritoryType, verbose_name="type de territoire", on_delete=models.PROTECT, null=True, blank=True
    )
    territory_size = models.ForeignKey(
        TerritorySize, verbose_name="taille du territoire", on_delete=models.PROTECT, null=True, blank=True
    )
    priority_geography = models.ForeignKey(
        PriorityGeography,
        verbose_name="géographie prioritaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    fcsf_member = models.BooleanField("adhérent à la Fédération des centres sociaux", null=True, blank=True)
    other_federation = models.CharField(
        "adhérent à une autre fédération", max_length=300, blank=True, validators=[NoLineBreaks("La fédération")]
    )
    travellers = models.BooleanField("structure « gens du voyage »", null=True, blank=True)
    multi_site = models.BooleanField("structure multi-sites / éclatée", null=True, blank=True)
    itinerant = models.BooleanField("structure itinérante", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    AXIS_FIELDS = ("axis_1", "axis_2", "axis_3", "axis_4", "axis_5")

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["department", "name"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["siret"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("www:structure-detail", kwargs={"pk": self.pk})

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def axes(self) -> list[str]:
        return [getattr(self, name) for name in self.AXIS_FIELDS]


class SheetErrorReport(models.Model):
    """« Signaler une erreur »: a reader's message about a published sheet, for the department's correspondents
    (kept here, beside the structure whose department decides who reads it)."""

    action = models.ForeignKey(
        "actions.Action", verbose_name="fiche", on_delete=models.CASCADE, related_name="error_reports"
    )
    message = models.TextField("message", max_length=2000)
    email = models.EmailField("adresse pour la réponse", blank=True)
    created_at = models.DateTimeField("signalée le", auto_now_add=True)
    handled_at = models.DateTimeField("traitée le", null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User", verbose_name="traitée par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "erreur signalée sur une fiche"
        verbose_name_plural = "erreurs signalées sur des fiches"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["handled_at", "created_at"])]

    def __str__(self) -> str:
        return f"Erreur signalée sur « {self.action} »"
