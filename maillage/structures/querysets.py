import re

from django.db import models
from django.db.models import Q

from maillage.referentials.text import fold

# Words of a directory search: letters and digits (`l'Abeille` searches `l` and `abeille`).
_WORD = re.compile(r"\w+")
MAX_SEARCH_WORDS = 10

SQLITE_FOLD_FUNCTION = "maillage_fold"


class Folded(models.Func):
    """Lower-case, accent-free text in SQL, the counterpart of `referentials.text.fold` for searching."""

    output_field = models.CharField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="LOWER(%(expressions)s)", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        # `unaccent` is created by the search app's first migration.
        return super().as_sql(compiler, connection, template="LOWER(UNACCENT(%(expressions)s))", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # `fold` itself, registered on each SQLite connection by `StructuresConfig.ready`.
        return super().as_sql(compiler, connection, function=SQLITE_FOLD_FUNCTION, **extra_context)


def fold_or_none(text: str | None) -> str | None:
    return None if text is None else fold(text)


def search_words(query: str) -> list[str]:
    """The folded words of a search, at most `MAX_SEARCH_WORDS`."""
    return _WORD.findall(fold(query))[:MAX_SEARCH_WORDS]


class StructureQuerySet(models.QuerySet):
    def for_department(self, department):
        return self.filter(department=department)

    def with_flagged_siret(self):
        return self.filter(siret_flagged=True)

    def search(self, query: str):
        """Structures whose name, commune or postcode hold every word of `query`, ignoring case and accents."""
        words = search_words(query)
        if not words:
            return self
        found = self.alias(folded_name=Folded("name"), folded_commune=Folded("commune"))
        for word in words:
            found = found.filter(
                Q(folded_name__contains=word) | Q(folded_commune__contains=word) | Q(postcode__startswith=word)
            )
        return found

    def by_name(self):
        """In alphabetical order, accents aside (École among the E)."""
        return self.order_by(Folded("name"), "name", "id")

    # Facet filters: several values of one facet are alternatives (OR).

    def in_departments(self, codes):
        return self.filter(department__code__in=codes)

    def in_regions(self, codes):
        return self.filter(department__region__code__in=codes)

    def of_kinds(self, kinds):
        return self.filter(kind__in=kinds)

    def with_management_modes(self, labels):
        return self.filter(management_mode__label__in=labels)

    def with_territory_types(self, labels):
        return self.filter(territory_type__label__in=labels)

    def with_priority_geographies(self, labels):
        return self.filter(priority_geography__label__in=labels)
