"""XLSX export of every aggregate (public: validated answers only), one sheet per scale (France, régions,
départements), statistical secrecy applied as on the pages.

Secrecy: the rows marked secret when the aggregates were computed (`disclosure.py`: fewer than 5 structures, or a
figure that published ones would give away by subtraction) show "s", as on the pages. Minimum and maximum are never
exported: each is one structure's answer.
"""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Max
from django.db.models.fields.json import KeyTransform

from maillage.exchange.streamed_xlsx import excel_text
from maillage.observatory.definitions.wording import campaign_label
from maillage.observatory.figures import indicators
from maillage.observatory.figures.aggregates import ALL, StoredSummary
from maillage.observatory.figures.disclosure import UNKNOWN
from maillage.observatory.figures.reports import CACHE_SECONDS
from maillage.observatory.figures.secrecy import SECRET_LABEL, SECRET_NOTE
from maillage.observatory.models import Aggregate, AggregateScope, Campaign
from maillage.referentials.models import Department, Region

Key = tuple[int, str, str, str, str]  # year, scope, scope code, group, indicator code
SHEETS = [(AggregateScope.NATION, "France"), (AggregateScope.REGION, "Régions"),
          (AggregateScope.DEPARTMENT, "Départements")]  # fmt: skip
COLUMNS = ["Année des données", "Code du territoire", "Territoire", "Groupe de structures", "Indicateur", "Libellé",
           "Unité", "Structures", "Valeur publiée", "Moyenne", "1er quartile", "Médiane", "3e quartile", "Total",
           "Enquête"]  # fmt: skip
VALUE_NOTE = (
    "Valeur publiée : moyenne par structure, part de structures (entre 0 et 1), total ou part d'un total selon "
    "l'indicateur ; quartiles calculés par la méthode inclusive (QUARTILE.INC)."
)


def group_label(group: str) -> str:
    labels = {"csx": "centres sociaux", "evs": "espaces de vie sociale", "urbain": "urbain", "rural": "rural"}
    unknown = {"kind": "type non renseigné", "territory": "territoire non renseigné"}
    if group == ALL:
        return "toutes les structures"
    parts = dict(part.split("=", 1) for part in group.split("|") if "=" in part)
    return " ".join(unknown.get(k, v) if v == UNKNOWN else labels.get(v, v) for k, v in parts.items())


def load_rows() -> dict[Key, StoredSummary]:
    query = Aggregate.objects.annotate(stats=KeyTransform("stats", "summary")).values_list(
        "year", "scope", "scope_code", "group", "code", "stats", "secret"
    )
    return {
        (y, s, sc, g, c): StoredSummary.from_stats(stats, secret) for y, s, sc, g, c, stats, secret in query if stats
    }


def _number(value):
    return None if value is None else float(value)


def workbook_bytes() -> bytes:
    from openpyxl import Workbook

    rows = load_rows()
    names = {(AggregateScope.DEPARTMENT, c): n for c, n in Department.objects.values_list("code", "name")}
    names |= {(AggregateScope.REGION, c): n for c, n in Region.objects.values_list("code", "name")}
    names[(AggregateScope.REGION, UNKNOWN)] = "Département non renseigné"
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
            texts = [sc, name, group_label(g), c, item.label if item else c, item.unit if item else ""]
            head = [y, *map(excel_text, texts)]  # labels come from uploaded questionnaires: never a formula
            if summary.secret:
                sheet.append([*head, SECRET_LABEL, *[SECRET_LABEL] * 6, campaign_label(y)])
                continue
            value = indicators.headline(item, summary, figures[(y, s, sc, g)]) if item else summary.mean
            quartiles = summary.quartiles or (None, None, None)
            sheet.append([*head, summary.answered, _number(value), _number(summary.mean),
                          *[_number(q) for q in quartiles], _number(summary.total), campaign_label(y)])  # fmt: skip
    notes = book.create_sheet("Notes")
    notes.append([SECRET_NOTE])
    notes.append([VALUE_NOTE])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_version() -> str:
    """What the workbook depends on: when aggregates were last computed, and the newest campaign (one query)."""
    latest = Campaign.objects.aggregate(latest=Max("aggregates_computed_at"), rows=Max("year"))
    return f"{latest['latest'].isoformat() if latest['latest'] else '-'}:{latest['rows']}"


def aggregates_workbook(*, use_cache: bool = True) -> bytes:
    """The workbook, cached until aggregates are computed again."""
    key = f"observatory:xlsx:{workbook_version()}"
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    data = workbook_bytes()
    if use_cache:
        cache.set(key, data, CACHE_SECONDS)
    return data
