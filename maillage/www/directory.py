"""Directory of structures and territory pages."""

from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from maillage.accounts.joining import department_moderators
from maillage.accounts.models import Membership
from maillage.exchange.structure_json import STRUCTURE_RELATIONS
from maillage.referentials.models import Department, Region
from maillage.referentials.text import fold
from maillage.search.params import InvalidParameter
from maillage.structures.directory import (
    FACETS,
    FACETS_BY_PARAM,
    StructureFilters,
    parse_page,
    parse_structure_filters,
    search_structures,
)
from maillage.structures.models import Structure
from maillage.structures.territories import (
    department_figures,
    france_figures,
    kind_counts,
    latest_sheets,
    sheets_in,
    structures_in,
    top_keywords,
)

from .france_map import france_map, on_map_codes

TERRITORY_STRUCTURES = 20  # structures listed on a department page; the directory has them all
PAGINATION_NEIGHBOURS = 2  # page links shown on each side of the current page
PARAMETER_NAMES = {"q": "Recherche", "page": "Page", **{facet.param: facet.title for facet in FACETS}}


def structure_detail(request, pk: int):
    # Whether anyone works there on Maillage: join its team, or claim it (read with the structure, in one query).
    members = Membership.objects.filter(structure=OuterRef("pk"))
    structures = Structure.objects.select_related(*STRUCTURE_RELATIONS).annotate(has_members=Exists(members))
    structure = get_object_or_404(structures, pk=pk)
    actions = structure.actions.published().order_by("title", "id")
    context = {"structure": structure, "actions": actions, "trail": [_directory_crumb()]}
    return render(request, "www/structure_detail.html", context)


# Directory


def structure_list(request):
    try:
        filters = parse_structure_filters(request.GET)
        results = search_structures(filters, page=parse_page(request.GET))
    except InvalidParameter as error:
        context = {"error_field": PARAMETER_NAMES.get(error.parameter, error.parameter), "error": error}
        return render(request, "directory/structure_list_error.html", context, status=400)
    context = {
        "filters": filters,
        "results": results,
        "facets": [
            {"param": facet.param, "title": facet.title, "options": results.facets[facet.param]}
            for facet in FACETS
            if results.facets[facet.param]
        ],
        "chips": _chips(filters),
        "pages": _pagination(filters, results.page, results.num_pages),
        "first_rank": (results.page - 1) * results.page_size + 1,
        "exports": _export_links(filters),
    }
    return render(request, "directory/structure_list.html", context)


def _directory_url(filters: StructureFilters, page: int = 1) -> str:
    params = filters.params() + ([("page", str(page))] if page > 1 else [])
    url = reverse("www:structure-list")
    return f"{url}?{urlencode(params)}" if params else url


def _export_links(filters: StructureFilters) -> list[tuple[str, str, str]]:
    query = urlencode(filters.params())
    suffix = f"?{query}" if query else ""
    return [
        (label, reverse("www:structure-export", kwargs={"fmt": fmt}) + suffix, help_text)
        for fmt, label, help_text in (
            ("csv", "CSV", "tableur, séparateur point-virgule"),
            ("xlsx", "Excel", "XLSX"),
            ("json", "JSON", "format ouvert"),
        )
    ]


def _chips(filters: StructureFilters) -> list[dict]:
    """The active filters, each with the link that removes it."""
    chips = []
    if filters.query:
        chips.append({"title": "Recherche", "label": filters.query, "url": _directory_url(filters.without("q"))})
    for param, values in filters.selected.items():
        title = FACETS_BY_PARAM[param].title
        for value in values:
            label = filters.label(param, value)
            chips.append({"title": title, "label": label, "url": _directory_url(filters.without(param, value))})
    return chips


def _pagination(filters: StructureFilters, current: int, last: int) -> dict | None:
    """Numbered page links: the first, the last, and the neighbours of the current page; None for one page."""
    if last <= 1:
        return None
    numbers = sorted(
        {1, last} | set(range(max(1, current - PAGINATION_NEIGHBOURS), min(last, current + PAGINATION_NEIGHBOURS) + 1))
    )
    links, previous = [], 0
    for number in numbers:
        if number > previous + 1:
            links.append({"gap": True})
        links.append({"number": number, "url": _directory_url(filters, number), "current": number == current})
        previous = number
    return {
        "links": links,
        "previous": _directory_url(filters, current - 1) if current > 1 else None,
        "next": _directory_url(filters, current + 1) if current < last else None,
    }


# Territories


def territory_index(request):
    figures, unplaced = france_figures()
    departments = [
        (item.department.code, item.department.name, _department_url(item.department), item.sheets) for item in figures
    ]
    on_map = on_map_codes()
    context = {
        "figures": figures,
        "map": france_map(departments),
        "overseas": [item for item in figures if item.department.code not in on_map],
        "regions": _region_totals(figures),
        "unplaced": unplaced,
        "total_structures": sum(item.structures for item in figures) + unplaced.structures,
        "total_sheets": sum(item.sheets for item in figures)
        + unplaced.sheets_without_structure
        + unplaced.sheets_without_department,
    }
    return render(request, "directory/territory_index.html", context)


def territory_detail(request, code: str):
    if code[:1] in ("r", "R"):
        region = get_object_or_404(Region, code=code[1:])
        if code != f"r{region.code}":
            return redirect("www:territory-detail", code=f"r{region.code}", permanent=True)
        return _region_page(request, region)
    department = get_object_or_404(Department.objects.select_related("region"), code=code.upper())
    if code != department.code:
        return redirect("www:territory-detail", code=department.code, permanent=True)
    return _department_page(request, department)


def _department_page(request, department: Department):
    structures = structures_in(department)
    kinds = kind_counts(structures)
    context = {
        **_territory_context(department, "department", department.code, kinds),
        "structures": list(structures.by_name()[:TERRITORY_STRUCTURES]),
        "moderators": department_moderators(department),
        "region_url": _region_url(department.region),
        "trail": [_territories_crumb(), (department.region.name, _region_url(department.region))],
    }
    return render(request, "directory/territory_detail.html", context)


def _region_page(request, region: Region):
    figures = department_figures(region)
    context = {
        **_territory_context(region, "region", region.code, kind_counts(structures_in(region))),
        "figures": figures,
        "sheet_count": sum(item.sheets for item in figures),
        "trail": [_territories_crumb()],
    }
    return render(request, "directory/territory_detail.html", context)


def _territory_context(territory, param: str, code: str, kinds) -> dict:
    sheets = sheets_in(territory)
    scope = [(param, code)]
    return {
        "territory": territory,
        "is_region": param == "region",
        "kinds": kinds,
        "structure_count": sum(kind.count for kind in kinds),
        "sheet_count": sheets.count() if param == "department" else None,
        "latest_sheets": latest_sheets(sheets),
        "keywords": [
            {"label": label, "count": count, "url": _actions_url(scope + [("keyword", label)])}
            for label, count in top_keywords(sheets)
        ],
        "actions_url": _actions_url(scope),
        "directory_url": f"{reverse('www:structure-list')}?{urlencode(scope)}",
    }


def _region_totals(figures) -> list[dict]:
    regions = {}
    for item in figures:
        region = item.department.region
        totals = regions.setdefault(
            region.pk, {"region": region, "url": _region_url(region), "structures": 0, "sheets": 0}
        )
        totals["structures"] += item.structures
        totals["sheets"] += item.sheets
    return sorted(regions.values(), key=lambda totals: fold(totals["region"].name))


def _actions_url(params) -> str:
    return f"{reverse('www:action-list')}?{urlencode(params)}"


def _department_url(department: Department) -> str:
    return reverse("www:territory-detail", kwargs={"code": department.code})


def _region_url(region: Region) -> str:
    return reverse("www:territory-detail", kwargs={"code": f"r{region.code}"})


def _directory_crumb() -> tuple[str, str]:
    return ("Annuaire", reverse("www:structure-list"))


def _territories_crumb() -> tuple[str, str]:
    return ("Territoires", reverse("www:territory-index"))
