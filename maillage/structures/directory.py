"""The directory of structures: a search by name and commune, narrowed by facets that show their counts.

The same URL parameters serve the directory page and the open API: `q`, then one parameter per facet,
repeated for several values. Values of one facet are alternatives (OR), facets add up (AND). Values are
department and region codes (names are accepted too), `csx` / `evs`, and the labels of the closed lists
(`management_mode=Associatif`), compared ignoring case and accents.

Counts follow the current results: each facet counts the structures matching the query and every
*other* facet, so that ticking a value never empties its own facet. One GROUP BY query per facet.
"""

from dataclasses import dataclass, field, replace
from math import ceil

from django.db.models import Count, Q

from maillage.parameters import MAX_PAGE, positive_int
from maillage.referentials.models import (
    Department,
    ManagementMode,
    PriorityGeography,
    Region,
    TerritoryType,
)
from maillage.referentials.text import compact_key, fold, match_key
from maillage.search.params import InvalidParameter

from .models import Structure, StructureKind

MAX_QUERY_LENGTH = 300
MAX_VALUES_PER_FACET = 50
PAGE_SIZE = 20


@dataclass(frozen=True)
class Facet:
    param: str
    title: str
    value_field: str
    label_field: str
    order_fields: tuple[str, ...]
    filter_method: str  # the `StructureQuerySet` method narrowing to a list of values
    unknown: str  # French message for a value that does not exist, `{value}` being the value


FACETS = (
    Facet(
        "department",
        "Département",
        "department__code",
        "department__name",
        ("department__code",),
        "in_departments",
        "« {value} » n'est pas un département connu (code ou nom attendu, par exemple 69 ou Rhône).",
    ),
    Facet(
        "region",
        "Région",
        "department__region__code",
        "department__region__name",
        ("department__region__name",),
        "in_regions",
        "« {value} » n'est pas une région connue (code ou nom attendu, par exemple 84 ou Bretagne).",
    ),
    Facet(
        "kind",
        "Type de structure",
        "kind",
        "kind",
        ("kind",),
        "of_kinds",
        "« {value} » n'est pas un type de structure connu (csx ou evs attendu).",
    ),
    Facet(
        "management_mode",
        "Mode de gestion",
        "management_mode__label",
        "management_mode__label",
        ("management_mode__position", "management_mode__label"),
        "with_management_modes",
        "« {value} » n'est pas un mode de gestion connu.",
    ),
    Facet(
        "territory_type",
        "Type de territoire",
        "territory_type__label",
        "territory_type__label",
        ("territory_type__position", "territory_type__label"),
        "with_territory_types",
        "« {value} » n'est pas un type de territoire connu.",
    ),
    Facet(
        "priority_geography",
        "Géographie prioritaire",
        "priority_geography__label",
        "priority_geography__label",
        ("priority_geography__position", "priority_geography__label"),
        "with_priority_geographies",
        "« {value} » n'est pas une valeur connue de la géographie prioritaire.",
    ),
)
FACETS_BY_PARAM = {facet.param: facet for facet in FACETS}
PARAMETERS = ("q", *FACETS_BY_PARAM)
KIND_LABELS = {
    StructureKind.CSX: "Centre social (CSX)",
    StructureKind.EVS: "Espace de vie sociale (EVS)",
}


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class StructureFilters:
    """A directory search. `selected` maps facet parameters to the values ticked, in their canonical form
    (codes, `csx`, labels); `labels` names each (parameter, value) for people."""

    query: str = ""
    selected: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.query and not self.selected

    def params(self) -> list[tuple[str, str]]:
        """The URL parameters of this search, in a stable order."""
        pairs = [("q", self.query)] if self.query else []
        for facet in FACETS:
            pairs.extend((facet.param, value) for value in self.selected.get(facet.param, ()))
        return pairs

    def without(self, param: str, value: str | None = None) -> "StructureFilters":
        """This search less the query (`param="q"`), one facet value, or a whole facet."""
        if param == "q":
            return replace(self, query="")
        selected = dict(self.selected)
        kept = tuple(v for v in selected.pop(param, ()) if value is not None and v != value)
        if kept:
            selected[param] = kept
        return replace(self, selected=selected)

    def label(self, param: str, value: str) -> str:
        return self.labels.get((param, value), value)


@dataclass(frozen=True)
class DirectoryResults:
    count: int
    page: int
    page_size: int
    structures: list[Structure]
    facets: dict[str, list[FacetOption]]

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.count / self.page_size))


# Parsing


def parse_structure_filters(params) -> StructureFilters:
    """Read a directory search from a QueryDict; raises `InvalidParameter` naming the faulty parameter.

    At most one query per facet given (to check its values), none when no facet is given.
    """
    query = _single(params, "q").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", f"la recherche ne peut dépasser {MAX_QUERY_LENGTH} caractères.")
    selected, labels = {}, {}
    for facet in FACETS:
        values = list(dict.fromkeys(value.strip() for value in params.getlist(facet.param) if value.strip()))
        if not values:
            continue
        if len(values) > MAX_VALUES_PER_FACET:
            raise InvalidParameter(facet.param, f"au plus {MAX_VALUES_PER_FACET} valeurs peuvent être cochées.")
        known = _known_values(facet.param)
        canonical = []
        for value in values:
            match = known.get(_value_key(facet.param, value))
            if match is None:
                raise InvalidParameter(facet.param, facet.unknown.format(value=value[:100]))
            if match[0] not in canonical:
                canonical.append(match[0])
            labels[facet.param, match[0]] = match[1]
        selected[facet.param] = tuple(canonical)
    return StructureFilters(query=query, selected=selected, labels=labels)


def parse_page(params) -> int:
    """The page number (from 1) of a directory search."""
    value = _single(params, "page")
    return positive_int(value, "page", maximum=MAX_PAGE, what="un numéro de page") if value else 1


def _single(params, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(name, "ce paramètre ne peut être donné qu'une fois.")
    return values[0] if values else ""


def _value_key(param: str, value: str) -> str:
    return compact_key(value) if param in ("department", "region") else match_key(value)


def _known_values(param: str) -> dict[str, tuple[str, str]]:
    """Key of each accepted spelling → (canonical value, label) for one facet."""
    if param in ("department", "region"):
        model = Department if param == "department" else Region
        known = {}
        for item in model.objects.all():
            label = f"{item.name} ({item.code})"
            known[compact_key(item.code)] = known[compact_key(item.name)] = (item.code, label)
        return known
    if param == "kind":
        return {match_key(value): (str(value), label) for value, label in KIND_LABELS.items()}
    model = {
        "management_mode": ManagementMode,
        "territory_type": TerritoryType,
        "priority_geography": PriorityGeography,
    }[param]
    return {match_key(label): (label, label) for label in model.objects.values_list("label", flat=True)}


# Searching


def search_structures(filters: StructureFilters, *, page: int = 1, page_size: int = PAGE_SIZE) -> DirectoryResults:
    """One page of the structures matching `filters`, by name, with the facets' counts.

    A fixed number of queries: the count, the page, and one per facet. Raises `InvalidParameter` for a
    page past the last one.
    """
    found = Structure.objects.search(filters.query)
    matching = _narrowed(found, filters)
    count = matching.count()
    last_page = max(1, ceil(count / page_size))
    if page > last_page:
        raise InvalidParameter("page", f"la page {page} n'existe pas : la dernière page est la page {last_page}.")
    start = (page - 1) * page_size
    rows = matching.select_related(
        "department__region", "management_mode", "territory_type", "territory_size", "priority_geography"
    ).by_name()[start : start + page_size]
    facets = {
        facet.param: facet_options(facet, _narrowed(found, filters, skip=facet.param), filters) for facet in FACETS
    }
    return DirectoryResults(count=count, page=page, page_size=page_size, structures=list(rows), facets=facets)


def matching_structures(filters: StructureFilters):
    """Every structure matching `filters`, in the order of the directory's pages (the exports' list)."""
    return _narrowed(Structure.objects.search(filters.query), filters).by_name()


def _narrowed(structures, filters: StructureFilters, skip: str | None = None):
    for facet in FACETS:
        values = filters.selected.get(facet.param)
        if values and facet.param != skip:
            structures = getattr(structures, facet.filter_method)(values)
    return structures


def facet_options(facet: Facet, structures, filters: StructureFilters) -> list[FacetOption]:
    """The values of `facet` among `structures` with their counts; ticked values stay, even at zero."""
    fields = dict.fromkeys((facet.value_field, facet.label_field, *facet.order_fields))
    rows = (
        structures.exclude(Q(**{f"{facet.value_field}__isnull": True}) | Q(**{facet.value_field: ""}))
        .values(*fields)
        .annotate(count=Count("id"))
        .order_by(*facet.order_fields)
    )
    selected = filters.selected.get(facet.param, ())
    options = [
        FacetOption(
            value=row[facet.value_field],
            label=_option_label(facet, row),
            count=row["count"],
            selected=row[facet.value_field] in selected,
        )
        for row in rows
    ]
    if facet.param == "region":  # names starting with an accent (Île-de-France) in their alphabetical place
        options.sort(key=lambda option: fold(option.label))
    shown = {option.value for option in options}
    options.extend(
        FacetOption(value=value, label=filters.label(facet.param, value), count=0, selected=True)
        for value in selected
        if value not in shown
    )
    return options


def _option_label(facet: Facet, row: dict) -> str:
    value, label = row[facet.value_field], row[facet.label_field]
    if facet.param == "kind":
        return KIND_LABELS.get(value, value)
    if facet.param in ("department", "region"):
        return f"{label} ({value})"
    return label
