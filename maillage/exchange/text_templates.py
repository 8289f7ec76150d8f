"""Example files of the two text imports — action sheets and the structure directory, in the old exports' format —
written by the formats' own writers (`action_text.write_sheet`, `structure_text.write_directory`) from an example
record whose closed-list values are the first of each list, so that the file reads back without a warning."""

from maillage.referentials.models import CLOSED_LISTS

from .action_text import PAGE_HEADER, write_sheet
from .records import empty_record
from .structure_text import empty_structure_record, write_directory


def _first(key: str) -> str | None:
    """The first value offered in the forms for a closed list."""
    items = CLOSED_LISTS[key].objects.filter(is_active=True).order_by("position", "label")
    return items.values_list("label", flat=True).first()


def actions_text() -> str:
    record = empty_record()
    record.update(
        title="Jardin partagé du quartier des Lilas",
        structure={"name": "Centre social des Lilas", "department": "Bouches-du-Rhône"},
        status=_first("status"),
        territory=_first("territory"),
        summary="Un jardin cultivé par les habitants au pied des immeubles.",
        experience="Lancé en 2022 avec le bailleur ; une parcelle par famille et des ateliers le mercredi.",
        general_description="Ateliers de jardinage ouverts à tous.",
        limits="L'arrosage en été.",
        perspectives="Un composteur collectif.",
    )
    for key in ("dimensions", "keywords", "initiative", "public", "partners"):
        record[key] = [value] if (value := _first(key)) else []
    return f"{PAGE_HEADER}\n{write_sheet(record)}"


def structures_text() -> str:
    record = empty_structure_record()
    record.update(
        kind="csx",
        name="Centre social des Lilas",
        street="9 rue des Lilas",
        postcode="13001",
        commune="Marseille",
        email="contact@lilas.example.org",
        website="https://lilas.example.org",
        first_approval="1985-09-01",
        population=12000,
        history="Né d'un collectif d'habitants.",
        axes=["Accueillir", "Soutenir les familles", "", "", ""],
        fcsf_member=True,
        travellers=False,
        multi_site=False,
        itinerant=False,
    )
    for key in ("management_mode", "territory_type", "territory_size", "priority_geography"):
        record[key] = _first(key)
    return "".join(write_directory([record]))
