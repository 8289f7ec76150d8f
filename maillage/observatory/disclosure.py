"""Which aggregates may be published: statistical secrecy decided once per year, for every page and export.

A figure resting on fewer than 5 structures is secret (primary rule). A published figure must not give a secret one
away by subtraction, on one page or across pages and exports: for every set of parts adding up to a total — CSX +
EVS = all structures; urban + rural = each kind; the regions = the nation; the departments of a region = the
region; the funders' amounts = the income; the age bands = the participants — when exactly one of them is hidden,
one more part is hidden (the one resting on the fewest structures, as `secrecy.protect_row` does on a page).
Hiding a figure in one relation may give it away in another (a department hidden for its region's sake while its
CSX and EVS figures add up to it), so the relations are applied again until nothing changes.

`aggregates.refresh_year` stores the result in `Aggregate.secret`; report pages, CSV, PDF, XLSX and « se situer »
show "s" for those rows. Means and shares are secret with their totals: a mean times its (public) number of
structures is a total. How many structures answered (`REPONSES`) is public.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from . import indicators
from .models import Aggregate, AggregateScope
from .secrecy import is_primary_secret

Key = tuple[str, str, str, str]  # scope, scope code, group, indicator code
Relation = tuple[tuple[Key, ...], Key]  # parts, total

ALL = "all"
KIND_SPLITS = [(("kind=csx", "kind=evs"), ALL)] + [
    ((f"kind={kind}|territory=urbain", f"kind={kind}|territory=rural"), f"kind={kind}") for kind in ("csx", "evs")
]
BREAKDOWN_TOTALS = {"FINANCEMENT_": "FINANCEMENT_TOTAL", "AGE_": "PARTICIPANTS_AGES"}  # parts' prefix → total
PUBLIC_CODES = frozenset(i.code for i in indicators.INDICATORS if i.kind == "count")
BATCH = 500


def relations(keys: Iterable[Key], region_of: Mapping[str, str]) -> list[Relation]:
    """Every set of parts adding up to a total among `keys` (see the module docstring)."""
    keys = set(keys)
    result: list[Relation] = []
    places = {(scope, code, indicator) for scope, code, _, indicator in keys}
    for scope, code, indicator in places:
        for parts, total in KIND_SPLITS:
            result.append((tuple((scope, code, g, indicator) for g in parts), (scope, code, total, indicator)))
    departments_of: dict[str, list[str]] = defaultdict(list)
    for department, region in sorted(region_of.items()):
        departments_of[region].append(department)
    for group, indicator in {(g, i) for _, _, g, i in keys}:
        regions = tuple((AggregateScope.REGION, r, group, indicator) for r in sorted(departments_of))
        result.append((regions, (AggregateScope.NATION, "", group, indicator)))
        for region, departments in departments_of.items():
            parts = tuple((AggregateScope.DEPARTMENT, d, group, indicator) for d in departments)
            result.append((parts, (AggregateScope.REGION, region, group, indicator)))
    indicators_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for scope, code, group, indicator in keys:
        indicators_of[(scope, code, group)].add(indicator)
    for (scope, code, group), present in indicators_of.items():
        for prefix, total in BREAKDOWN_TOTALS.items():
            parts = sorted(i for i in present if i.startswith(prefix) and i != total)
            if parts and total in present:
                result.append((tuple((scope, code, group, i) for i in parts), (scope, code, group, total)))
    present = [(tuple(p for p in parts if p in keys), total) for parts, total in result if total in keys]
    return [(parts, total) for parts, total in present if parts]


def secret_keys(answered: Mapping[Key, int], region_of: Mapping[str, str]) -> set[Key]:
    """The keys that may not be published: primary secrets, then secondary suppression until nothing changes."""
    figures = {key: count for key, count in answered.items() if key[3] not in PUBLIC_CODES}
    secret = {key for key, count in figures.items() if is_primary_secret(count)}
    links = relations(figures, region_of)
    changed = True
    while changed:
        changed = False
        for parts, total in links:
            extra = _complement(parts, total, secret, figures)
            if extra is not None:
                secret.add(extra)
                changed = True
    return secret


def _complement(parts: tuple[Key, ...], total: Key, secret: set[Key], figures: Mapping[Key, int]) -> Key | None:
    """The figure to hide when exactly one of the relation is hidden: the published part resting on the fewest
    structures (the first one on a tie), or the total when every part is hidden already."""
    hidden = sum(1 for part in parts if part in secret) + (total in secret)
    if hidden != 1:
        return None
    published = [(figures[part], index, part) for index, part in enumerate(parts) if part not in secret]
    return min(published)[2] if published else total


def mark_secrets(year: int, region_of: Mapping[str, str], model=Aggregate) -> int:
    """Decide the year's secrets and store them in `Aggregate.secret` (`model`: the migration's historical model);
    returns how many rows are secret."""
    rows = model.objects.filter(year=year).values_list("pk", "scope", "scope_code", "group", "code", "structure_count")
    pks, answered = {}, {}
    for pk, scope, scope_code, group, code, count in rows:
        pks[(scope, scope_code, group, code)] = pk
        answered[(scope, scope_code, group, code)] = count
    secret = sorted(pks[key] for key in secret_keys(answered, region_of))
    model.objects.filter(year=year, secret=True).update(secret=False)
    for start in range(0, len(secret), BATCH):
        model.objects.filter(pk__in=secret[start : start + BATCH]).update(secret=True)
    return len(secret)
