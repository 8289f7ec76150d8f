"""« Se situer »: one structure's last validated response against the quartiles of its groups.

The groups are its department, its region, the structures of the same kind and territory type, and the nation;
their figures are the precomputed aggregates of the response's year, read in one query, statistical secrecy
applied (a group of fewer than 5 structures shows ``SECRET``). Units and decimals are those of `reports.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from maillage.observatory import indicators
from maillage.observatory.aggregates import StoredSummary, territory_group
from maillage.observatory.charts import GroupPosition, PositionChart
from maillage.observatory.models import Aggregate, AggregateScope, Response, ResponseStatus
from maillage.observatory.reports import ALL, decimals_of, has_quartiles, stats_rows, unit_of
from maillage.observatory.secrecy import SECRET, is_primary_secret


@dataclass
class Comparison:
    indicator: indicators.Indicator
    value: Any
    chart: PositionChart


@dataclass
class Situation:
    structure: Any
    year: int | None
    comparisons: list[Comparison]
    groups: list[str] = field(default_factory=list)


def last_validated_response(structure) -> Response | None:
    return (
        Response.objects.filter(structure=structure, status=ResponseStatus.VALIDATED)
        .select_related("questionnaire__campaign")
        .order_by("-questionnaire__campaign__year")
        .first()
    )


def facts_of(structure) -> indicators.StructureFacts:
    department = structure.department
    return indicators.StructureFacts(
        structure.pk, structure.kind or "", department.code if department else "",
        department.region.code if department else "",
        indicators.territory_code(structure.territory_type.label if structure.territory_type_id else None),
        indicators.priority_code(structure.priority_geography.label if structure.priority_geography_id else None),
    )  # fmt: skip


def situate(structure) -> Situation:
    """Each numeric key figure (means and totals) of the structure's last validated response against the median
    and quartiles of its department, its region, the structures of the same kind and territory type, the nation."""
    response = last_validated_response(structure)
    if response is None:
        return Situation(structure, None, [])
    year = response.questionnaire.campaign.year
    facts = facts_of(structure)
    groups = _comparison_groups(structure, facts)
    rows = _comparison_rows(groups, year)
    comparisons = []
    for item in indicators.INDICATORS:
        if not has_quartiles(item):
            continue
        value = item.compute(facts, response.answers or {})
        if value is None:
            continue
        positions = []
        for key, label in groups:
            summary = rows.get((*key, item.code))
            if summary is None or not summary.quartiles:
                positions.append(GroupPosition(label, None, 0))
            elif summary.secret or is_primary_secret(summary.answered):
                positions.append(GroupPosition(label, SECRET, summary.answered))
            else:
                positions.append(GroupPosition(label, summary.quartiles, summary.answered))
        chart = PositionChart(f"{item.label} : votre position ({year})",
                              f"{item.label} de la structure, comparé à la médiane et aux quartiles de chaque groupe.",
                              value, positions, unit=unit_of(item), decimals=decimals_of(item))  # fmt: skip
        comparisons.append(Comparison(item, value, chart))
    return Situation(structure, year, comparisons, [label for _, label in groups])


def _comparison_groups(structure, facts: indicators.StructureFacts) -> list[tuple[tuple[str, str, str], str]]:
    """((scope, scope_code, group), label) of the comparison groups, narrowest first."""
    groups = []
    department = structure.department
    if department is not None:
        groups.append(((AggregateScope.DEPARTMENT, department.code, ALL), f"Département : {department.name}"))
        groups.append(((AggregateScope.REGION, department.region.code, ALL), f"Région : {department.region.name}"))
    if facts.kind and facts.territory:
        kind_label = {"csx": "Centres sociaux", "evs": "Espaces de vie sociale"}[facts.kind]
        territory_label = {"urbain": "en territoire urbain", "rural": "en territoire rural"}[facts.territory]
        group = territory_group(facts.kind, facts.territory)
        groups.append(((AggregateScope.NATION, "", group), f"{kind_label} {territory_label}"))
    groups.append(((AggregateScope.NATION, "", ALL), "France"))
    return groups


def _comparison_rows(groups: list, year: int) -> dict[tuple[str, str, str, str], StoredSummary]:
    """The figures of every comparison group in one query."""
    condition = Q()
    for (scope, scope_code, group), _ in groups:
        condition |= Q(scope=scope, scope_code=scope_code, group=group)
    query = stats_rows(Aggregate.objects.filter(condition, year=year))
    fields = ("scope", "scope_code", "group", "code", "stats", "secret")
    return {
        (scope, scope_code, group, code): StoredSummary.from_stats(stats, secret)
        for scope, scope_code, group, code, stats, secret in query.values_list(*fields)
        if stats
    }
