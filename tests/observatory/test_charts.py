import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from maillage.observatory.figures.charts import (
    ACCENT_COLOUR,
    BAR_COLOUR,
    MUTED_COLOUR,
    NARROW_WIDTH,
    TEXT_COLOUR,
    BarChart,
    DataTable,
    EvolutionChart,
    GroupPosition,
    PositionChart,
    chart_svg,
    contrast_ratio,
    data_table,
    responsive_chart_svg,
    table_csv,
)
from maillage.observatory.figures.formatting import NBSP, format_euros, format_number, format_percent
from maillage.observatory.figures.scales import nice_ticks, tick_decimals
from maillage.observatory.figures.secrecy import SECRET, SECRET_NOTE

SVG = "{http://www.w3.org/2000/svg}"

FUNDING = BarChart(
    "Part des financeurs dans les budgets",
    "Part de chaque financeur dans le total des produits des centres sociaux du département en 2024.",
    [("CAF", Decimal("0.24")), ("Communes & intercommunalités", Decimal("0.41")), ("Région", SECRET), ("État", None)],
    unit="percent",
    category_heading="Financeur",
    value_heading="Part du total",
)
EVOLUTION = EvolutionChart(
    "Budget médian",
    "Budget médian des centres sociaux de 2020 à 2024.",
    [(2020, 400000), (2021, 420000), (2022, SECRET), (2023, 450000), (2024, 440000)],
    unit="euro",
)
POSITION = PositionChart(
    "Bénévoles d'activité",
    "Nombre de bénévoles de votre structure comparé aux quartiles des groupes.",
    62,
    [
        GroupPosition("Ardèche", (Decimal(20), Decimal(41), Decimal(70)), 31),
        GroupPosition("Auvergne-Rhône-Alpes", (Decimal(25), Decimal("45.5"), Decimal(80)), 310),
        GroupPosition("Centres sociaux ruraux", SECRET, 3),
        GroupPosition("France", (Decimal(22), Decimal(48), Decimal(85)), 2380),
    ],
)


def parse(svg):
    return ET.fromstring(svg)


def texts(root):
    return [t.text for t in root.iter(f"{SVG}text")]


def test_french_number_formatting():
    assert format_number(1234) == f"1{NBSP}234"
    assert format_number(1234567.891, 1) == f"1{NBSP}234{NBSP}567,9"
    assert format_number(Decimal("12.5"), 1) == "12,5"
    assert format_number(-1500) == f"-1{NBSP}500"
    assert format_number(999) == "999"
    assert format_number(None) == "—" and format_number(SECRET) == "s"
    assert format_percent(Decimal("0.2449")) == f"24{NBSP}%"
    assert format_percent(0.5, signed=True) == f"+50{NBSP}%"
    assert format_percent(-0.25, signed=True) == f"-25{NBSP}%"
    assert format_euros(Decimal("449999.6")) == f"450{NBSP}000{NBSP}€"


def test_colours_have_enough_contrast_against_white():
    for colour in (BAR_COLOUR, ACCENT_COLOUR, MUTED_COLOUR):
        assert contrast_ratio(colour) >= 4.5
    assert contrast_ratio(TEXT_COLOUR) >= 7
    assert contrast_ratio("#ffffff") == pytest.approx(1)


@pytest.mark.parametrize(
    "chart", [FUNDING, EVOLUTION, POSITION, EvolutionChart("Ligne", "d", [(2023, 1), (2024, 3)], style="line")]
)
def test_every_chart_is_accessible_well_formed_svg(chart):
    root = parse(chart_svg(chart, chart_id="c1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-c1-title chart-c1-desc"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}title").get("id") == "chart-c1-title"
    assert root.find(f"{SVG}desc").text == chart.description


def test_labels_are_escaped():
    chart = BarChart('<script>alert("x")</script>', "a & b", [("<b>Ville</b> & co", 3)])
    svg = chart_svg(chart)
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)  # still well formed
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'
    assert "<b>Ville</b> & co" in texts(root)


def test_horizontal_bars_scale_and_secret_cells():
    root = parse(chart_svg(FUNDING))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == BAR_COLOUR]
    assert len(bars) == 2
    assert float(bars[1].get("width")) > float(bars[0].get("width"))
    empty = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"]
    assert len(empty) == 1 and empty[0].get("stroke-dasharray")
    labels = texts(root)
    assert f"24{NBSP}%" in labels and "s" in labels and "—" in labels


def test_evolution_bars_and_line():
    root = parse(chart_svg(EVOLUTION))
    labels = texts(root)
    assert {"2020", "2024", f"450{NBSP}000{NBSP}€"} <= set(labels)
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("fill") == BAR_COLOUR]) == 4
    line = EvolutionChart("t", "d", [(2020, 1), (2021, 2), (2022, SECRET), (2023, 4)], style="line")
    root = parse(chart_svg(line))
    assert len(root.findall(f"{SVG}polyline")) == 1
    assert len(root.findall(f"{SVG}circle")) == 3


def test_position_chart_shows_the_structure_and_each_group():
    root = parse(chart_svg(POSITION))
    labels = texts(root)
    assert "Votre structure : 62" in labels
    assert "Ardèche" in labels and "s" in labels
    boxes = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == BAR_COLOUR]
    assert len(boxes) == 3


def test_position_chart_without_any_figure_still_renders():
    chart = PositionChart("t", "d", None, [GroupPosition("France", None)])
    assert parse(chart_svg(chart)).get("role") == "img"


def test_unknown_chart_is_refused():
    with pytest.raises(TypeError):
        chart_svg(object())
    with pytest.raises(TypeError):
        data_table(object())


def test_data_table_of_bars_explains_the_secret():
    table = data_table(FUNDING)
    assert table.caption == FUNDING.title
    assert table.columns == ["Financeur", "Part du total"]
    assert table.rows[0] == ["CAF", f"24{NBSP}%"]
    assert table.rows[2] == ["Région", "s"]
    assert table.notes == [SECRET_NOTE]


def test_data_table_of_an_evolution_gives_yearly_change():
    table = data_table(EVOLUTION)
    assert table.columns == ["Année", "Valeur", "Évolution sur un an"]
    assert table.rows[1] == ["2021", f"420{NBSP}000{NBSP}€", f"+5{NBSP}%"]
    assert table.rows[2][1] == "s" and table.rows[3][2] == "—"  # no change across a secret year
    assert table.notes


def test_data_table_of_a_position_chart():
    table = data_table(POSITION)
    assert table.rows[0] == ["Votre structure", "", "", "62", ""]
    assert table.rows[2] == ["Auvergne-Rhône-Alpes", "310", "25", "46", "80"]
    assert table.rows[3] == ["Centres sociaux ruraux", "s", "s", "s", "s"]
    assert table.notes == [SECRET_NOTE]
    assert not data_table(BarChart("t", "d", [("a", 1)])).notes


def test_csv_is_french_spreadsheet_friendly():
    text = table_csv(data_table(EVOLUTION))
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Année;Valeur;Évolution sur un an"
    assert lines[1] == "2020;400000€;—"
    assert lines[2] == "2021;420000€;+5%"
    assert lines[-2].startswith("s : secret statistique")


def test_csv_quotes_separators_in_labels():
    text = table_csv(data_table(BarChart("t", "d", [("Région; autres", 1)])))
    assert '"Région; autres";1' in text


def test_csv_labels_that_look_like_formulas_are_plain_text_and_numbers_stay_numbers():
    text = table_csv(
        DataTable("t", ["=Titre", "Valeur"], [['=HYPERLINK("x")', "-5,2"], ["@A1", "+5\u00a0%"]], ["-note"])
    )
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[:4] == ["'=Titre;Valeur", '"\'=HYPERLINK(""x"")";-5,2', "'@A1;+5%", "'-note"]


def test_a_long_group_name_is_written_on_two_lines_not_cut():
    """« Se situer » names its groups « Espaces de vie sociale — Provence-Alpes-Côte d'Azur »: both parts are read."""
    groups = [GroupPosition("Espaces de vie sociale — Provence-Alpes-Côte d'Azur", (1, 2, 3), 6),
              GroupPosition("Espaces de vie sociale urbains — France", (1, 2, 3), 6)]  # fmt: skip
    root = parse(chart_svg(PositionChart("t", "d", 2, groups)))
    lines = [span.text for span in root.iter(f"{SVG}tspan")]
    assert lines == ["Espaces de vie sociale", "Provence-Alpes-Côte d'Azur", "Espaces de vie sociale urbains", "France"]


def test_evolution_axis_labels_fit_in_the_chart():
    """Budgets of a department (« 990 700 € ») were cut at the left edge: the axis leaves room for its labels."""
    chart = EvolutionChart("Budget", "d", [(2024, Decimal(4_467_100)), (2025, Decimal(9_007_000))], unit="euro")
    root = parse(chart_svg(chart))
    for text in root.iter(f"{SVG}text"):
        if text.get("text-anchor") == "end":  # the axis' tick labels
            spaces = text.text.count(NBSP) + text.text.count(" ")
            width = 13 * (0.64 * (len(text.text) - spaces) + 0.32 * spaces)  # DejaVu Sans at 13 px
            assert float(text.get("x")) - width >= 0, text.text


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([Decimal(0), Decimal("163.5")], [0, 50, 100, 150, 200]),
        ([Decimal("0.6"), Decimal("0.05")], [0, "0.2", "0.4", "0.6"]),
        ([Decimal(4_467_100), Decimal(9_007_000)], [0, 2_000_000, 4_000_000, 6_000_000, 8_000_000, 10_000_000]),
        ([Decimal(-30), Decimal(70)], [-40, -20, 0, 20, 40, 60, 80]),
        ([], [0, "0.2", "0.4", "0.6", "0.8", 1]),
    ],
)
def test_axis_ticks_are_round_numbers(values, expected):
    """Steps of 1, 2 or 5 × 10ⁿ from 0 (or below the smallest value) to at or above the largest."""
    assert nice_ticks(values) == [Decimal(str(tick)) for tick in expected]


def test_tick_labels_carry_only_the_decimals_the_step_needs():
    assert tick_decimals(nice_ticks([Decimal("2.5")])) == 1  # 0 ; 0,5 ; 1 …
    assert tick_decimals(nice_ticks([Decimal(163)])) == 0
    assert tick_decimals(nice_ticks([Decimal("0.6")]), "percent") == 0  # 0 %, 20 %, 40 %, 60 %


def test_the_evolution_axis_shows_round_ticks():
    chart = EvolutionChart("Bénévoles", "d", [(2023, Decimal("120.4")), (2024, Decimal("163.5"))], decimals=1)
    root = parse(chart_svg(chart))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0", "50", "100", "150", "200"]
    euros = [t.text for t in parse(chart_svg(EVOLUTION)).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert euros == [format_euros(value) for value in (0, 100_000, 200_000, 300_000, 400_000, 500_000)]


@pytest.mark.parametrize("chart", [FUNDING, EVOLUTION, POSITION], ids=["barres", "evolution", "situer"])
def test_the_narrow_drawing_keeps_its_text_inside_a_phone_column(chart):
    """Drawn 340 px wide, shown at about that width on a 375 px phone: each text starts and ends inside it."""
    root = parse(chart_svg(chart, "x", NARROW_WIDTH))
    assert root.get("viewBox").startswith(f"0 0 {NARROW_WIDTH} ") and "chart-narrow" in root.get("class")
    assert root.find(f"{SVG}title").get("id") == "chart-x-etroit-title"  # not the wide drawing's id
    for text in root.iter(f"{SVG}text"):
        content = "".join(text.itertext())
        size = float(text.get("font-size", 13))
        width = size * 0.6 * len(content)
        x = float(text.get("x") or text.find(f"{SVG}tspan").get("x"))
        start = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor")]
        assert start >= 0 and start + width <= NARROW_WIDTH + 1, content


def test_the_web_page_gets_both_drawings_and_the_pdf_one():
    both = responsive_chart_svg(FUNDING, "financeurs")
    assert both.count("<svg ") == 2 and "chart-wide" in both and "chart-narrow" in both
    assert chart_svg(FUNDING).count("<svg ") == 1
