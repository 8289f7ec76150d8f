"""XLSX export of every aggregate (public: validated answers only), one sheet per scale (France, régions,
départements), statistical secrecy applied as on the pages.

Secrecy: a row whose figure rests on fewer than 5 structures is secret, and secondary suppression is applied to
every relation of parts adding up to a published total that a reader of the workbook could subtract: CSX + EVS =
all; urban + rural = each kind; regions = nation and departments = their region (top down, a secret total passing
down). Minimum and maximum are never exported: each is one structure's answer.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Max
from django.db.models.fields.json import KeyTransform

from maillage.observatory import indicators
from maillage.observatory.aggregates import ALL, StoredSummary, kind_group, territory_group
from maillage.observatory.models import Aggregate, AggregateScope
from maillage.observatory.reports import CACHE_SECONDS
from maillage.observatory.secrecy import SECRET, SECRET_LABEL, SECRET_NOTE, Cell, is_primary_secret, protect_row
from maillage.referentials.models import Department, Region

Key = tuple[int, str, str, str, str]  # year, scope, scope code, group, indicator code
SHEETS = [(AggregateScope.NATION, "France"), (AggregateScope.REGION, "Régions"),
          (AggregateScope.DEPARTMENT, "Départements")]  # fmt: skip
COLUMNS = ["Année", "Code du territoire", "Territoire", "Groupe de structures", "Indicateur", "Libellé", "Unité",
           "Structures", "Valeur publiée", "Moyenne", "1er quartile", "Médiane", "3e quartile", "Total"]  # fmt: skip
VALUE_NOTE = (
    "Valeur publiée : moyenne par structure, part de structures (entre 0 et 1), total ou part d'un total selon "
    "l'indicateur ; quartiles calculés par la méthode inclusive (QUARTILE.INC)."
)
KIND_PAIRS = [((kind_group("csx"), kind_group("evs")), ALL)] + [
    ((territory_group(kind, "urbain"), territory_group(kind, "rural")), kind_group(kind)) for kind in ("csx", "evs")
]


def group_label(group: str) -> str:
    labels = {"csx": "centres sociaux", "evs": "espaces de vie sociale", "urbain": "urbain", "rural": "rural"}
    if group == ALL:
        return "toutes les structures"
    parts = dict(part.split("=", 1) for part in group.split("|") if "=" in part)
    return " ".join(labels.get(v, v) for v in parts.values())


def load_rows() -> dict[Key, StoredSummary]:
    query = Aggregate.objects.annotate(stats=KeyTransform("stats", "summary")).values_list(
        "year", "scope", "scope_code", "group", "code", "stats"
    )
    return {(y, s, sc, g, c): StoredSummary.from_stats(stats) for y, s, sc, g, c, stats in query if stats}


def secret_keys(rows: dict[Key, StoredSummary], region_of: dict[str, str]) -> set[Key]:
    """Keys whose figures may not be published (primary and secondary suppression)."""
    count_codes = {i.code for i in indicators.INDICATORS if i.kind == "count"}
    secret = {key for key, s in rows.items() if key[4] not in count_codes and is_primary_secret(s.answered)}

    def protect(parts: Iterable[Key], total: Key | None) -> None:
        cells = {key: Cell(None, rows[key].answered) for key in parts if key in rows}
        if not cells:
            return
        total_cell = Cell(None, rows[total].answered) if total in rows else None
        result = protect_row(cells, total_cell, total_secret=total in secret) if total_cell else None
        if result is None:
            return
        secret.update(key for key, value in result.parts.items() if value is SECRET)
        if result.total is SECRET:
            secret.add(total)

    places = {(y, s, sc, c) for y, s, sc, g, c in rows if c not in count_codes}
    for y, s, sc, c in places:
        for parts, total in KIND_PAIRS:
            protect([(y, s, sc, g, c) for g in parts], (y, s, sc, total, c))
    regions_of_nation: dict[str, list[str]] = defaultdict(list)
    for department, region in region_of.items():
        regions_of_nation[region].append(department)
    groups = {(y, g, c) for y, s, sc, g, c in rows if c not in count_codes}
    for y, g, c in sorted(groups):
        protect([(y, AggregateScope.REGION, r, g, c) for r in sorted(regions_of_nation)],
                (y, AggregateScope.NATION, "", g, c))  # fmt: skip
        for region, departments in sorted(regions_of_nation.items()):
            protect([(y, AggregateScope.DEPARTMENT, d, g, c) for d in sorted(departments)],
                    (y, AggregateScope.REGION, region, g, c))  # fmt: skip
    return secret


def _number(value):
    return None if value is None else float(value)


def workbook_bytes() -> bytes:
    from openpyxl import Workbook

    rows = load_rows()
    departments = dict(Department.objects.values_list("code", "region__code"))
    names = {(AggregateScope.DEPARTMENT, c): n for c, n in Department.objects.values_list("code", "name")}
    names |= {(AggregateScope.REGION, c): n for c, n in Region.objects.values_list("code", "name")}
    secret = secret_keys(rows, departments)
    figures: dict[tuple, dict[str, StoredSummary]] = defaultdict(dict)
    for (y, s, sc, g, c), summary in rows.items():
        figures[(y, s, sc, g)][c] = summary
    book = Workbook(write_only=True)
    for scope, title in SHEETS:
        sheet = book.create_sheet(title)
        sheet.append(COLUMNS)
        for key in sorted(k for k in rows if k[1] == scope):
            y, s, sc, g, c = key
            item = indicators.BY_CODE.get(c)
            summary = rows[key]
            name = "France" if s == AggregateScope.NATION else names.get((s, sc), sc)
            head = [y, sc, name, group_label(g), c, item.label if item else c, item.unit if item else ""]
            if key in secret:
                sheet.append([*head, SECRET_LABEL, *[SECRET_LABEL] * 6])
                continue
            value = indicators.headline(item, summary, figures[(y, s, sc, g)]) if item else summary.mean
            quartiles = summary.quartiles or (None, None, None)
            sheet.append([*head, summary.answered, _number(value), _number(summary.mean),
                          *[_number(q) for q in quartiles], _number(summary.total)])  # fmt: skip
    notes = book.create_sheet("Notes")
    notes.append([SECRET_NOTE])
    notes.append([VALUE_NOTE])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def aggregates_workbook(*, use_cache: bool = True) -> bytes:
    """The workbook, cached until aggregates are computed again."""
    latest = Aggregate.objects.aggregate(latest=Max("computed_at"), rows=Max("id"))
    key = f"observatory:xlsx:{latest['latest'].isoformat() if latest['latest'] else '-'}:{latest['rows']}"
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    data = workbook_bytes()
    if use_cache:
        cache.set(key, data, CACHE_SECONDS)
    return data
