"""The map of France by department, drawn server-side from the vendored SVG (see its README).

Each department is filled by a colour step of a figure (published sheets) and links to its page; the
page shows the same figures in a table, which is the accessible alternative to the map.
"""

import functools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MAP_FILE = (
    Path(__file__).resolve().parent.parent / "static" / "vendor" / "france-departments" / "france.departments.svg"
)
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
STEPS = 4  # colour steps for non-zero figures; zero has its own


@dataclass(frozen=True)
class Shape:
    code: str
    path: str


@dataclass(frozen=True)
class Area:
    code: str
    path: str
    name: str
    url: str
    count: int
    step: int


@dataclass(frozen=True)
class LegendStep:
    step: int
    low: int
    high: int


@dataclass(frozen=True)
class FranceMap:
    view_box: str
    areas: list[Area]
    legend: list[LegendStep]


@functools.cache
def department_shapes() -> tuple[str, tuple[Shape, ...]]:
    """The view box of the map and one shape per metropolitan department (read once per process)."""
    root = ET.parse(MAP_FILE).getroot()
    shapes = tuple(
        Shape(code=element.get("id"), path=element.get("d")) for element in root.iter(f"{SVG_NAMESPACE}path")
    )
    return root.get("viewBox"), shapes


def colour_steps(counts: list[int], steps: int = STEPS) -> list[LegendStep]:
    """Ranges of non-zero figures holding about as many departments each (quantiles), smallest first."""
    positive = sorted(count for count in counts if count > 0)
    legend, low = [], 1
    for index in range(1, steps + 1):
        high = positive[math.ceil(index * len(positive) / steps) - 1] if positive else 0
        if high >= low:
            legend.append(LegendStep(step=len(legend) + 1, low=low, high=high))
            low = high + 1
    return legend


def step_of(count: int, legend: list[LegendStep]) -> int:
    if count <= 0:
        return 0
    return next((item.step for item in legend if count <= item.high), legend[-1].step if legend else 0)


def france_map(departments: list[tuple[str, str, str, int]]) -> FranceMap:
    """The map for (code, name, url, count) of each department; departments off the map are left out."""
    view_box, shapes = department_shapes()
    legend = colour_steps([count for _, _, _, count in departments])
    by_code = {code: (name, url, count) for code, name, url, count in departments}
    areas = []
    for shape in shapes:
        if shape.code in by_code:
            name, url, count = by_code[shape.code]
            areas.append(Area(shape.code, shape.path, name, url, count, step_of(count, legend)))
    return FranceMap(view_box=view_box, areas=areas, legend=legend)


def on_map_codes() -> set[str]:
    return {shape.code for shape in department_shapes()[1]}
