"""« Se situer »: one structure's last validated response against the quartiles of its groups.

By default a structure is compared with structures of its own kind (an EVS with EVS, a centre social with centres
sociaux): in its department, its region, of the same territory type in France, and in France (``PEERS``). Widened
(``EVERYONE``), the groups are its department, its region, the structures of the same kind and territory type, and
the nation, all kinds together. A structure whose sheet gives no kind is compared with everyone. The figures are the
precomputed aggregates of the response's year, read in one query, statistical secrecy applied (a group of fewer than
5 structures, or secret for the year, shows ``SECRET``). Units and decimals are those of `reports.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from maillage.observatory.definitions.wording import campaign_label
from maillage.observatory.figures import indicators
from maillage.observatory.figures.aggregates import StoredSummary, kind_group, territory_group
from maillage.observatory.figures.charts import GroupPosition, PositionChart
from maillage.observatory.figures.disclosure import is_primary
from maillage.observatory.figures.reports import ALL, decimals_of, has_quartiles, stats_rows, unit_of
from maillage.observatory.figures.secrecy import SECRET
from maillage.observatory.models import Aggregate, AggregateScope, Response, ResponseStatus

PEERS, EVERYONE = "type", "toutes"  # whom a structure is compared with (the values of ``?comparer=``)
KIND_PLURALS = {"csx": "Centres sociaux", "evs": "Espaces de vie sociale"}
TERRITORY_ADJECTIVES = {"urbain": "urbains", "rural": "ruraux"}


@dataclass
class Comparison:
    indicator: indicators.Indicator
    value: Any
    chart: PositionChart


@dataclass
class Proportion:
    """A share or a part of a total: the structure's own (yes/no, or its ratio) beside each group's."""

    indicator: indicators.Indicator
    own: Any  # share: 1 (yes) or 0 (no); ratio: the structure's own part (0–1)
    groups: list[Any]  # per comparison group: 0–1, SECRET, or None (no figure)


@dataclass
class Situation:
    structure: Any
    year: int | None
    comparisons: list[Comparison]
    groups: list[str] = field(default_factory=list)
    proportions: list[Proportion] = field(default_factory=list)
    peers: str = PEERS  # PEERS (same kind) or EVERYONE, as asked and possible


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


def situate(structure, peers: str = PEERS) -> Situation:
    """Each numeric key figure (means and totals) of the structure's last validated response against the median
    and quartiles of its comparison groups: structures of its kind (``PEERS``, the default) or of every kind."""
    facts = facts_of(structure)
    if not facts.kind:
        peers = EVERYONE
    response = last_validated_response(structure)
    if response is None:
        return Situation(structure, None, [], peers=peers)
    year = response.questionnaire.campaign.year
    groups = _peer_groups(structure, facts) if peers == PEERS else _comparison_groups(structure, facts)
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
            elif summary.secret or is_primary(summary.answered):
                positions.append(GroupPosition(label, SECRET, summary.answered))
            else:
                positions.append(GroupPosition(label, summary.quartiles, summary.answered))
        chart = PositionChart(f"{item.label} : votre position ({campaign_label(year)})",
                              f"{item.label} de la structure, comparé à la médiane et aux quartiles de chaque groupe.",
                              value, positions, unit=unit_of(item), decimals=decimals_of(item))  # fmt: skip
        comparisons.append(Comparison(item, value, chart))
    proportions = _proportions(facts, response.answers or {}, groups, rows)
    return Situation(structure, year, comparisons, [label for _, label in groups], proportions, peers)


def _proportions(facts, answers, groups, rows) -> list[Proportion]:
    """Shares of structures (« mène des actions d'accès aux droits ») and parts of a total (« part de la Caf dans
    les produits ») from the structure's answers, beside the published figure of each group."""
    by_group = {key: {} for key, _ in groups}
    for (scope, scope_code, group, code), summary in rows.items():
        if (scope, scope_code, group) in by_group:
            by_group[(scope, scope_code, group)][code] = summary
    result = []
    for item in indicators.INDICATORS:
        if item.kind not in ("share", "ratio") or not item.questions:
            continue
        own = _own_proportion(item, facts, answers)
        if own is None:
            continue
        cells = [_group_proportion(item, by_group[key]) for key, _ in groups]
        result.append(Proportion(item, own, cells))
    return result


def _own_proportion(item: indicators.Indicator, facts, answers) -> Any:
    value = item.compute(facts, answers)
    if value is None or item.kind == "share":
        return value
    denominator = indicators.BY_CODE[item.denominator].compute(facts, answers)
    return value / denominator if denominator else None


def _group_proportion(item: indicators.Indicator, summaries: dict[str, StoredSummary]) -> Any:
    summary = summaries.get(item.code)
    if summary is None:
        return None
    parts = [summary] + (
        [summaries[item.denominator]] if item.kind == "ratio" and item.denominator in summaries else []
    )
    if any(s.secret or is_primary(s.answered) for s in parts):
        return SECRET
    return indicators.headline(item, summary, summaries)


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


def _peer_groups(structure, facts: indicators.StructureFacts) -> list[tuple[tuple[str, str, str], str]]:
    """((scope, scope_code, group), label) of the structures of the same kind, narrowest first."""
    kind = KIND_PLURALS[facts.kind]
    group = kind_group(facts.kind)
    groups = []
    department = structure.department
    if department is not None:
        groups.append(((AggregateScope.DEPARTMENT, department.code, group), f"{kind} — {department.name}"))
        groups.append(((AggregateScope.REGION, department.region.code, group), f"{kind} — {department.region.name}"))
    if facts.territory:
        adjective = TERRITORY_ADJECTIVES[facts.territory]
        groups.append(((AggregateScope.NATION, "", territory_group(facts.kind, facts.territory)),
                       f"{kind} {adjective} — France"))  # fmt: skip
    groups.append(((AggregateScope.NATION, "", group), f"{kind} — France"))
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
