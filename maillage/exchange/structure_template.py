"""The model table of a structure import: its columns explained for the import page, and a file to fill in
(CSV or XLSX: the header row, then one example row) that `structure_table` reads as it is."""

from dataclasses import dataclass

from maillage.referentials.models import CLOSED_LISTS

from . import table_templates
from .table_templates import TableTemplate


@dataclass(frozen=True)
class TemplateColumn:
    key: str
    label: str
    content: str
    example: str
    required: bool = False
    closed_list: str | None = None  # the key of `CLOSED_LISTS` whose labels are the allowed values


YES_NO = "Oui, Non, ou vide (non renseigné)."
COLUMNS = (
    TemplateColumn("name", "Nom", "Nom de la structure, sur une ligne.", "Centre social des Lilas", required=True),
    TemplateColumn(
        "kind", "Type", "csx (centre social) ou evs (espace de vie sociale) ; vide : deviné d'après le nom.", "csx"
    ),  # fmt: skip
    TemplateColumn("street", "Adresse", "Numéro et rue.", "9 rue des Lilas"),
    TemplateColumn(
        "postcode", "Code postal", "5 chiffres ; donne le département si la colonne department manque.", "13001"
    ),  # fmt: skip
    TemplateColumn("commune", "Commune", "Nom de la commune.", "Marseille"),
    TemplateColumn("department", "Département", "Code (13, 2A, 971) ou nom du département.", "13"),
    TemplateColumn("email", "Adresse e-mail de contact", "Une adresse e-mail.", "contact@lilas.example.org"),
    TemplateColumn("website", "Site internet", "Adresse du site.", "https://lilas.example.org"),
    TemplateColumn(
        "phone", "Téléphone", "Numéro français à dix chiffres (espaces, points ou +33 permis).", "04 91 12 34 56"
    ),  # fmt: skip
    TemplateColumn(
        "opening_hours",
        "Horaires d'ouverture",
        "Texte libre, 500 caractères au plus.",
        "Du lundi au vendredi, 9 h - 12 h et 14 h - 18 h",
    ),  # fmt: skip
    TemplateColumn(
        "siret", "Numéro SIRET", "14 chiffres (espaces permis) ; un numéro faux est gardé et signalé.", "78154320900014"
    ),  # fmt: skip
    TemplateColumn("first_approval", "Date du 1er agrément", "Date jj/mm/aaaa.", "01/09/1985"),
    TemplateColumn("population", "Population de la zone de compétence", "Nombre entier d'habitants.", "12000"),
    TemplateColumn(
        "history", "Historique", "Texte libre, plusieurs lignes permises.", "Né d'un collectif d'habitants."
    ),
    TemplateColumn("axes", "Axes du projet", "Jusqu'à 5 axes séparés par « | ».", "Accueillir | Soutenir les familles"),
    TemplateColumn(
        "management_mode", "Mode de gestion", "Une des valeurs ci-contre.", "", closed_list="management_mode"
    ),
    TemplateColumn(
        "territory_type", "Type de territoire", "Une des valeurs ci-contre.", "", closed_list="territory_type"
    ),
    TemplateColumn(
        "territory_size", "Taille du territoire", "Une des valeurs ci-contre.", "", closed_list="territory_size"
    ),
    TemplateColumn(
        "priority_geography",
        "Géographie prioritaire",
        "Une des valeurs ci-contre.",
        "",
        closed_list="priority_geography",
    ),  # fmt: skip
    TemplateColumn("fcsf_member", "Adhérent à la Fédération des centres sociaux", YES_NO, "Oui"),
    TemplateColumn("other_federation", "Adhérent à une autre fédération", "Nom de la fédération.", ""),
    TemplateColumn("travellers", "Structure « gens du voyage »", YES_NO, "Non"),
    TemplateColumn("multi_site", "Structure multi-sites / éclatée", YES_NO, "Non"),
    TemplateColumn("itinerant", "Structure itinérante", YES_NO, "Non"),
)


def allowed_values() -> dict[str, list[str]]:
    """The labels accepted for each closed list of the table (those offered in the forms), in their order."""
    return {
        column.key: list(
            CLOSED_LISTS[column.closed_list]
            .objects.filter(is_active=True)
            .order_by("position", "label")
            .values_list("label", flat=True)
        )
        for column in COLUMNS
        if column.closed_list
    }


def example_row() -> list[str]:
    allowed = allowed_values()
    return [(allowed[column.key][:1] or [""])[0] if column.closed_list else column.example for column in COLUMNS]


def table_template() -> TableTemplate:
    return TableTemplate("Structures", [column.key for column in COLUMNS], [example_row()])


def template_csv() -> bytes:
    return table_templates.template_csv(table_template())


def template_xlsx() -> bytes:
    return table_templates.template_xlsx(table_template())
