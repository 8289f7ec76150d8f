"""The key figures that open a territory's report, on its web page and on its plaquette: a few tiles, each with its
figure, its change over one year (the previous campaign) and the same figure for the territory above it (a
department beside its region and France, a region beside France).

Everything comes from stored aggregates of the group « toutes les structures », read in one query: the territory's
rows of the year shown and of the year before, and the rows of the territories above it for the year shown. Nothing
is computed from answers, so a tile shows exactly what the aggregates say (the same headline as the report's tables,
`indicators.headline`, or the median for the budget).

Statistical secrecy: a figure whose aggregate is secret (`Aggregate.secret`, decided once per year by
`disclosure.py`), or rests on 1 to 4 structures, is ``SECRET`` ("s") — and so is a share of a total whose total is
secret. The change over a year is given only when BOTH years are published figures: a published figure and its
change would otherwise give away the previous year's secret one. How many structures answered is public (it is not
a figure about them), and so is the answer rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from maillage.observatory.figures import indicators
from maillage.observatory.figures.aggregates import ALL, StoredSummary
from maillage.observatory.figures.disclosure import is_primary
from maillage.observatory.figures.formatting import NBSP, format_number, format_percent, format_value
from maillage.observatory.figures.secrecy import SECRET, is_secret
from maillage.observatory.models import Aggregate, AggregateScope

NUMBER, EURO, PERCENT = "number", "euro", "percent"
# How a change over one year is told: a relative change (+4 %), a difference in points (+2 pts) or in units (+3).
RELATIVE, POINTS, UNITS = "relative", "points", "units"


@dataclass(frozen=True)
class TileSpec:
    """What a tile shows: which indicator, which of its figures, in which unit, and the words under it."""

    slug: str
    title: str  # the tile's heading
    code: str  # the indicator (`indicators.INDICATORS`)
    statistic: str  # answered | mean | median | headline (share or ratio, as the report shows it)
    unit: str = NUMBER
    decimals: int = 0
    caption: str = ""  # what the figure counts, under it
    change: str = RELATIVE
    compare: str = ""  # the statistic compared with the territories above, when not ``statistic``
    compare_unit: str = ""
    compare_caption: str = ""  # what is compared, when not the figure itself: « taux de réponse »


TILES: tuple[TileSpec, ...] = (
    TileSpec("structures", "Structures ayant répondu", indicators.RESPONSE_INDICATOR, "answered",
             caption="questionnaires validés", change=UNITS, compare="answer_rate", compare_unit=PERCENT,
             compare_caption="taux de réponse"),
    TileSpec("participation", "Participation des habitants", "HABITANTS_INSTANCE", "mean", decimals=1,
             caption="habitants dans l'instance de pilotage, en moyenne par structure"),
    TileSpec("benevoles", "Bénévoles", "BENEVOLES_ACTIVITE", "mean",
             caption="bénévoles d'activité, en moyenne par structure"),
    TileSpec("etp", "Emploi", "ETP", "mean", decimals=1, caption="ETP (équivalents temps plein) par structure"),
    TileSpec("budget", "Budget", "BUDGET", "median", unit=EURO, caption="budget médian d'une structure"),
    TileSpec("caf", "Part de la Caf", "FINANCEMENT_CAF", "headline", unit=PERCENT, change=POINTS,
             caption="des produits des structures viennent de la Caf"),
    TileSpec("publics", "Publics", "PARTICIPANTS", "mean",
             caption="participants différents par structure dans l'année"),
    TileSpec("qpv", "Quartiers prioritaires", "PART_QPV", "headline", unit=PERCENT, change=POINTS,
             caption="des structures sont situées en quartier prioritaire"),
)  # fmt: skip
BY_SLUG = {tile.slug: tile for tile in TILES}


@dataclass(frozen=True)
class Comparison:
    label: str  # « Région Provence-Alpes-Côte d'Azur », « France »
    value: Any  # a number, SECRET or None
    unit: str = NUMBER
    decimals: int = 0
    short_label: str = ""  # « Région », « France »: what a narrow tile has room for

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def rest(self) -> str:
        """What the short name leaves out (« Provence-Alpes-Côte d'Azur »), for screen readers."""
        return self.label.removeprefix(self.short).strip()

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit, self.decimals)


@dataclass(frozen=True)
class KeyFigure:
    spec: TileSpec
    value: Any  # a number, SECRET or None (no figure)
    change: Decimal | None = None  # over one year, in the spec's ``change`` way; None when unknown or secret
    previous_year: int | None = None
    detail: str = ""  # a second line: « sur 120 structures (taux de réponse 83 %) », « total : 12 345 678 € »
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def secret(self) -> bool:
        return is_secret(self.value)

    @property
    def text(self) -> str:
        return format_value(self.value, self.spec.unit, self.spec.decimals)

    @property
    def change_text(self) -> str:
        """« +4 % », « −2 pts », « +3 »; « — » when the change is unknown or would give a secret away."""
        if self.change is None:
            return "—"
        if self.spec.change == POINTS:
            points = format_number(self.change * 100, 0)
            return f"{_signed(points)}{NBSP}pt{'s' if abs(round(self.change * 100)) >= 2 else ''}"
        if self.spec.change == UNITS:
            return _signed(format_number(self.change, self.spec.decimals))
        return _signed(format_percent(self.change, 0))


def _signed(text: str) -> str:
    if text.startswith("-"):
        return "\u2212" + text[1:]  # a true minus sign
    return text if text.strip("0,\u00a0%") == "" else "+" + text


@dataclass(frozen=True)
class KeyFigures:
    year: int
    previous_year: int
    figures: list[KeyFigure]
    comparison_labels: list[str]

    @property
    def has_secret(self) -> bool:
        return any(f.secret or any(is_secret(c.value) for c in f.comparisons) for f in self.figures)


# --- computing ------------------------------------------------------------------------------------------------------

Place = tuple[str, str]  # (scope, scope code)


def _codes() -> set[str]:
    codes = set()
    for tile in TILES:
        codes.add(tile.code)
        denominator = indicators.BY_CODE[tile.code].denominator
        if denominator:
            codes.add(denominator)
    return codes


FRANCE = ((AggregateScope.NATION, ""), "France", "France")


def _above(place) -> list[tuple[Place, str, str]]:
    """The territories a place is compared with, nearest first: ((scope, code), name, short name)."""
    if place.scope == AggregateScope.DEPARTMENT:
        region = [((AggregateScope.REGION, place.region[0]), f"Région {place.region[1]}", "Région")]
        return [*(region if place.region else []), FRANCE]
    if place.scope == AggregateScope.REGION:
        return [FRANCE]
    return []


def load_rows(place, year: int) -> dict[tuple[str, str, int], dict[str, StoredSummary]]:
    """(scope, scope code, year) → indicator code → stored figures, in one query: the place's rows of ``year`` and
    ``year - 1``, the rows of the territories above it for ``year`` (group « toutes les structures »)."""
    condition = Q(scope=place.scope, scope_code=place.code, year__in=(year, year - 1))
    for (scope, code), _, _ in _above(place):
        condition |= Q(scope=scope, scope_code=code, year=year)
    query = Aggregate.objects.filter(condition, group=ALL, code__in=sorted(_codes())).annotate(
        stats=KeyTransform("stats", "summary")
    )
    rows: dict[tuple[str, str, int], dict[str, StoredSummary]] = {}
    for scope, code, y, indicator, stats, secret in query.values_list(
        "scope", "scope_code", "year", "code", "stats", "secret"
    ):
        if stats:
            rows.setdefault((scope, code, y), {})[indicator] = StoredSummary.from_stats(stats, secret)
    return rows


def hidden(summary: StoredSummary) -> bool:
    """Not to be published: secret for the year (`disclosure.py`) or resting on 1 to 4 structures."""
    return summary.secret or is_primary(summary.answered)


def figure_value(spec: TileSpec, summaries: dict[str, StoredSummary], statistic: str | None = None) -> Any:
    """One statistic of a tile's indicator from one territory's stored figures: a number, SECRET, or None."""
    statistic = statistic or spec.statistic
    item = indicators.BY_CODE[spec.code]
    summary = summaries.get(item.code)
    if summary is None:
        return None
    if statistic == "answered":  # public: how many structures answered is not a figure about them
        return Decimal(summary.answered)
    if statistic == "answer_rate":
        return summary.answer_rate
    needed = [summary]
    if item.denominator:
        if item.denominator not in summaries:
            return None
        needed.append(summaries[item.denominator])
    if any(hidden(s) for s in needed):
        return SECRET
    if statistic == "median":
        return summary.median
    if statistic == "mean":
        return summary.mean
    return indicators.headline(item, summary, summaries)


def _change(spec: TileSpec, current: Any, previous: Any) -> Decimal | None:
    """The change over one year, only between two published figures."""
    if current is None or previous is None or is_secret(current) or is_secret(previous):
        return None
    if spec.change == RELATIVE:
        return (current - previous) / previous if previous else None
    return current - previous


def _detail(spec: TileSpec, summaries: dict[str, StoredSummary], value: Any) -> str:
    summary = summaries.get(spec.code)
    if summary is None or value is None or is_secret(value):
        return ""
    if spec.slug == "structures":
        rate = format_percent(summary.answer_rate)
        return f"sur {format_number(summary.count)} structures (taux de réponse : {rate})"
    if spec.slug == "budget":
        return f"total des budgets : {format_value(summary.total, EURO)}"
    return ""


def key_figures(place, year: int) -> KeyFigures:
    """The tiles of a territory (`reports.Territory`: ``scope``, ``code``, ``region``) for ``year``, one query."""
    rows = load_rows(place, year)
    here = rows.get((place.scope, place.code, year), {})
    before = rows.get((place.scope, place.code, year - 1), {})
    above = _above(place)
    figures = []
    for spec in TILES:
        value = figure_value(spec, here)
        previous = figure_value(spec, before) if before else None
        statistic = spec.compare or spec.statistic
        unit = spec.compare_unit or spec.unit
        comparisons = [
            Comparison(
                name, figure_value(spec, rows.get((scope, code, year), {}), statistic), unit, spec.decimals, short
            )
            for (scope, code), name, short in above
        ]
        figures.append(
            KeyFigure(spec, value, _change(spec, value, previous), year - 1, _detail(spec, here, value), comparisons)
        )
    return KeyFigures(year, year - 1, figures, [name for _, name, _ in above])


CACHE_SECONDS = 24 * 3600


def cached_key_figures(place, year: int, version) -> KeyFigures:
    """``key_figures`` kept in the cache for as long as the aggregates do not change: ``version`` is when the
    aggregates of the year were last computed (`reports.report_version`, the report's ``computed_at``)."""
    stamp = version.isoformat() if version else "-"
    key = f"observatory:key-figures:{place.scope}:{place.code}:{year}:{stamp}"
    found = cache.get(key)
    if found is None:
        found = key_figures(place, year)
        cache.set(key, found, CACHE_SECONDS)
    return found
