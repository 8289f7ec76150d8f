"""Figures of a territory (department or region): its structures and the sheets they published.

Read by the territory pages and the map of France: every figure is one GROUP BY query, whatever the
number of departments, structures or sheets. Published sheets are `Action.objects.published()`, as on the
home page, in the bank and the API: those no department holds (no structure, or a structure without a
department) are counted apart (`Unplaced`), so that the map's totals are the bank's.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from maillage.actions.models import Action, ActionKeyword
from maillage.referentials.models import Department, Region

from .directory import KIND_LABELS
from .models import Structure

LATEST_SHEETS = 10
TOP_KEYWORDS = 10


@dataclass(frozen=True)
class DepartmentFigures:
    department: Department
    structures: int
    sheets: int


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class Unplaced:
    """Published sheets and structures that no department holds, shown apart from the map."""

    structures: int = 0  # structures without a department
    sheets_without_structure: int = 0
    sheets_without_department: int = 0  # sheets of structures without a department

    def __bool__(self) -> bool:
        return bool(self.structures or self.sheets_without_structure or self.sheets_without_department)


def department_figures(region: Region | None = None) -> list[DepartmentFigures]:
    """Every department (of `region`, or of France) by code, with its structures and published sheets."""
    return _figures(region)[0]


def france_figures() -> tuple[list[DepartmentFigures], Unplaced]:
    """Every department, and what no department holds: together, every structure and published sheet."""
    return _figures(None)


def _figures(region: Region | None) -> tuple[list[DepartmentFigures], Unplaced]:
    departments = Department.objects.select_related("region").order_by("code")
    structures = Structure.objects.all()
    sheets = Action.objects.published()
    if region is not None:
        departments = departments.filter(region=region)
        structures = structures.filter(department__region=region)
        sheets = sheets.filter(structure__department__region=region)
    structure_counts = dict(structures.values_list("department_id").annotate(n=Count("id")).order_by())
    sheet_rows = (
        sheets.values_list("structure__department_id")
        .annotate(n=Count("id"), without_structure=Count("id", filter=Q(structure__isnull=True)))
        .order_by()
    )
    sheet_counts = {department: (count, orphans) for department, count, orphans in sheet_rows}
    figures = [
        DepartmentFigures(
            department=department,
            structures=structure_counts.get(department.pk, 0),
            sheets=sheet_counts.get(department.pk, (0, 0))[0],
        )
        for department in departments
    ]
    elsewhere, orphans = sheet_counts.get(None, (0, 0))
    unplaced = Unplaced(structure_counts.get(None, 0), orphans, elsewhere - orphans)
    return figures, unplaced


def structures_in(territory: Department | Region):
    if isinstance(territory, Region):
        return Structure.objects.filter(department__region=territory)
    return Structure.objects.filter(department=territory)


def sheets_in(territory: Department | Region):
    """The published sheets of the structures of a territory."""
    if isinstance(territory, Region):
        return Action.objects.published().filter(structure__department__region=territory)
    return Action.objects.published().filter(structure__department=territory)


def kind_counts(structures) -> list[KindCount]:
    """Structures by kind (CSX, EVS, then those of unknown kind), kinds without structures left out."""
    counts = dict(structures.values_list("kind").annotate(n=Count("id")).order_by())
    result = [KindCount(str(kind), label, counts[kind]) for kind, label in KIND_LABELS.items() if counts.get(kind)]
    if counts.get(""):
        result.append(KindCount("", "Type non renseigné", counts[""]))
    return result


def latest_sheets(sheets, limit: int = LATEST_SHEETS) -> list[Action]:
    ordered = (
        sheets.select_related("structure__department")
        .only("title", "year", "published_at", "structure__name", "structure__department__name")
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )
    return list(ordered[:limit])


def top_keywords(sheets, limit: int = TOP_KEYWORDS) -> list[tuple[str, int]]:
    """The keywords most given by `sheets`, with the number of sheets giving each."""
    rows = (
        ActionKeyword.objects.filter(action__in=sheets.values("id"))
        .values_list("item__label")
        .annotate(n=Count("id"))
        .order_by("-n", "item__label")
    )
    return list(rows[:limit])
