"""Descriptive statistics of questionnaire answers, pure and mergeable.

Every function takes plain numbers (int, float, Decimal; ``None`` = not answered) and returns plain values: no ORM,
so that the precomputed aggregates and the pages share one implementation.

Exactness. Values are converted to ``Decimal`` (floats through ``str`` so that 0.1 stays 0.1): sums merge exactly
whatever the order. Medians and quartiles are order statistics: they cannot be merged from per-department medians,
so a ``Summary`` keeps the sorted answered values themselves. That is small (one number per structure: at most about
4,100 values per question and year for the nation) and makes the merge of departments into a region or the nation
exact: ``merge(summarize(a), summarize(b)) == summarize(a + b)``.

Quartiles use ONE method everywhere: the "inclusive" method of ``statistics.quantiles`` (linear interpolation between
order statistics, position ``(n - 1) * p``; the same as Excel's ``QUARTILE.INC`` and numpy's default). With it the
median is the second quartile, and quartiles always lie between the minimum and the maximum.

Rounding happens only when a figure is published (``round_money``, ``round_percent``, ``round_decimal``): half up,
to the euro for money, to the whole percent for shares, as the published reports give them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

Number = int | float | Decimal

QUARTILE_METHOD = "inclusive"
# Per-structure shares are ratios with endless decimals: fixed to 12 places, their sums stay exact in any order.
SHARE_PRECISION = Decimal("1e-12")


def to_decimal(value: Number) -> Decimal:
    """An exact Decimal for an answer (floats through their shortest repr: 0.1 → Decimal('0.1'))."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a yes/no answer is not a number: use share_yes()")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise TypeError(f"not a number: {value!r}")


def quantile(sorted_values: list[Decimal], p: Decimal | float) -> Decimal | None:
    """The p-quantile (0 ≤ p ≤ 1) of already sorted values, inclusive method; None when there is no value."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * to_decimal(p)
    low = int(position)
    fraction = position - low
    if fraction == 0 or low + 1 >= len(sorted_values):
        return sorted_values[low]
    below, above = sorted_values[low], sorted_values[low + 1]
    return below + (above - below) * fraction


@dataclass(frozen=True)
class Summary:
    """The mergeable summary of one numeric question over a group of structures.

    ``count`` is the number of structures of the group asked the question, ``answered`` those that answered it;
    ``values`` are the answered values, sorted.
    """

    count: int = 0
    values: tuple[Decimal, ...] = ()
    total: Decimal = Decimal(0)

    @property
    def answered(self) -> int:
        return len(self.values)

    @property
    def answer_rate(self) -> Decimal | None:
        return Decimal(self.answered) / self.count if self.count else None

    @property
    def minimum(self) -> Decimal | None:
        return self.values[0] if self.values else None

    @property
    def maximum(self) -> Decimal | None:
        return self.values[-1] if self.values else None

    @property
    def mean(self) -> Decimal | None:
        return self.total / self.answered if self.values else None

    @property
    def median(self) -> Decimal | None:
        return quantile(list(self.values), Decimal("0.5"))

    @property
    def quartiles(self) -> tuple[Decimal, Decimal, Decimal] | None:
        """(Q1, median, Q3), inclusive method; None without answers."""
        if not self.values:
            return None
        ordered = list(self.values)
        return tuple(quantile(ordered, Decimal(p)) for p in ("0.25", "0.5", "0.75"))  # type: ignore[return-value]

    def merge(self, other: Summary) -> Summary:
        return Summary(
            count=self.count + other.count,
            values=tuple(heapq.merge(self.values, other.values)),
            total=self.total + other.total,
        )

    def to_json(self) -> dict:
        """A JSON-safe form for storing precomputed aggregates (Decimals as strings: no float rounding)."""
        return {"count": self.count, "values": [str(v) for v in self.values], "total": str(self.total)}

    @classmethod
    def from_json(cls, data: Mapping) -> Summary:
        return cls(
            count=int(data["count"]),
            values=tuple(Decimal(v) for v in data["values"]),
            total=Decimal(data["total"]),
        )


def summarize(values: Iterable[Number | None]) -> Summary:
    """Summary of one question's answers; None counts as asked but not answered."""
    values = list(values)
    answered = sorted(to_decimal(v) for v in values if v is not None)
    return Summary(count=len(values), values=tuple(answered), total=sum(answered, Decimal(0)))


def merge_summaries(summaries: Iterable[Summary]) -> Summary:
    """Combine the summaries of disjoint groups (departments into a region, regions into the nation)."""
    result = Summary()
    for summary in summaries:
        result = result.merge(summary)
    return result


# --- shares of structures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """``numerator`` structures out of ``denominator`` answering structures; mergeable by adding both."""

    numerator: int = 0
    denominator: int = 0

    @property
    def ratio(self) -> Decimal | None:
        return Decimal(self.numerator) / self.denominator if self.denominator else None

    def merge(self, other: Share) -> Share:
        return Share(self.numerator + other.numerator, self.denominator + other.denominator)


def share_yes(answers: Iterable[bool | None]) -> Share:
    """Share of structures answering yes among those that answered the yes/no question."""
    answered = [a for a in answers if a is not None]
    return Share(sum(1 for a in answered if a), len(answered))


def choice_shares(answers: Iterable[object], choices: Iterable[str] | None = None) -> dict[str, Share]:
    """Share of structures per choice. An answer is a code (single choice) or a list/set of codes (multiple choice:
    shares then add up to more than 100 %). ``choices`` fixes the keys and their order (absent choices get 0)."""
    answered = [a for a in answers if a is not None]
    denominator = len(answered)
    counts: dict[str, int] = {code: 0 for code in choices or ()}
    for answer in answered:
        codes = {answer} if isinstance(answer, str) else set(answer)  # type: ignore[arg-type]
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    return {code: Share(n, denominator) for code, n in counts.items()}


# --- funding ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingSummary:
    """Income by funder over a group: per-funder amount summaries and per-structure share summaries.

    ``amounts[f].total / total`` is the share of funder f in the total of all budgets ("CAF share of budgets 24 %");
    ``shares[f].median`` is the median of the per-structure shares of funder f.
    """

    amounts: dict[str, Summary] = field(default_factory=dict)
    shares: dict[str, Summary] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((s.total for s in self.amounts.values()), Decimal(0))

    def share_of_total(self, funder: str) -> Decimal | None:
        total = self.total
        return self.amounts[funder].total / total if total and funder in self.amounts else None

    def shares_of_total(self) -> dict[str, Decimal | None]:
        return {funder: self.share_of_total(funder) for funder in self.amounts}

    def median_shares(self) -> dict[str, Decimal | None]:
        return {funder: summary.median for funder, summary in self.shares.items()}

    def merge(self, other: FundingSummary) -> FundingSummary:
        funders = list(dict.fromkeys([*self.amounts, *other.amounts]))
        empty = Summary()
        return FundingSummary(
            amounts={f: self.amounts.get(f, empty).merge(other.amounts.get(f, empty)) for f in funders},
            shares={f: self.shares.get(f, empty).merge(other.shares.get(f, empty)) for f in funders},
        )


def summarize_funding(grids: Iterable[Mapping[str, Number | None] | None], funders: Iterable[str]) -> FundingSummary:
    """Summarise per-structure income grids (funder code → euros).

    A grid of None means the structure did not answer: it is left out entirely. Inside an answered grid an empty cell
    means 0 € from that funder. A structure whose total income is 0 has no shares (a share of nothing is undefined).
    """
    funders = list(funders)
    amounts: dict[str, list[Decimal]] = {f: [] for f in funders}
    shares: dict[str, list[Decimal]] = {f: [] for f in funders}
    asked = 0
    for grid in grids:
        asked += 1
        if grid is None:
            continue
        row = {f: to_decimal(grid.get(f) or 0) for f in funders}
        total = sum(row.values(), Decimal(0))
        for funder, amount in row.items():
            amounts[funder].append(amount)
            if total:
                shares[funder].append((amount / total).quantize(SHARE_PRECISION))
    return FundingSummary(
        amounts={f: _summary_of(asked, amounts[f]) for f in funders},
        shares={f: _summary_of(asked, shares[f]) for f in funders},
    )


def _summary_of(count: int, answered: list[Decimal]) -> Summary:
    answered.sort()
    return Summary(count=count, values=tuple(answered), total=sum(answered, Decimal(0)))


# --- evolution --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearPoint:
    year: int
    value: Decimal | None
    change: Decimal | None = None  # absolute change since the previous year shown
    relative_change: Decimal | None = None  # change / previous value; None when the previous value is 0 or missing


def evolution(values_by_year: Mapping[int, Number | None]) -> list[YearPoint]:
    """Value per year in year order with the change since the previous year (consecutive years only: a missing year
    breaks the comparison rather than silently comparing across a gap)."""
    points: list[YearPoint] = []
    previous_year, previous = None, None
    for year in sorted(values_by_year):
        raw = values_by_year[year]
        value = None if raw is None else to_decimal(raw)
        change = relative = None
        if value is not None and previous is not None and previous_year == year - 1:
            change = value - previous
            relative = change / previous if previous else None
        points.append(YearPoint(year, value, change, relative))
        previous_year, previous = year, value
    return points


# --- rounding for publication -----------------------------------------------------------------------------------------


def round_decimal(value: Number | None, places: int = 1) -> Decimal | None:
    """Half-up rounding (12.25 → 12.3), never the banker's rounding of ``round()``."""
    if value is None:
        return None
    return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_money(value: Number | None) -> int | None:
    """Euros to the euro, as the reports publish budgets (no cents of false precision)."""
    rounded = round_decimal(value, 0)
    return None if rounded is None else int(rounded)


def round_percent(ratio: Number | None) -> int | None:
    """A ratio (0.2449) as a whole percent (24)."""
    rounded = round_decimal(None if ratio is None else to_decimal(ratio) * 100, 0)
    return None if rounded is None else int(rounded)
