"""Loading demo data, through the same loader as the text import, and the first administrator account.

Structures are bulk-created; sheets go through `ActionLoader` (fingerprints, closed lists, search index),
one loader per campaign since a loader gives all its sheets the same year.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from maillage.actions.models import Action, ActionState
from maillage.exchange.action_loader import ActionLoader, ReferenceResolver
from maillage.exchange.action_text import ParsedSheet
from maillage.exchange.reports import ImportReport
from maillage.exchange.structure_json import PLAIN_KEYS
from maillage.french import count_noun
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from maillage.structures.siret import is_valid_siret

from .generator import DEFAULT_LAST_YEAR, DemoGenerator
from .structures import DemoStructure

STRUCTURE_LIST_KEYS = ("management_mode", "territory_type", "territory_size", "priority_geography")
ADMIN_EMAIL = "admin@maillage.local"


class DemoError(Exception):
    """The demo cannot be loaded; the message is for people."""


@dataclass
class DemoResult:
    structures: int
    report: ImportReport


def load_demo(*, structures: int, actions: int, seed: int, last_year: int = DEFAULT_LAST_YEAR) -> DemoResult:
    """Fill an empty database with `structures` invented structures and `actions` sheets, in one transaction."""
    generator = DemoGenerator(seed, last_year=last_year)
    report = ImportReport(filename=f"démo-graine-{seed}")
    with transaction.atomic():
        _check_empty()
        demo_structures = generator.structures(structures)
        _create_structures(demo_structures, report)
        _load_sheets(generator, actions, demo_structures, report)
    return DemoResult(structures=len(demo_structures), report=report)


def _check_empty() -> None:
    structures, actions = Structure.objects.count(), Action.objects.count()
    if structures or actions:
        raise DemoError(
            f"la base contient déjà {count_noun(structures, 'structure')} et "
            f"{count_noun(actions, 'fiche action', 'fiches actions')} : "
            "les données de démonstration ne se chargent que dans une base vide"
        )


def _create_structures(demo_structures: list[DemoStructure], report: ImportReport) -> None:
    departments = dict(Department.objects.values_list("name", "id"))
    missing = sorted({s.record["department"] for s in demo_structures} - departments.keys())
    if missing:
        raise DemoError(f"départements absents de la base : {', '.join(missing)} (lancez « maillage migrate »)")
    resolver = ReferenceResolver(STRUCTURE_LIST_KEYS, report)
    rows = [_structure(s.record, departments, resolver, line) for line, s in enumerate(demo_structures, start=1)]
    Structure.objects.bulk_create(rows, batch_size=500)


def _structure(record: dict, departments: dict, resolver: ReferenceResolver, line: int) -> Structure:
    structure = Structure(kind=record["kind"], **{key: record[key] for key in PLAIN_KEYS})
    structure.department_id = departments[record["department"]]
    structure.first_approval = dt.date.fromisoformat(record["first_approval"])
    structure.siret_flagged = bool(record["siret"]) and not is_valid_siret(record["siret"])
    for number, axis in enumerate(record["axes"], start=1):
        setattr(structure, f"axis_{number}", axis)
    for key in STRUCTURE_LIST_KEYS:
        setattr(structure, f"{key}_id", resolver.resolve(key, record[key], line))
    return structure


def _load_sheets(generator: DemoGenerator, count: int, structures: list[DemoStructure], report) -> None:
    loader, loader_year = None, None
    for line, (year, record) in enumerate(generator.sheets(count, structures), start=1):
        if year != loader_year:
            if loader is not None:
                loader.flush()
            loader = ActionLoader(report, state=ActionState.PUBLISHED, year=year, update_matching=False)
            loader_year = year
        loader.add(ParsedSheet(line=line, record=record))
    if loader is not None:
        loader.finish()


def ensure_admin() -> str | None:
    """Create the `admin@maillage.local` superuser when there is no superuser; returns its password, once."""
    users = get_user_model().objects
    if users.filter(is_superuser=True).exists():
        return None
    if users.filter(email=ADMIN_EMAIL).exists():
        raise DemoError(f"le compte {ADMIN_EMAIL} existe sans être administrateur : aucun compte créé")
    password = secrets.token_urlsafe(18)
    users.create_superuser(ADMIN_EMAIL, password)
    return password
