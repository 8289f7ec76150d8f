"""What the report template shows, on the web page and in the PDF plaquette alike (`report_context`), and a
territory's addresses. Shared by the public views and the prebuilt publications (`publications.py`), so that a
prebuilt plaquette is the one the view would build."""

from __future__ import annotations

from django.urls import reverse
from django.utils.safestring import mark_safe

from maillage.observatory.figures import indicators, reports
from maillage.observatory.figures.charts import chart_svg, data_table, responsive_chart_svg
from maillage.observatory.figures.secrecy import SECRET_NOTE
from maillage.observatory.models import AggregateScope

KEY_FIGURES_SLUG = "chiffres-cles"


def territory_urls(place: reports.Territory, year: int, latest: int | None) -> dict:
    """The page, PDF and CSV addresses of a territory (the year as ?annee= unless it is the newest)."""
    if place.scope == AggregateScope.NATION:
        page, kwargs, prefix = "observatory:nation", {}, "observatory:nation"
    else:
        slug = "region" if place.scope == AggregateScope.REGION else "departement"
        page, kwargs, prefix = f"observatory:{slug}", {"code": place.code}, f"observatory:{slug}"
    query = "" if year == latest else f"?annee={year}"
    return {
        "page": reverse(page, kwargs=kwargs) + query,
        "pdf": reverse(f"{prefix}-pdf", kwargs=kwargs) + query,
        "csv": lambda slug: reverse(f"{prefix}-csv", kwargs={**kwargs, "slug": slug}) + query,
    }


def report_context(report: reports.Report, urls: dict, *, for_pdf: bool = False) -> dict:
    """What the report template shows (web page and PDF alike)."""
    charts, draw = [], chart_svg if for_pdf else responsive_chart_svg  # the PDF's page has one width
    for item in report.charts:
        charts.append({"slug": item.slug, "title": item.chart.title, "svg": mark_safe(draw(item.chart, item.slug)),
                       "table": data_table(item.chart), "csv_url": urls["csv"](item.slug)})  # fmt: skip
    evolution_rows = []
    for code, points in report.evolution:
        item = indicators.BY_CODE[code]
        cells = [reports.cell(value, reports.unit_of(item), reports.decimals_of(item)) for _, value in points]
        evolution_rows.append({"label": item.label, "cells": cells})
    columns = reports.child_columns()
    children = [
        {"name": row["name"], "code": row["code"], "answered": reports.cell(row["answered"]),
         "cells": [reports.cell(value, unit, decimals) for (_, value), (_, _, unit, decimals)
                   in zip(row["values"], columns, strict=True)],
         "url": child_url(report.territory, row["code"], urls)}
        for row in report.children
    ]  # fmt: skip
    return {
        "report": report,
        "place": report.territory,
        "sections": [(label, reports.figure_rows(figures)) for label, figures in report.sections],
        "key_figures_csv": urls["csv"](KEY_FIGURES_SLUG),
        "charts": charts,
        "evolution_rows": evolution_rows,
        "children": children,
        "child_columns": [heading for _, heading, _, _ in columns],
        "answer_rate": reports.cell(report.answer_rate, "percent"),
        "secret_note": SECRET_NOTE,
        "methodology": reports.METHODOLOGY,
        "urls": urls,
        "for_pdf": for_pdf,
    }


def child_url(place: reports.Territory, code: str, urls: dict) -> str:
    name = "observatory:region" if place.scope == AggregateScope.NATION else "observatory:departement"
    query = urls["page"].partition("?")[2]
    return reverse(name, kwargs={"code": code}) + (f"?{query}" if query else "")
