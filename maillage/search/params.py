"""What a reader asks of the action bank: a query, facet selections, a sort — parsed from a URL.

The same parameters serve the list page, its exports, e-mail alerts and the open API, so that a list
can be shared, bookmarked, exported or followed as it is. Values are the labels people read
(`keyword=Culture`), department and region codes or names (`department=69` or `department=Rhône`).
"""

from dataclasses import dataclass, field

# The error of every parameter, kept importable from here, where the search parameters are read.
from maillage.parameters import InvalidParameter as InvalidParameter

# URL parameter → facet name in API answers (the open API names facets after the record's keys).
FACETS = {
    "keyword": "keywords",
    "public": "public",
    "dimension": "dimensions",
    "status": "status",
    "initiative": "initiative",
    "territory": "territory",
    "partner": "partners",
    "department": "department",
    "region": "region",
    "kind": "kind",
    "year": "year",
}
# Names of the facets, as the list page shows them.
FACET_LABELS = {
    "keyword": "Thèmes (mots clés)",
    "public": "Public",
    "dimension": "Dimension",
    "status": "Statut de l'action",
    "initiative": "À l'initiative de",
    "territory": "Territoire concerné",
    "partner": "Partenaires",
    "department": "Département",
    "region": "Région",
    "kind": "Type de structure",
    "year": "Année de saisie",
}
SORTS = {
    "relevance": "pertinence",
    "title": "titre (A → Z)",
    "-title": "titre (Z → A)",
    "recent": "les plus récentes",
    "department": "département",
}
MAX_QUERY_LENGTH = 300
MAX_VALUES_PER_FACET = 50


@dataclass(frozen=True)
class ActionFilters:
    """A search of published sheets. `selected` maps facet parameters to the values ticked."""

    query: str = ""
    selected: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = ""

    def query_pairs(self, *, sort: bool = True) -> list[tuple[str, str]]:
        """The search as URL parameters, in a stable order (for links, exports and alerts)."""
        pairs = [("q", self.query)] if self.query else []
        pairs += [(name, value) for name in FACETS for value in self.selected.get(name, ())]
        if sort and self.sort:
            pairs.append(("sort", self.sort))
        return pairs

    def without(self, name: str, value: str) -> "ActionFilters":
        """The same search with one ticked value (or the query, for `q`) removed."""
        if name == "q":
            return ActionFilters(selected=self.selected, sort="" if self.sort == "relevance" else self.sort)
        remaining = {
            key: tuple(v for v in values if key != name or v != value) for key, values in self.selected.items()
        }
        return ActionFilters(self.query, {key: values for key, values in remaining.items() if values}, self.sort)

    @property
    def is_empty(self) -> bool:
        return not self.query and not self.selected

    @property
    def effective_sort(self) -> str:
        """Relevance when searching, most recent otherwise (relevance needs a query)."""
        if self.sort and not (self.sort == "relevance" and not self.query.strip()):
            return self.sort
        return "relevance" if self.query.strip() else "recent"
