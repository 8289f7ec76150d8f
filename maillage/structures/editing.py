"""Changing structures from the web: their identity sheet, new structures (members: `accounts.services`).

Every change of a stored structure goes through `structure_change` (previous version kept in the history,
sheets' index entries refreshed) and is written in the audit log. Edits are checked against the version
the person started from (optimistic locking): a concurrent change is refused, never overwritten.
"""

from dataclasses import dataclass

from django.db import transaction

from maillage.accounts import perms
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.exchange.structure_text import department_code
from maillage.referentials.models import Department

from .models import Structure
from .services import structure_change
from .siret import is_valid_siret

WEB_SOURCE = "web"
# Fields of the identity sheet that people edit (`siret_flagged` follows from the SIRET).
EDITABLE_FIELDS = (
    "kind",
    "name",
    "department",
    "street",
    "postcode",
    "commune",
    "email",
    "website",
    "phone",
    "opening_hours",
    "siret",
    "first_approval",
    "population",
    "history",
    *Structure.AXIS_FIELDS,
    "management_mode",
    "territory_type",
    "territory_size",
    "priority_geography",
    "fcsf_member",
    "other_federation",
    "travellers",
    "multi_site",
    "itinerant",
)


class StructureConflict(Exception):
    """The structure changed since the person opened the form."""


# Permission predicates of this area, built on `accounts.perms` (to be moved there).


def departments_for(user):
    """Departments where the person may create (or move) structures."""
    if perms.is_national_admin(user):
        return Department.objects.order_by("code")
    return Department.objects.filter(pk__in=perms.department_ids(user)).order_by("code")


# Checks shared by the form and the services.


def postcode_error(postcode: str, department: Department | None) -> str | None:
    """Why a postcode does not fit the department (first digits; 20xxx in Corsica, 97x overseas)."""
    if not postcode or department is None:
        return None
    code = department_code(postcode)
    if code == department.code or (department.code in {"2A", "2B"} and postcode.startswith("20")):
        return None
    start = "20" if department.code in {"2A", "2B"} else department.code
    return (
        f"Le code postal {postcode} ne correspond pas au département {department.name} ({department.code}) : "
        f"il doit commencer par {start}."
    )


def version_of(structure: Structure) -> str:
    """What the form carries to detect a concurrent change."""
    return structure.updated_at.isoformat() if structure.updated_at else ""


# Services.


@dataclass
class SaveResult:
    structure: Structure
    changed: list[str]


def save_structure(structure: Structure, values: dict, *, version: str, acting_user, request=None) -> SaveResult:
    """Save the identity sheet of a stored structure if it has not changed since `version`."""
    with transaction.atomic():
        current = Structure.objects.select_for_update().get(pk=structure.pk)
        if version_of(current) != version:
            raise StructureConflict
        changes = _changes(current, values)
        if changes:
            with structure_change(current, changed_fields=changes, acting_user=acting_user, source=WEB_SOURCE):
                for key, value in changes.items():
                    setattr(current, key, value)
                current.save()
            log_event(
                AuditAction.STRUCTURE_EDITED, actor=acting_user, request=request, target=current, fields=sorted(changes)
            )
    return SaveResult(current, sorted(changes))


def _changes(structure: Structure, values: dict) -> dict:
    values = dict(values)
    if "siret" in values:
        values["siret_flagged"] = bool(values["siret"]) and not is_valid_siret(values["siret"])
    return {key: value for key, value in values.items() if getattr(structure, key) != value}


@transaction.atomic
def create_structure(values: dict, *, acting_user, request=None) -> Structure:
    values = dict(values)
    siret = values.get("siret", "")
    structure = Structure.objects.create(siret_flagged=bool(siret) and not is_valid_siret(siret), **values)
    log_event(AuditAction.STRUCTURE_EDITED, actor=acting_user, request=request, target=structure, created=True)
    return structure
