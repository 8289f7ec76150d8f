"""Reference tables: territories and the closed lists of the action and structure sheets.

Closed lists are tables rather than enums because their values are not settled: an import may meet a
value that is not known yet; it is then created with `to_review` set, never dropped.
"""

from django.db import models

from maillage.validators import NoLineBreaks


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100, unique=True)

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100, unique=True)
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="departments")

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ReferenceItemQuerySet(models.QuerySet):
    def to_review(self):
        return self.filter(to_review=True)


class ReferenceItem(models.Model):
    """One value of a closed list, shown in `position` order."""

    label = models.CharField("libellé", max_length=255, unique=True, validators=[NoLineBreaks("Le libellé")])
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    to_review = models.BooleanField(
        "à vérifier",
        default=False,
        db_index=True,
        help_text="Valeur rencontrée lors d'un import, absente de la liste.",
    )
    is_active = models.BooleanField("proposée dans les formulaires", default=True)

    objects = ReferenceItemQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class ActionStatus(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "statut de l'action"
        verbose_name_plural = "statuts de l'action"


class Dimension(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "dimension"
        verbose_name_plural = "dimensions"


class Keyword(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "mot clé"
        verbose_name_plural = "mots clés"


class Initiative(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "initiative"
        verbose_name_plural = "initiatives"


class Territory(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "territoire concerné"
        verbose_name_plural = "territoires concernés"


class Public(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "public"
        verbose_name_plural = "publics"


class Partner(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "partenaire d'action"
        verbose_name_plural = "partenaires d'action"


class ManagementMode(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "mode de gestion"
        verbose_name_plural = "modes de gestion"


class TerritoryType(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "type de territoire d'intervention"
        verbose_name_plural = "types de territoire d'intervention"


class TerritorySize(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "taille du territoire d'intervention"
        verbose_name_plural = "tailles du territoire d'intervention"


class PriorityGeography(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "géographie prioritaire"
        verbose_name_plural = "géographies prioritaires"


# Closed lists by the key used in imports and exports.
CLOSED_LISTS: dict[str, type[ReferenceItem]] = {
    "status": ActionStatus,
    "dimensions": Dimension,
    "keywords": Keyword,
    "initiative": Initiative,
    "territory": Territory,
    "public": Public,
    "partners": Partner,
    "management_mode": ManagementMode,
    "territory_type": TerritoryType,
    "territory_size": TerritorySize,
    "priority_geography": PriorityGeography,
}
