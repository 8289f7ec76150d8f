"""Server-side SVG charts shared by the web pages and the PDF reports (WeasyPrint renders inline SVG).

Each chart is described by a small dataclass and drawn by a pure function returning SVG markup; ``data_table`` gives
the same figures as rows for the HTML table shown under every chart, and ``table_csv`` writes them for the CSV link.
Every label is escaped. Charts carry ``role="img"``, a ``<title>`` and a ``<desc>`` referenced by
``aria-labelledby``; colours reach 3:1 against white for marks and 4.5:1 for text. Secret cells (statistical secrecy)
are drawn as an empty dashed bar marked "s", explained in the table's note.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.html import escape

from maillage.exchange.streams import neutralise_formula
from maillage.observatory.figures.formatting import NBSP, format_number, format_percent, format_value
from maillage.observatory.figures.scales import nice_ticks, tick_decimals
from maillage.observatory.figures.secrecy import SECRET_MARK, SECRET_NOTE, is_secret
from maillage.observatory.figures.statistics import evolution

BAR_COLOUR = "#1f5f99"  # dark blue, 6.7:1 on white
ACCENT_COLOUR = "#a3400c"  # dark orange for "your structure", 5.9:1
TEXT_COLOUR = "#1b1b1b"
MUTED_COLOUR = "#595959"  # axes, grid labels, secret marks: 7:1
GRID_COLOUR = "#d0d0d0"  # decorative only
BOX_FILL = "#dbe8f5"  # light fill inside a box outlined in BAR_COLOUR
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'

WIDTH = 640
# A phone's column is about 340 px wide: drawn at that width, the 13 px text is shown at 12–13 px instead of the 7 px
# of the 640 px drawing scaled down. The narrow drawing puts each label on its own line above its bar or box.
NARROW_WIDTH = 340
CHAR_WIDTH = 7.8  # DejaVu Sans at 13 px, an average character


def contrast_ratio(colour: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio between two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# --- chart descriptions -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarChart:
    """Values per category, drawn as horizontal bars (funding shares, publics by age band…)."""

    title: str
    description: str
    items: Sequence[tuple[str, Any]]  # (label, value | SECRET | None)
    unit: str = "number"  # number | percent | euro
    decimals: int = 0
    category_heading: str = "Catégorie"
    value_heading: str = "Valeur"
    label_width: int = 210  # room for the labels, in px of the 640 px drawing (longer labels are shortened)


@dataclass(frozen=True)
class EvolutionChart:
    """One value per year (a 5-year evolution), drawn as vertical bars or a line."""

    title: str
    description: str
    points: Sequence[tuple[int, Any]]  # (year, value | SECRET | None)
    unit: str = "number"
    decimals: int = 0
    style: str = "bars"  # bars | line
    value_heading: str = "Valeur"


@dataclass(frozen=True)
class GroupPosition:
    """Quartiles of a comparison group (department, region, same kind, nation); ``quartiles`` may be SECRET."""

    label: str
    quartiles: Any  # (q1, median, q3) | SECRET | None
    structures: int = 0


@dataclass(frozen=True)
class PositionChart:
    """ "Se situer": a structure's value against the median and quartiles of several comparison groups."""

    title: str
    description: str
    value: Any
    groups: Sequence[GroupPosition]
    unit: str = "number"
    decimals: int = 0
    structure_label: str = "Votre structure"


@dataclass(frozen=True)
class DataTable:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


# --- SVG helpers ------------------------------------------------------------------------------------------------------


def _chart_id(title: str, explicit: str | None) -> str:
    base = explicit or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "graphique"
    return "chart-" + re.sub(r"[^A-Za-z0-9_-]", "", base)[:60]


def _svg(chart: Any, height: int, body: list[str], chart_id: str | None, width: int = WIDTH) -> str:
    ident = _chart_id(chart.title, chart_id) + ("-etroit" if width < WIDTH else "")
    shape = "chart chart-narrow" if width < WIDTH else "chart chart-wide"
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" aria-labelledby="{ident}-title {ident}-desc" {FONT} font-size="13" '
            f'class="{shape}">',
            f'<title id="{ident}-title">{escape(chart.title)}</title>',
            f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
            *body,
            "</svg>",
        ]
    )


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", colour: str = TEXT_COLOUR, extra: str = ""
) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}"{extra}>{escape(content)}</text>'


def _secret_bar(x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="none" '
        f'stroke="{MUTED_COLOUR}" stroke-dasharray="4 3"/>'
    )


def _shorten(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _numeric(values: Sequence[Any]) -> list[Decimal]:
    return [Decimal(str(v)) for v in values if v is not None and not is_secret(v)]


# --- horizontal bars --------------------------------------------------------------------------------------------------


def horizontal_bars_svg(chart: BarChart, chart_id: str | None = None, width: int = WIDTH) -> str:
    """Labels left of the bars; in a narrow drawing, each label on its own line above its bar."""
    narrow = width < WIDTH
    top, value_room = 10, 90
    row, label_width = (46, 0) if narrow else (28, chart.label_width)
    bar_top, label_y = (22, 15) if narrow else (4, 18)
    area = width - label_width - value_room
    scale_max = max([*_numeric([v for _, v in chart.items]), Decimal(0)]) or Decimal(1)
    body = []
    for index, (label, value) in enumerate(chart.items):
        y = top + index * row
        if narrow:
            body.append(_text(4, y + label_y, _shorten(label, int((width - 6) / CHAR_WIDTH))))
        else:
            limit = (label_width - 10) * 27 // 200  # 27 × ~7.3 px fit 200 px
            body.append(_text(label_width - 8, y + label_y, _shorten(label, limit), anchor="end"))
        bar_y, text_y = y + bar_top, y + bar_top + 14
        if is_secret(value):
            body.append(_secret_bar(label_width, bar_y, 24, 20))
            body.append(_text(label_width + 32, text_y, SECRET_MARK, colour=MUTED_COLOUR))
            continue
        if value is None:
            body.append(_text(label_width + 4, text_y, "—", colour=MUTED_COLOUR))
            continue
        bar = float(max(Decimal(str(value)), Decimal(0)) / scale_max) * area
        if value > 0:
            bar = max(bar, 3.0)  # a small share keeps a visible bar: no vanishing bars
        body.append(f'<rect x="{label_width}" y="{bar_y}" width="{bar:.1f}" height="20" fill="{BAR_COLOUR}"/>')
        body.append(_text(label_width + bar + 6, text_y, format_value(value, chart.unit, chart.decimals)))
    height = top * 2 + row * max(len(chart.items), 1)
    axis_x = label_width + 0.5 if narrow else label_width
    body.append(f'<line x1="{axis_x}" y1="{top}" x2="{axis_x}" y2="{height - top}" stroke="{MUTED_COLOUR}"/>')
    return _svg(chart, height, body, chart_id, width)


# --- evolution --------------------------------------------------------------------------------------------------------


def evolution_svg(chart: EvolutionChart, chart_id: str | None = None, width: int = WIDTH) -> str:
    """Bars (or a line) per year over a value axis with round ticks; a value is written over its bar when it fits."""
    height, right, top, bottom = 260, 12 if width < WIDTH else 20, 24, 36
    ticks = nice_ticks(_numeric([v for _, v in chart.points]), 4 if width < WIDTH else 5)
    decimals = tick_decimals(ticks, chart.unit)
    labels = [format_value(tick, chart.unit, decimals) for tick in ticks]
    left = max(50, 14 + round(7.5 * max(len(label) for label in labels)))  # room for the longest (« 990 700 € »)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(value: Any) -> float:
        return top + plot_h * float((high - Decimal(str(value))) / (high - low))

    body = []
    for tick, label in zip(ticks, labels, strict=True):
        y = y_of(tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        body.append(_text(left - 6, y + 4, label, anchor="end", colour=MUTED_COLOUR))
    slot = plot_w / max(len(chart.points), 1)
    marks, line_points = [], []
    for index, (year, value) in enumerate(chart.points):
        centre = left + slot * (index + 0.5)
        marks.append(_text(centre, height - bottom + 18, str(year), anchor="middle"))
        if is_secret(value):
            marks.append(_secret_bar(centre - slot * 0.2, top + plot_h - 40, slot * 0.4, 40))
            marks.append(_text(centre, top + plot_h - 46, SECRET_MARK, anchor="middle", colour=MUTED_COLOUR))
            continue
        if value is None:
            marks.append(_text(centre, top + plot_h - 6, "—", anchor="middle", colour=MUTED_COLOUR))
            continue
        y, zero = y_of(value), y_of(0)
        if chart.style == "line":
            line_points.append(f"{centre:.1f},{y:.1f}")
            marks.append(f'<circle cx="{centre:.1f}" cy="{y:.1f}" r="4" fill="{BAR_COLOUR}"/>')
        else:
            marks.append(
                f'<rect x="{centre - slot * 0.3:.1f}" y="{min(y, zero):.1f}" width="{slot * 0.6:.1f}" '
                f'height="{abs(zero - y):.1f}" fill="{BAR_COLOUR}"/>'
            )
        text = format_value(value, chart.unit, chart.decimals)
        if len(text) * CHAR_WIDTH <= slot:  # on a phone, long values are left to the axis and the table
            marks.append(_text(centre, min(y, zero) - 6, text, anchor="middle"))
    if len(line_points) > 1:
        body.append(f'<polyline points="{" ".join(line_points)}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2"/>')
    body += marks
    body.append(
        f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{width - right}" y2="{y_of(0):.1f}" stroke="{MUTED_COLOUR}"/>'
    )
    return _svg(chart, height, body, chart_id, width)


# --- se situer --------------------------------------------------------------------------------------------------------


def position_svg(chart: PositionChart, chart_id: str | None = None, width: int = WIDTH) -> str:
    """Quartile boxes per group; in a narrow drawing, each group's name on its own line above its box."""
    narrow = width < WIDTH
    top, right = 34, 14 if narrow else 30
    row, left, box_top = (48, 8, 20) if narrow else (34, 230, 8)
    box_h = row - box_top - 8
    plot_w = width - left - right
    bounds = _numeric([chart.value])
    for group in chart.groups:
        if group.quartiles is not None and not is_secret(group.quartiles):
            bounds += _numeric(group.quartiles)
    low, high = (min(bounds), max(bounds)) if bounds else (Decimal(0), Decimal(1))
    pad = (high - low) * Decimal("0.1") or Decimal(1)
    low, high = (max(low - pad, Decimal(0)) if low >= 0 else low - pad), high + pad

    def x_of(value: Any) -> float:
        return left + plot_w * float((Decimal(str(value)) - low) / (high - low))

    height = top + row * max(len(chart.groups), 1) + (44 if narrow else 30)
    body = []
    for index, group in enumerate(chart.groups):
        y = top + index * row
        middle = y + box_top + box_h / 2 + 4
        if narrow:
            body.append(_text(left, y + 15, _shorten(group.label, int(plot_w / CHAR_WIDTH))))
        else:
            body.append(_group_label(left - 8, y + row / 2 + 4, group.label, limit=32))
        if is_secret(group.quartiles):
            body.append(_secret_bar(left, y + box_top, 24, box_h))
            body.append(_text(left + 32, middle, SECRET_MARK, colour=MUTED_COLOUR))
            continue
        if group.quartiles is None:
            body.append(_text(left + 4, middle, "—", colour=MUTED_COLOUR))
            continue
        q1, median, q3 = (x_of(q) for q in group.quartiles)
        body.append(
            f'<rect x="{q1:.1f}" y="{y + box_top}" width="{max(q3 - q1, 1):.1f}" height="{box_h}" fill="{BOX_FILL}" '
            f'stroke="{BAR_COLOUR}" stroke-width="1.5"/>'
        )
        body.append(
            f'<line x1="{median:.1f}" y1="{y + box_top - 3}" x2="{median:.1f}" y2="{y + box_top + box_h + 3}" '
            f'stroke="{BAR_COLOUR}" stroke-width="3"/>'
        )
    if chart.value is not None and not is_secret(chart.value):
        x = x_of(chart.value)
        bottom = height - (44 if narrow else 30)
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="{ACCENT_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
        label = f"{chart.structure_label} : {format_value(chart.value, chart.unit, chart.decimals)}"
        anchor = "end" if x > left + plot_w / 2 else "start"
        if narrow and len(label) * CHAR_WIDTH > (x - 4 if anchor == "end" else width - x - 4):
            x, anchor = (width - 2, "end") if anchor == "end" else (2, "start")  # kept whole inside the drawing
        body.append(_text(x + (-4 if anchor == "end" else 4), top - 12, label, anchor=anchor, colour=ACCENT_COLOUR))
    legend = "Boîte : du 1er au 3e quartile ; trait épais : médiane"
    if narrow:  # two lines: one would be wider than the phone
        first, second = legend.split(" ; ")
        body.append(_text(left, height - 26, first + " ;", colour=MUTED_COLOUR, extra=' font-size="12"'))
        body.append(_text(left, height - 10, second, colour=MUTED_COLOUR, extra=' font-size="12"'))
    else:
        body.append(_text(left, height - 10, legend, colour=MUTED_COLOUR, extra=' font-size="12"'))
    return _svg(chart, height, body, chart_id, width)


def _group_label(x: float, y: float, label: str, limit: int = 26) -> str:
    """A comparison group's name, on two lines when it is long and has two parts (« Espaces de vie sociale — Nord »)."""
    first, dash, second = label.partition(" — ")
    if len(label) <= limit or not dash:
        return _text(x, y, _shorten(label, limit), anchor="end")
    lines = (f'<tspan x="{x:.1f}" y="{y - 7:.1f}">{escape(_shorten(first, limit))}</tspan>'
             f'<tspan x="{x:.1f}" y="{y + 7:.1f}">{escape(_shorten(second, limit))}</tspan>')  # fmt: skip
    return f'<text text-anchor="end" fill="{TEXT_COLOUR}" font-size="12">{lines}</text>'


def chart_svg(chart: Any, chart_id: str | None = None, width: int = WIDTH) -> str:
    """Draw any chart description, at 640 px (web page and PDF) or narrower (``NARROW_WIDTH``, for phones)."""
    if isinstance(chart, BarChart):
        return horizontal_bars_svg(chart, chart_id, width)
    if isinstance(chart, EvolutionChart):
        return evolution_svg(chart, chart_id, width)
    if isinstance(chart, PositionChart):
        return position_svg(chart, chart_id, width)
    raise TypeError(f"unknown chart: {chart!r}")


def responsive_chart_svg(chart: Any, chart_id: str | None = None) -> str:
    """The web page's chart: the 640 px drawing and the narrow one; the style sheet shows the one that fits the
    column (a container query on ``.chart-figure``), so that on a phone the text is not scaled down to 7 px.
    The hidden drawing is ``display: none``, out of the accessibility tree: a screen reader meets one chart."""
    return chart_svg(chart, chart_id) + "\n" + chart_svg(chart, chart_id, NARROW_WIDTH)


# --- data tables and CSV ----------------------------------------------------------------------------------------------


def data_table(chart: Any) -> DataTable:
    """The chart's figures as rows of formatted strings, for the HTML table under the chart and the CSV."""
    if isinstance(chart, BarChart):
        columns = [chart.category_heading, chart.value_heading]
        rows = [[label, format_value(value, chart.unit, chart.decimals)] for label, value in chart.items]
        values = [value for _, value in chart.items]
    elif isinstance(chart, EvolutionChart):
        columns = ["Année", chart.value_heading, "Évolution sur un an"]
        plain = {year: None if is_secret(v) else v for year, v in chart.points}
        changes = {p.year: p.relative_change for p in evolution(plain)}
        rows = [
            [str(year), format_value(value, chart.unit, chart.decimals), format_percent(changes[year], signed=True)]
            for year, value in chart.points
        ]
        values = [value for _, value in chart.points]
    elif isinstance(chart, PositionChart):
        columns = ["Groupe de comparaison", "Structures", "1er quartile", "Médiane", "3e quartile"]
        mine = format_value(chart.value, chart.unit, chart.decimals)
        rows = [[chart.structure_label, "", "", mine, ""]]
        values = [group.quartiles for group in chart.groups]
        for group in chart.groups:
            quartiles = group.quartiles if group.quartiles is not None else (None, None, None)
            if is_secret(quartiles):
                rows.append([group.label, SECRET_MARK, SECRET_MARK, SECRET_MARK, SECRET_MARK])
                continue
            formatted = [format_value(q, chart.unit, chart.decimals) for q in quartiles]
            rows.append([group.label, format_number(group.structures), *formatted])
    else:
        raise TypeError(f"unknown chart: {chart!r}")
    notes = [SECRET_NOTE] if any(is_secret(v) for v in values) else []
    return DataTable(chart.title, columns, rows, notes)


def table_csv(table: DataTable) -> str:
    """CSV for spreadsheet software in French: UTF-8 with BOM, ";" separated, notes as trailing lines."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise_formula(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([cell.replace(NBSP, "") if _looks_numeric(cell) else neutralise_formula(cell) for cell in row])
    for note in table.notes:
        writer.writerow([neutralise_formula(note)])
    return buffer.getvalue()


def _looks_numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[+-]?[\d\u00a0]+(,\d+)?(\u00a0[%€])?", cell))
