"""Precomputed key figures: ``Aggregate`` rows computed once from the validated responses, read by the report pages.

``refresh_year(year)`` reads the VALIDATED responses of the year once (one query, streamed), turns each into the value
of every indicator (``indicators.py``), and summarises them per department and group of structures. Regions and the
nation are then MERGED from the department summaries: a summary keeps the sorted values, so the merge is exact
(``statistics.py``): the nation's median is the true median of its structures, not a median of medians. The year's
rows are replaced in one transaction (only those that changed are written: `rowsync.py`): readers never see half a
year, and a refresh run twice gives the same rows.

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

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from django.db import transaction
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from maillage.exchange.bulk import db_datetime
from maillage.referentials.models import Department
from maillage.structures.models import Structure

from ..models import Aggregate, AggregateScope, Campaign, Response, ResponseStatus
from . import disclosure
from .disclosure import UNKNOWN
from .indicators import ANSWER_INDICATORS, RESPONSE_INDICATOR, StructureFacts, priority_code, structure_values
from .indicators import territory_code as territory_code_of
from .rowsync import sync_rows
from .statistics import Summary, to_decimal

ALL = "all"


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


# --- writing a year ---------------------------------------------------------------------------------------------------
#
# A year holds about 50,000 rows and 1.8 million values (each structure's value sits in nine rows: its department,
# region and nation, for three groups), 21 MB of JSON. Sorting, merging and writing them as Decimals is most of a
# refresh, so `ranked_rows` does the same work on ranks: each indicator's distinct values of the year are sorted once,
# a row keeps the (sorted) ranks of its values, and its JSON is joined from the texts of the ranks. The rows are the
# same as `json.dumps(summary_json(...))` of `compute_figures` (tests), values in the same order: when two values of
# an indicator are equal but written differently (« 1,5 » and « 1,50 »), their order in a row depends on where they
# come from, so such a year takes the exact path of `compute_figures` instead.

KEY_FIELDS = ("scope", "scope_code", "group", "code")
VALUE_FIELDS = ("structure_count", "summary", "secret")
QUARTILE_POINTS = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))
Cell = tuple[str, str, str]  # scope, scope code, group
RowFigures = tuple[tuple[str, str, str, str], int, str]  # (scope, scope code, group, indicator code), answered, JSON


class Scale:
    """One indicator's distinct values of the year, sorted: rank r is ``decimals[r]``, written ``texts[r]`` (JSON)."""

    def __init__(self, values: Mapping[str, Decimal]) -> None:
        order = sorted(values, key=values.__getitem__)
        self.rank = {text: number for number, text in enumerate(order)}
        self.decimals = [values[text] for text in order]
        self.texts = [f'"{text}"' for text in order]


@functools.cache
def _quartile_positions(count: int) -> list[tuple[int, Decimal | None]]:
    """Where ``statistics.quantile`` reads each quartile among ``count`` sorted values: (index below, fraction of
    the way to the next, None when it is the value itself), the same Decimal arithmetic."""
    result = []
    for point in QUARTILE_POINTS:
        position = (count - 1) * point
        low = int(position)
        fraction = position - low
        result.append((low, None if fraction == 0 or low + 1 >= count else fraction))
    return result


def _between(below: Decimal, above: Decimal, fraction: Decimal) -> Decimal:
    return below + (above - below) * fraction


class Ranked:
    """A summary on ranks (``statistics.Summary`` with ``values`` given as sorted ranks of a ``Scale``)."""

    __slots__ = ("count", "ranks", "total", "scale")

    def __init__(self, count: int, ranks: list[int], total: Decimal, scale: Scale) -> None:
        self.count, self.ranks, self.total, self.scale = count, ranks, total, scale

    def text(self) -> str:
        """``json.dumps(summary_json(summary))`` of the same summary."""
        ranks, decimals, texts = self.ranks, self.scale.decimals, self.scale.texts
        answered, total = len(ranks), f'"{self.total}"'
        mean = low = q1 = median = q3 = high = "null"
        if answered:
            # A figure that is one of the values is written as the value (its text is ready); the others are new.
            q1, median, q3 = (
                texts[ranks[below]]
                if fraction is None
                else f'"{_between(decimals[ranks[below]], decimals[ranks[below + 1]], fraction)}"'
                for below, fraction in _quartile_positions(answered)
            )
            mean, low, high = f'"{self.total / answered}"', texts[ranks[0]], texts[ranks[-1]]
        values = ", ".join(map(texts.__getitem__, ranks))
        return (
            f'{{"count": {self.count}, "values": [{values}], "total": {total}, "stats": {{"count": {self.count}, '
            f'"answered": {answered}, "total": {total}, "mean": {mean}, "min": {low}, "q1": {q1}, '
            f'"median": {median}, "q3": {q3}, "max": {high}}}}}'
        )


def _ranked_departments(facts: Mapping[int, StructureFacts], answers: Iterable[tuple[int, Mapping]]):
    """(department, group) → indicator code → ``Ranked``, and department → region; None when an indicator has
    equal values written differently (see above)."""
    width = len(ANSWER_INDICATORS)
    structures: dict[Key, int] = defaultdict(int)
    regions: dict[str, str] = {}
    for item in facts.values():
        if item.department:
            regions[item.department] = item.region
        for group in groups_of(item):
            structures[(item.department, group)] += 1
    seen: list[dict[str, Decimal]] = [{} for _ in range(width)]
    answered: list[tuple[StructureFacts, list[tuple[int, str]]]] = []
    for structure_id, structure_answers in answers:
        item = facts.get(structure_id)
        if item is None:
            continue
        texts = []
        for column, value in enumerate(structure_values(item, structure_answers or {})):
            if value is not None:
                value = to_decimal(value)
                text = str(value)
                seen[column].setdefault(text, value)
                texts.append((column, text))
        answered.append((item, texts))
    if any(len(set(values.values())) != len(values) for values in seen):
        return None
    scales = [Scale(values) for values in seen]
    columns: dict[Key, list[list[int]]] = {}
    respondents: dict[Key, int] = defaultdict(int)
    for item, texts in answered:
        ranks = [(column, scales[column].rank[text]) for column, text in texts]
        for group in groups_of(item):
            key = (item.department, group)
            respondents[key] += 1
            lists = columns.get(key)
            if lists is None:
                lists = columns[key] = [[] for _ in range(width)]
            for column, rank in ranks:
                lists[column].append(rank)
    one = Scale({"1": Decimal(1)})
    result: dict[Key, dict[str, Ranked]] = {}
    for key, count in structures.items():
        number = respondents.get(key, 0)
        summaries = {RESPONSE_INDICATOR: Ranked(count, [0] * number, Decimal(number), one)}
        for indicator, column, scale in zip(ANSWER_INDICATORS, columns.get(key, ()), scales, strict=False):
            column.sort()
            summaries[indicator.code] = Ranked(
                number, column, sum(map(scale.decimals.__getitem__, column), Decimal(0)), scale
            )
        result[key] = summaries
    return result, regions


def ranked_rows(facts: Mapping[int, StructureFacts], answers: Iterable[tuple[int, Mapping]]) -> list[RowFigures] | None:
    """The year's rows (key, answered, summary JSON), in the order of `compute_figures`; None: take the exact path."""
    found = _ranked_departments(facts, answers)
    if found is None:
        return None
    by_department, regions = found
    figures: dict[Cell, dict[str, Ranked]] = {}
    parts: dict[Cell, list[dict[str, Ranked]]] = defaultdict(list)
    for (department, group), summaries in by_department.items():
        if department:
            figures[(AggregateScope.DEPARTMENT, department, group)] = summaries
        parts[(AggregateScope.REGION, regions.get(department) or UNKNOWN, group)].append(summaries)
        parts[(AggregateScope.NATION, "", group)].append(summaries)
    for cell, pieces in parts.items():
        merged = {}
        for code in dict.fromkeys(chain.from_iterable(pieces)):
            present = [piece[code] for piece in pieces if code in piece]
            merged[code] = Ranked(
                sum(p.count for p in present), sorted(chain.from_iterable(p.ranks for p in present)),
                sum((p.total for p in present), Decimal(0)), present[0].scale,
            )  # fmt: skip
        figures[cell] = merged
    return [
        ((*cell, code), len(summary.ranks), summary.text())
        for cell, summaries in figures.items()
        for code, summary in summaries.items()
        if summary.count
    ]


def exact_rows(year: int, facts=None, answers=None) -> list[RowFigures]:
    """The same rows from ``compute_figures`` (Decimals all the way)."""
    return [
        ((scope, scope_code, group, code), summary.answered, json.dumps(summary_json(summary)))
        for (scope, scope_code, group), summaries in compute_figures(year, facts, answers).items()
        for code, summary in summaries.items()
        if summary.count
    ]


def year_rows(year: int, facts=None) -> list[RowFigures]:
    facts = structure_facts() if facts is None else facts
    answers = list(validated_answers(year))
    rows = ranked_rows(facts, answers)
    return exact_rows(year, facts, answers) if rows is None else rows


def _write(year: int, rows: list[RowFigures]) -> int:
    """Make the year's stored rows these (one transaction: readers see the old year or the new one), their secrets
    decided beforehand (`disclosure.secret_keys`: the same decision as `mark_secrets` on the stored rows). Only rows
    that changed are written (`rowsync.sync_rows`); their ``computed_at`` says when. Everything is computed before
    the transaction opens: on SQLite the write lock is held for the writing only."""
    region_of = dict(Department.objects.values_list("code", "region__code"))
    answered = {key: count for key, count, _ in rows}
    secret = disclosure.secret_keys(answered, region_of, disclosure.unasked_indicators(year))
    moment = timezone.now()
    table = [(*key, count, text, key in secret) for key, count, text in rows]
    with transaction.atomic():
        # One row to read for the reports' cache version, rather than the latest of 50,000 aggregates. Written
        # first: on PostgreSQL its lock makes a second refresh of the year wait until this one has committed, before
        # `sync_rows` reads the stored rows it compares with.
        Campaign.objects.filter(year=year).update(aggregates_computed_at=moment)
        sync_rows(
            Aggregate, ("year", year), KEY_FIELDS, VALUE_FIELDS, table, stamp=("computed_at", db_datetime(moment))
        )
    return len(table)


def refresh_year(year: int) -> int:
    """Recompute every aggregate of the year from its validated responses; returns the number of rows."""
    return _write(year, year_rows(year))


def refresh_all() -> dict[int, int]:
    """Refresh every campaign year (and drop the aggregates of years without a campaign); year → rows."""
    facts = structure_facts()
    years = sorted(Campaign.objects.values_list("year", flat=True))
    result = {year: _write(year, year_rows(year, facts)) for year in years}
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
