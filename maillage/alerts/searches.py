"""A search as it is followed: the canonical query string kept for it, and its description in French.

The query string is parsed by the search engine, so that a search that the list page would refuse is
refused here too, with the engine's message. The canonical form keeps the query and the facet
selections (values sorted, repeated values once), and drops what does not change which sheets match
(page, sort, unknown parameters): the same search is followed only once per address.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.http import urlencode

from maillage.referentials.models import Department, Region
from maillage.search.engine import parse_action_filters
from maillage.search.params import FACETS, ActionFilters, InvalidParameter
from maillage.structures.models import StructureKind

from .models import MAX_DESCRIPTION_LENGTH, MAX_QUERY_LENGTH

# Parameters of the list page that do not change which sheets a search finds.
PRESENTATION_PARAMETERS = ("page", "sort")

FACET_LABELS = {
    "keyword": "Mots clés",
    "public": "Public",
    "dimension": "Dimension",
    "status": "Statut",
    "initiative": "Initiative",
    "territory": "Territoire",
    "partner": "Partenaires",
    "department": "Département",
    "region": "Région",
    "kind": "Type de structure",
    "year": "Année",
}
ALL_SHEETS = "Toutes les fiches publiées"
SEPARATOR = " · "


@dataclass(frozen=True)
class FollowedSearch:
    query: str  # canonical query string, "" for every sheet
    description: str
    filters: ActionFilters


def search_parameters(query_string: str) -> QueryDict:
    """The parameters of a list page URL that select sheets (without page and sort)."""
    data = QueryDict(query_string.lstrip("?"), mutable=True)
    for name in PRESENTATION_PARAMETERS:
        data.pop(name, None)
    return data


def followed_search(query_string: str) -> FollowedSearch:
    """Parse a query string of the list page; raises InvalidParameter (message in French)."""
    filters = parse_action_filters(search_parameters(query_string))
    query = canonical_query(filters)
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidParameter("q", "cette recherche est trop longue pour être suivie par e-mail.")
    return FollowedSearch(query=query, description=describe(filters), filters=filters)


def canonical_query(filters: ActionFilters) -> str:
    pairs = []
    text = " ".join(filters.query.split())
    if text:
        pairs.append(("q", text))
    for parameter in FACETS:
        pairs.extend((parameter, value) for value in sorted(set(filters.selected.get(parameter, ()))))
    return urlencode(pairs)


def describe(filters: ActionFilters) -> str:
    """« vélo » · Mots clés : Culture ou Santé · Département : Rhône."""
    parts = []
    text = " ".join(filters.query.split())
    if text:
        parts.append(f"« {text} »")
    for parameter, label in FACET_LABELS.items():
        values = filters.selected.get(parameter, ())
        if values:
            parts.append(f"{label} : {' ou '.join(value_labels(parameter, values))}")
    return shorten(SEPARATOR.join(parts) or ALL_SHEETS, MAX_DESCRIPTION_LENGTH)


def value_labels(parameter: str, values: Iterable[str]) -> list[str]:
    """What a reader calls each value: names for department and region codes, words for kinds."""
    values = list(dict.fromkeys(values))
    if parameter == "kind":
        names = dict(StructureKind.choices)
    elif parameter == "department":
        names = dict(Department.objects.filter(code__in=values).values_list("code", "name"))
    elif parameter == "region":
        names = dict(Region.objects.filter(code__in=values).values_list("code", "name"))
    else:
        names = {}
    return [names.get(value, value) for value in values]


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def description_of(query_string: str) -> str:
    """The description of a query string, or "" when it is not a valid search (for templates)."""
    try:
        return followed_search(query_string).description
    except InvalidParameter:
        return ""
