"""Territory reports of the observatory (nation, region, department, one year), built from precomputed aggregates.

A report never touches the answers: it reads the `Aggregate` rows of its territory in one query (the rows of the
year shown for every group, and of the four years before for the evolution), plus one query for the rows of the
territories below it (regions of the nation, departments of a region) when it shows them side by side. It reads only
the ready-made figures of each row (`summary["stats"]`, see `aggregates.py`), never the per-structure values: a
national row holds one value per structure. Key figures, units and headlines are those of `indicators.py`.

Statistical secrecy is applied here, before anything reaches a page, a PDF or a CSV: a figure whose aggregate is
secret (`Aggregate.secret`, decided once per year across every page and export by `disclosure.py`: fewer than 5
structures, or a figure that published ones would give away — CSX / EVS / all, the departments of a region, the
regions of the nation, age bands, funders) is replaced by ``SECRET``. A figure resting on no structure is no figure
("—"), not a secret: everyone knows it is empty.

The whole report is cached per (territory, year, latest `computed_at` of the aggregates of the years shown):
recomputing aggregates changes the key, so a page never shows stale figures.

"Se situer" (one structure against the quartiles of its groups) is in `situation.py`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Q
from django.db.models.fields.json import KeyTransform

from maillage.observatory.definitions.wording import campaign_label
from maillage.observatory.figures import indicators
from maillage.observatory.figures.aggregates import StoredSummary, kind_group
from maillage.observatory.figures.charts import BarChart, DataTable, EvolutionChart
from maillage.observatory.figures.disclosure import is_primary
from maillage.observatory.figures.formatting import format_value
from maillage.observatory.figures.secrecy import SECRET, SECRET_NOTE
from maillage.observatory.models import Aggregate, AggregateScope, Campaign
from maillage.referentials.models import Department, Region

EVOLUTION_YEARS = 5
ALL, CSX, EVS = "all", kind_group("csx"), kind_group("evs")
KIND_GROUPS = (CSX, EVS)
CACHE_SECONDS = 24 * 3600

# How a figure is shown (`formatting.format_value` units).
NUMBER, EURO, PERCENT = "number", "euro", "percent"

STRUCTURES_CODE = indicators.RESPONSE_INDICATOR
FUNDING_TOTAL, AGES_TOTAL = "FINANCEMENT_TOTAL", "PARTICIPANTS_AGES"
# Computed to divide the shares, not shown as rows: the funders' grid sums to « Total des produits » (a rule of the
# questionnaire), which the tables already give, so a second row would repeat the same total.
NOT_IN_TABLES = frozenset({FUNDING_TOTAL})
# Breakdown charts: slug, title, prefix of the indicator codes drawn, category heading.
BREAKDOWNS = [
    ("financeurs", "Part de chaque financeur dans le total des produits", "FINANCEMENT_", "Financeur"),
    ("ages", "Participants par tranche d'âge", "AGE_", "Tranche d'âge"),
    ("partenaires", "Structures en partenariat, par partenaire", "PARTENARIAT_", "Partenaire"),
    ("actions", "Structures menant des actions, par domaine", "ACTIONS_", "Domaine"),
    ("thematique", "Bloc thématique de l'année", "TH_", "Indicateur"),
]
EVOLUTION_CODES = ["REPONSES", "ETP", "BUDGET", "BENEVOLES_ACTIVITE", "FINANCEMENT_CAF"]
CHILD_COLUMNS = ["ETP", "BUDGET", "BENEVOLES_ACTIVITE"]
CHILD_COLUMN_LABELS = {"ETP": "ETP par structure", "BUDGET": "Budget médian",
                       "BENEVOLES_ACTIVITE": "Bénévoles d'activité par structure"}  # fmt: skip


def unit_of(item: indicators.Indicator) -> str:
    if item.kind in ("share", "ratio"):
        return PERCENT
    return EURO if item.unit == "€" else NUMBER


WHOLE_UNITS = frozenset({"habitants", "personnes", "passages", "heures", "€"})  # no one reads « 12 345,6 habitants »


def decimals_of(item: indicators.Indicator) -> int:
    """Means to one decimal (13,2 ETP, 45,3 bénévoles); counts, euros, shares and means of large counts
    (population, participants) as whole numbers."""
    return 1 if item.kind == "mean" and item.unit not in WHOLE_UNITS else 0


def has_quartiles(item: indicators.Indicator) -> bool:
    return item.kind in ("mean", "total")


# --- territories ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Territory:
    scope: str
    code: str
    name: str
    region: tuple[str, str] | None = None  # (code, name) of a department's region
    children: tuple[tuple[str, str], ...] = ()  # (code, name) of the regions of the nation / departments of a region

    @property
    def child_scope(self) -> str | None:
        return {AggregateScope.NATION: AggregateScope.REGION, AggregateScope.REGION: AggregateScope.DEPARTMENT}.get(
            self.scope
        )

    @property
    def title(self) -> str:
        if self.scope == AggregateScope.NATION:
            return "France"
        if self.scope == AggregateScope.REGION:
            return f"Région {self.name}"
        return f"{self.name} ({self.code})"


class UnknownTerritory(LookupError):
    pass


def territory(scope: str, code: str = "") -> Territory:
    """The territory of a report; raises UnknownTerritory for a code that names none."""
    if scope == AggregateScope.NATION:
        regions = tuple(Region.objects.order_by("name").values_list("code", "name"))
        return Territory(AggregateScope.NATION, "", "France", children=regions)
    if scope == AggregateScope.REGION:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise UnknownTerritory(code)
        departments = tuple(region.departments.order_by("code").values_list("code", "name"))
        return Territory(AggregateScope.REGION, region.code, region.name, children=departments)
    if scope == AggregateScope.DEPARTMENT:
        department = Department.objects.select_related("region").filter(code=code).first()
        if department is None:
            raise UnknownTerritory(code)
        region = (department.region.code, department.region.name)
        return Territory(AggregateScope.DEPARTMENT, department.code, department.name, region=region)
    raise UnknownTerritory(scope)


def published_years() -> list[int]:
    """Years with national aggregates, newest first (one index-only query)."""
    years = Aggregate.objects.filter(scope=AggregateScope.NATION).values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


# --- the report -------------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One key figure for the year shown, secrecy applied (values are numbers, None or SECRET)."""

    code: str  # the indicator (kept by code: indicators hold functions, and reports are pickled into the cache)
    structures: Any
    value: Any  # the headline (`indicators.headline`): mean, share, total, ratio or answering structures
    q1: Any = None
    median: Any = None
    q3: Any = None
    by_kind: dict[str, Any] = field(default_factory=dict)  # CSX / EVS / all headlines

    @property
    def indicator(self) -> indicators.Indicator:
        return indicators.BY_CODE[self.code]

    @property
    def secret(self) -> bool:
        return self.value is SECRET


@dataclass
class ReportChart:
    slug: str
    chart: Any


@dataclass
class Report:
    territory: Territory
    year: int
    years: list[int]  # the years of the evolution
    sections: list[tuple[str, list[Figure]]]
    charts: list[ReportChart]
    evolution: list[tuple[str, list[tuple[int, Any]]]]  # (indicator code, (year, headline))
    children: list[dict]  # rows of the table of regions / departments
    surveyed: Any = None
    answered: Any = None
    answer_rate: Any = None
    has_secret: bool = False
    computed_at: datetime.datetime | None = None

    @property
    def figures(self) -> list[Figure]:
        return [figure for _, figures in self.sections for figure in figures]

    def chart(self, slug: str) -> ReportChart | None:
        return next((c for c in self.charts if c.slug == slug), None)


def report_version(place: Territory, year: int) -> datetime.datetime | None:
    """When the aggregates of the years shown were last computed (None: no aggregate)."""
    first = year - EVOLUTION_YEARS + 1
    return Campaign.objects.filter(year__range=(first, year)).aggregate(latest=Max("aggregates_computed_at"))["latest"]


def territory_report(place: Territory, year: int, *, use_cache: bool = True) -> Report:
    """The report of a territory for a year, from the cache when no aggregate has changed since."""
    version = report_version(place, year)
    key = f"observatory:report:{place.scope}:{place.code}:{year}:{version.isoformat() if version else '-'}"
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    report = build_report(place, year)
    report.computed_at = version
    if use_cache:
        cache.set(key, report, CACHE_SECONDS)
    return report


Rows = dict[tuple[int, str, str], StoredSummary]  # (year, group, indicator code) → figures


def build_report(place: Territory, year: int) -> Report:
    rows = _load_rows(place, year)
    current = {(group, code): summary for (y, group, code), summary in rows.items() if y == year}
    figures = [_figure(item, current) for item in indicators.INDICATORS]
    blocks: dict[str, list[Figure]] = {}
    for figure in figures:
        if figure.structures is not None and figure.code not in NOT_IN_TABLES:
            blocks.setdefault(figure.indicator.block, []).append(figure)
    years = sorted({y for y, _, _ in rows})
    evolution = _evolution(rows, years)
    children = _children(place, year, current)
    charts = _charts(place, year, current, figures, evolution)
    report = Report(place, year, years, list(blocks.items()), charts, evolution, children)
    structures = current.get((ALL, STRUCTURES_CODE))
    if structures is not None:
        report.surveyed, report.answered, report.answer_rate = (
            structures.count,
            structures.answered,
            structures.answer_rate,
        )
    report.has_secret = _any_secret(figures, charts, children)
    return report


def stats_rows(query) -> list[tuple]:
    """Aggregate rows with their ready-made figures (`summary["stats"]`) alongside."""
    return query.annotate(stats=KeyTransform("stats", "summary"))


def _load_rows(place: Territory, year: int) -> Rows:
    """The territory's aggregates: every group of the year shown, group "all" of the years before (one query).
    Only the ready-made figures (`stats`) are read, never the per-structure values."""
    first = year - EVOLUTION_YEARS + 1
    query = Aggregate.objects.filter(scope=place.scope, scope_code=place.code).filter(
        Q(year=year, group__in=(ALL, *KIND_GROUPS)) | Q(year__range=(first, year - 1), group=ALL)
    )
    rows = stats_rows(query).values_list("year", "group", "code", "stats", "secret")
    return {
        (y, group, code): StoredSummary.from_stats(stats, secret) for y, group, code, stats, secret in rows if stats
    }


def _headline(item: indicators.Indicator, summaries: dict[str, StoredSummary]) -> Any:
    return indicators.headline(item, summaries.get(item.code), summaries)


def _by_group(current: dict, group: str) -> dict[str, StoredSummary]:
    return {code: summary for (g, code), summary in current.items() if g == group}


def _hidden(summary: StoredSummary) -> bool:
    """Secret for the year (`disclosure.py`); the primary rule again in case the rows were written without it."""
    return summary.secret or is_primary(summary.answered)


def _published(item: indicators.Indicator, summaries: dict[str, StoredSummary]) -> Any:
    """The headline of an indicator, ``SECRET`` when its aggregate (or, for a ratio, its denominator's) is."""
    needed = [item.code] + ([item.denominator] if item.kind == "ratio" and item.denominator in summaries else [])
    return SECRET if any(_hidden(summaries[code]) for code in needed) else _headline(item, summaries)


def _figure(item: indicators.Indicator, current: dict) -> Figure:
    summary = current.get((ALL, item.code))
    if summary is None:
        return Figure(item.code, None, None)
    groups = {group: _by_group(current, group) for group in (ALL, *KIND_GROUPS)}
    if item.kind == "count":  # how many structures answered is public: it is not a figure about them
        by_kind = {g: _headline(item, summaries) for g, summaries in groups.items() if item.code in summaries}
        return Figure(item.code, summary.count, by_kind[ALL], by_kind=by_kind)
    by_kind = {g: _published(item, summaries) for g, summaries in groups.items() if item.code in summaries}
    if by_kind[ALL] is SECRET:
        return Figure(item.code, SECRET, SECRET, SECRET, SECRET, SECRET, by_kind)
    q1, median, q3 = (summary.quartiles if has_quartiles(item) else None) or (None, None, None)
    return Figure(item.code, summary.answered, by_kind[ALL], q1, median, q3, by_kind)


def _evolution(rows: Rows, years: list[int]) -> list:
    by_year = {y: {code: s for (yy, g, code), s in rows.items() if yy == y and g == ALL} for y in years}
    result = []
    for item in indicators.INDICATORS:
        if item.code in NOT_IN_TABLES:
            continue
        points = []
        for y in years:
            summary = by_year[y].get(item.code)
            if summary is None:
                points.append((y, None))
            elif item.kind != "count" and _hidden(summary):
                points.append((y, SECRET))
            else:
                points.append((y, _headline(item, by_year[y])))
        if any(value is not None for _, value in points):
            result.append((item.code, points))
    return result


def _protected_parts(items: list[indicators.Indicator], summaries: dict) -> dict:
    """Headlines of the parts of a breakdown (funders, age bands, partners…), secrecy applied."""
    return {item.code: _published(item, summaries) for item in items}


def _charts(place: Territory, year: int, current: dict, figures: list[Figure], evolution: list) -> list[ReportChart]:
    where = f"{place.title}, {campaign_label(year)}"
    charts: list[ReportChart] = []
    structures = next((f for f in figures if f.indicator.code == STRUCTURES_CODE), None)
    if structures is not None and structures.by_kind:
        by_kind = structures.by_kind
        items = [("Centres sociaux", by_kind.get(CSX)), ("Espaces de vie sociale", by_kind.get(EVS))]
        charts.append(ReportChart("structures", BarChart(
            f"Structures ayant répondu par type — {where}",
            "Nombre de centres sociaux et d'espaces de vie sociale dont le questionnaire a été validé.",
            items, category_heading="Type de structure", value_heading="Structures")))  # fmt: skip
    summaries = _by_group(current, ALL)
    for slug, title, prefix, heading in BREAKDOWNS:
        members = [i for i in indicators.INDICATORS if i.code.startswith(prefix) and i.code in summaries
                   and i.code != FUNDING_TOTAL]  # fmt: skip
        shares = [i for i in members if unit_of(i) == PERCENT]
        if shares:  # one unit per chart: a count beside shares would squash them (its figure stays in the tables)
            members = shares
        if not members:
            continue
        parts = _protected_parts(members, summaries)
        percent = all(unit_of(i) == PERCENT for i in members)
        items = [(_short_label(i), parts[i.code]) for i in members]
        charts.append(ReportChart(slug, BarChart(
            f"{title} — {where}", f"{title}. Chiffres des questionnaires validés.", items,
            unit=PERCENT if percent else NUMBER, decimals=0 if percent else 1, category_heading=heading,
            value_heading="Part" if percent else "Valeur")))  # fmt: skip
    for code, points in evolution:
        item = indicators.BY_CODE[code]
        if code in EVOLUTION_CODES and len(points) > 1:
            charts.append(ReportChart(f"evolution-{item.code.lower()}", EvolutionChart(
                f"{item.label} : évolution — {place.title}", f"{item.label}, année par année.", points,
                unit=unit_of(item), decimals=decimals_of(item), value_heading=item.label)))  # fmt: skip
    return charts


# A funder's bar is named by the funder (« Le département »): its label, composed with « venant de », would not
# lose its prefix as « venant de la Caf » does.
FUNDER_NAMES = {f"FINANCEMENT_{code}": name for code, name, _ in indicators.FUNDERS}


def _short_label(item: indicators.Indicator) -> str:
    label = FUNDER_NAMES.get(item.code, item.label)
    for prefix in ("Part des produits venant de ", "Part des participants de ", "Structures en partenariat avec ",
                   "Structures menant des actions "):  # fmt: skip
        label = label.removeprefix(prefix)
    return label[:1].upper() + label[1:]


def _children(place: Territory, year: int, current: dict) -> list[dict]:
    """Regions of the nation or departments of a region side by side (one query), secrecy applied."""
    if place.child_scope is None or not place.children:
        return []
    names = dict(place.children)
    query = Aggregate.objects.filter(scope=place.child_scope, scope_code__in=list(names), year=year, group=ALL,
                                     code__in=[STRUCTURES_CODE, *CHILD_COLUMNS])  # fmt: skip
    rows: dict[str, dict[str, StoredSummary]] = {code: {} for code in names}
    for scope_code, code, stats, secret in stats_rows(query).values_list("scope_code", "code", "stats", "secret"):
        if stats:
            rows[scope_code][code] = StoredSummary.from_stats(stats, secret)
    columns: dict[str, dict] = {}
    for code in CHILD_COLUMNS:
        figure = "median" if code == "BUDGET" else "mean"
        columns[code] = {child: SECRET if _hidden(s[code]) else getattr(s[code], figure)
                         for child, s in rows.items() if code in s}  # fmt: skip
    result = []
    for child, name in place.children:
        structures = rows[child].get(STRUCTURES_CODE)
        result.append({
            "code": child, "name": name, "answered": structures.answered if structures else None,
            "values": [(code, columns.get(code, {}).get(child)) for code in CHILD_COLUMNS],
        })  # fmt: skip
    return result


def child_columns() -> list[tuple[str, str, str, int]]:
    """(code, heading, unit, decimals) of the columns of the regions / departments table."""
    return [(code, CHILD_COLUMN_LABELS[code], unit_of(indicators.indicator(code)),
             decimals_of(indicators.indicator(code))) for code in CHILD_COLUMNS]  # fmt: skip


def _any_secret(figures: list[Figure], charts: list[ReportChart], children: list[dict]) -> bool:
    for figure in figures:
        if figure.secret or any(v is SECRET for v in figure.by_kind.values()):
            return True
    for item in charts:
        values = getattr(item.chart, "items", None) or getattr(item.chart, "points", [])
        if any(v is SECRET for _, v in values):
            return True
    return any(v is SECRET for row in children for _, v in row["values"])


# --- what pages and the PDF show ----------------------------------------------------------------------------------


METHODOLOGY = (
    "Chaque printemps, les centres sociaux et les espaces de vie sociale agréés par la Caf répondent au "
    "questionnaire de l'observatoire sur l'année écoulée. Les correspondants territoriaux (Caf et fédérations) "
    "vérifient la cohérence des réponses ; seules les réponses validées entrent dans ces chiffres. Les moyennes "
    "portent sur les structures ayant répondu à la question ; la médiane partage ces structures en deux moitiés, "
    "le 1er et le 3e quartile délimitent le quart le plus bas et le quart le plus haut (méthode inclusive, "
    "comme QUARTILE.INC des tableurs). Les parts de financement rapportent la somme des produits de chaque "
    "financeur à la somme des produits de toutes les structures. Les montants sont arrondis à l'euro, les parts "
    "au pour cent. Un chiffre calculé sur moins de 5 structures n'est pas publié (« secret statistique », noté "
    "s), de même qu'un chiffre qui permettrait de le retrouver par différence avec un total publié."
)


def cell(value: Any, unit: str = NUMBER, decimals: int = 0) -> dict:
    """A figure as a page shows it: French text ("s" when secret) and whether it is secret."""
    return {"text": format_value(value, unit, decimals), "secret": value is SECRET}


def figure_rows(figures: list[Figure]) -> list[dict]:
    rows = []
    for figure in figures:
        item = figure.indicator
        unit, decimals = unit_of(item), decimals_of(item)
        quartile_decimals = decimals if unit != NUMBER else 1 if item.unit == "ETP" else 0
        rows.append({
            "code": item.code, "label": item.label, "unit": item.unit, "secret": figure.secret,
            "structures": cell(figure.structures),
            "value": cell(figure.value, unit, decimals),
            "q1": cell(figure.q1, unit, quartile_decimals), "median": cell(figure.median, unit, quartile_decimals),
            "q3": cell(figure.q3, unit, quartile_decimals),
            "by_kind": [cell(figure.by_kind.get(g), unit, decimals) for g in (CSX, EVS, ALL)],
        })  # fmt: skip
    return rows


def key_figures_table(report: Report) -> DataTable:
    """The key figures as a table (for the CSV of the key figures and the XLSX)."""
    columns = ["Indicateur", "Unité", "Structures", "Valeur", "1er quartile", "Médiane", "3e quartile",
               "Centres sociaux", "Espaces de vie sociale"]  # fmt: skip
    rows = []
    for row in figure_rows(report.figures):
        rows.append(
            [
                row["label"],
                row["unit"],
                row["structures"]["text"],
                row["value"]["text"],
                row["q1"]["text"],
                row["median"]["text"],
                row["q3"]["text"],
                row["by_kind"][0]["text"],
                row["by_kind"][1]["text"],
            ]
        )
    notes = [SECRET_NOTE] if report.has_secret else []
    return DataTable(f"Chiffres clés — {report.territory.title}, {campaign_label(report.year)}", columns, rows, notes)
