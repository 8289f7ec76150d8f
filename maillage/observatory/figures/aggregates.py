"""Precomputed key figures: ``Aggregate`` rows computed once from the validated responses, read by the report pages.

``refresh_year(year)`` reads the VALIDATED responses of the year once (one query, streamed), turns each into the value
of every indicator (``indicators.py``), and summarises them per department and group of structures. Regions and the
nation are then MERGED from the department summaries: a summary keeps the sorted values, so the merge is exact
(``statistics.py``): the nation's median is the true median of its structures, not a median of medians. Everything
of the year is deleted and inserted again in one transaction: readers never see half a year, and a refresh run twice
gives the same rows.

Groups of structures (``Aggregate.group``): ``all``; ``kind=csx``, ``kind=evs``; and for "se situer", the same kind
and territory type: ``kind=csx|territory=urbain``, ``kind=evs|territory=rural``… (territory codes:
``indicators.territory_code``). Every structure is in exactly one part of each split, so that the parts add up to
their total (`disclosure.py`): a structure whose identity sheet gives no kind is in ``kind=nr``, one of a kind
without territory type in ``kind=csx|territory=nr``…, and one without a department in the region ``nr`` (« non
renseigné », `disclosure.UNKNOWN`), which has no department row.

Each row's ``summary`` is ``Summary.to_json()`` plus a ``stats`` key (count, answered, total, mean, min, q1, median,
q3, max, as strings), so that pages read the figures of a territory without decoding every structure's value:
``territory_figures`` reads ``stats`` only (one query), and gives ``statistics.Summary`` objects when asked
``with_values=True``. Statistical secrecy is NOT applied here: the report layer does it (``secrecy.py``), using
``structure_count`` (the structures whose answers make the figure).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from django.db import transaction
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from maillage.exchange.bulk import db_datetime, insert_rows
from maillage.referentials.models import Department
from maillage.structures.models import Structure

from ..models import Aggregate, AggregateScope, Campaign, Response, ResponseStatus
from . import disclosure
from .disclosure import UNKNOWN
from .indicators import ANSWER_INDICATORS, RESPONSE_INDICATOR, StructureFacts, priority_code, structure_values
from .indicators import territory_code as territory_code_of
from .statistics import Summary, to_decimal

ALL = "all"
BATCH = 2000


def kind_group(kind: str) -> str:
    return f"kind={kind}"


def territory_group(kind: str, territory: str) -> str:
    return f"kind={kind}|territory={territory}"


def groups_of(facts: StructureFacts) -> list[str]:
    """The groups a structure belongs to: one part of each split, « non renseigné » when its sheet is silent."""
    groups = [ALL, kind_group(facts.kind or UNKNOWN)]
    if facts.kind:
        groups.append(territory_group(facts.kind, facts.territory or UNKNOWN))
    return groups


def structure_facts() -> dict[int, StructureFacts]:
    """Every structure's identity facts, in one query."""
    rows = Structure.objects.values_list(
        "id", "kind", "department__code", "department__region__code", "territory_type__label",
        "priority_geography__label",
    )  # fmt: skip
    return {
        pk: StructureFacts(pk, kind or "", department or "", region or "", territory_code_of(t), priority_code(p))
        for pk, kind, department, region, t, p in rows
    }


def validated_answers(year: int) -> Iterable[tuple[int, dict]]:
    return (
        Response.objects.filter(questionnaire__campaign__year=year, status=ResponseStatus.VALIDATED)
        .values_list("structure_id", "answers")
        .iterator(chunk_size=1000)
    )


# --- computing ------------------------------------------------------------------------------------------------------

Key = tuple[str, str]  # (department code, group)


def department_summaries(
    facts: Mapping[int, StructureFacts], answers: Iterable[tuple[int, Mapping]]
) -> tuple[dict[Key, dict[str, Summary]], dict[str, str]]:
    """Summaries per (department code, group) → indicator code, from raw answers; and department → region."""
    columns: dict[Key, list[list]] = {}
    structures: dict[Key, int] = defaultdict(int)
    respondents: dict[Key, int] = defaultdict(int)
    regions: dict[str, str] = {}
    width = len(ANSWER_INDICATORS)
    for item in facts.values():
        if item.department:
            regions[item.department] = item.region
        for group in groups_of(item):
            structures[(item.department, group)] += 1
    for structure_id, structure_answers in answers:
        item = facts.get(structure_id)
        if item is None:
            continue
        values = [None if v is None else to_decimal(v) for v in structure_values(item, structure_answers or {})]
        for group in groups_of(item):
            key = (item.department, group)
            respondents[key] += 1
            lists = columns.get(key)
            if lists is None:
                lists = columns[key] = [[] for _ in range(width)]
            for column, value in zip(lists, values, strict=True):
                column.append(value)
    result: dict[Key, dict[str, Summary]] = {}
    for key, count in structures.items():
        answered = respondents.get(key, 0)
        summaries = {RESPONSE_INDICATOR: Summary(count=count, values=(Decimal(1),) * answered, total=Decimal(answered))}
        for indicator, column in zip(ANSWER_INDICATORS, columns.get(key, ()), strict=False):
            summaries[indicator.code] = _summary(column)
        result[key] = summaries
    return result, regions


def _summary(column: list[Decimal | None]) -> Summary:
    """``statistics.summarize`` of values already converted to Decimal (converted once per structure, not once per
    group: same result)."""
    answered = sorted(v for v in column if v is not None)
    return Summary(count=len(column), values=tuple(answered), total=sum(answered, Decimal(0)))


def merge_all(summaries: Iterable[Summary]) -> Summary:
    """The exact merge of many disjoint summaries at once (same result as ``statistics.merge_summaries``)."""
    summaries = list(summaries)
    return Summary(
        count=sum(s.count for s in summaries),
        values=tuple(sorted(chain.from_iterable(s.values for s in summaries))),
        total=sum((s.total for s in summaries), Decimal(0)),
    )


def territory_summaries(
    by_department: Mapping[Key, Mapping[str, Summary]], regions: Mapping[str, str]
) -> dict[tuple[str, str, str], dict[str, Summary]]:
    """(scope, scope code, group) → indicator code → summary: departments as given, regions and nation merged."""
    result: dict[tuple[str, str, str], dict[str, Summary]] = {}
    parts: dict[tuple[str, str, str], list[Mapping[str, Summary]]] = defaultdict(list)
    for (department, group), summaries in by_department.items():
        if department:
            result[(AggregateScope.DEPARTMENT, department, group)] = dict(summaries)
        parts[(AggregateScope.REGION, regions.get(department) or UNKNOWN, group)].append(summaries)
        parts[(AggregateScope.NATION, "", group)].append(summaries)
    for key, pieces in parts.items():
        codes = list(dict.fromkeys(chain.from_iterable(pieces)))
        result[key] = {code: merge_all(p[code] for p in pieces if code in p) for code in codes}
    return result


def summary_json(summary: Summary) -> dict:
    """``Summary.to_json()`` plus the ready-made figures under ``stats`` (read without decoding the values)."""
    data = summary.to_json()
    quartiles = summary.quartiles or (None, None, None)
    data["stats"] = {
        "count": summary.count,
        "answered": summary.answered,
        "total": str(summary.total),
        **{
            name: None if value is None else str(value)
            for name, value in (
                ("mean", summary.mean),
                ("min", summary.minimum),
                ("q1", quartiles[0]),
                ("median", quartiles[1]),
                ("q3", quartiles[2]),
                ("max", summary.maximum),
            )
        },
    }
    return data


def compute_figures(year: int, facts=None, answers=None) -> dict[tuple[str, str, str], dict[str, Summary]]:
    """(scope, scope code, group) → indicator code → summary, from the validated responses of the year."""
    facts = structure_facts() if facts is None else facts
    answers = validated_answers(year) if answers is None else answers
    by_department, regions = department_summaries(facts, answers)
    return territory_summaries(by_department, regions)


FIELDS = ("year", "scope", "scope_code", "group", "code", "structure_count", "summary", "computed_at", "secret")


def _write(year: int, figures: Mapping[tuple[str, str, str], Mapping[str, Summary]]) -> int:
    """Replace the year's rows (one transaction); rows are written as tuples (``exchange.bulk.insert_rows``):
    ``bulk_create`` would spend most of the time preparing 30,000 model instances."""
    moment = timezone.now()
    now = db_datetime(moment)
    rows = [
        (year, scope, scope_code, group, code, summary.answered, json.dumps(summary_json(summary)), now, False)
        for (scope, scope_code, group), summaries in figures.items()
        for code, summary in summaries.items()
        if summary.count
    ]
    with transaction.atomic():
        Aggregate.objects.filter(year=year).delete()
        for start in range(0, len(rows), BATCH):
            insert_rows(Aggregate, FIELDS, rows[start : start + BATCH])
        disclosure.mark_secrets(year, dict(Department.objects.values_list("code", "region__code")))
        # One row to read for the reports' cache version, rather than the latest of 50,000 aggregates.
        Campaign.objects.filter(year=year).update(aggregates_computed_at=moment)
    return len(rows)


def refresh_year(year: int) -> int:
    """Recompute every aggregate of the year from its validated responses; returns the number of rows."""
    return _write(year, compute_figures(year))


def refresh_all() -> dict[int, int]:
    """Refresh every campaign year (and drop the aggregates of years without a campaign); year → rows."""
    facts = structure_facts()
    years = sorted(Campaign.objects.values_list("year", flat=True))
    result = {year: _write(year, compute_figures(year, facts=facts)) for year in years}
    Aggregate.objects.exclude(year__in=years).delete()
    return result


# --- reading --------------------------------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


@dataclass(frozen=True)
class StoredSummary:
    """The figures of a stored summary without its values: the same properties as ``statistics.Summary`` that
    pages use (count, answered, answer_rate, total, mean, minimum, median, quartiles, maximum)."""

    count: int
    answered: int
    total: Decimal
    mean: Decimal | None
    minimum: Decimal | None
    q1: Decimal | None
    median: Decimal | None
    q3: Decimal | None
    maximum: Decimal | None
    secret: bool = False  # `Aggregate.secret`: not to be published (`disclosure.py`)

    @property
    def answer_rate(self) -> Decimal | None:
        return Decimal(self.answered) / self.count if self.count else None

    @property
    def quartiles(self) -> tuple[Decimal, Decimal, Decimal] | None:
        return None if self.median is None else (self.q1, self.median, self.q3)  # type: ignore[return-value]

    @classmethod
    def from_stats(cls, stats: Mapping, secret: bool = False) -> StoredSummary:
        return cls(
            count=int(stats["count"]),
            answered=int(stats["answered"]),
            total=Decimal(stats["total"]),
            mean=_decimal(stats.get("mean")),
            minimum=_decimal(stats.get("min")),
            q1=_decimal(stats.get("q1")),
            median=_decimal(stats.get("median")),
            q3=_decimal(stats.get("q3")),
            maximum=_decimal(stats.get("max")),
            secret=secret,
        )


def territory_figures(
    scope: str, code: str | None, years: Iterable[int], group: str = ALL, *, with_values: bool = False
) -> dict[str, dict[int, StoredSummary | Summary]]:
    """Indicator code → {year: summary} of one territory and group, in one query.

    ``scope`` is "nation" (code ignored), "region" or "department" (INSEE code). Summaries are ``StoredSummary``
    (figures only, fast: the national page reads 5 years × every indicator without decoding ~4,000 values each);
    ``with_values=True`` gives full ``statistics.Summary`` objects (values included, mergeable). Indicators or
    years without rows are absent. Secrecy is the caller's business (``StoredSummary.secret``, ``disclosure.py``).
    """
    scope_code = "" if scope == AggregateScope.NATION else (code or "")
    rows = Aggregate.objects.filter(scope=scope, scope_code=scope_code, group=group, year__in=list(years))
    result: dict[str, dict[int, StoredSummary | Summary]] = defaultdict(dict)
    if with_values:
        for indicator_code, year, summary in rows.values_list("code", "year", "summary"):
            result[indicator_code][year] = Summary.from_json(summary)
    else:
        rows = rows.annotate(stats=KeyTransform("stats", "summary")).values_list("code", "year", "stats", "secret")
        for indicator_code, year, stats, secret in rows:
            result[indicator_code][year] = StoredSummary.from_stats(stats, secret)
    return {code: dict(sorted(by_year.items())) for code, by_year in result.items()}
