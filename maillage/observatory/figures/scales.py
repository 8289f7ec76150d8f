"""Round axis ticks for the charts: steps of 1, 2 or 5 × 10ⁿ that cover the values ("nice numbers", as in Heckbert's
Graphics Gems algorithm and matplotlib's MaxNLocator), so that a reader sees 0, 50, 100, 150, 200 and not 0, 44,96,
89,93… No charting library in the dependencies does it for us; the function is a few lines of Decimal arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

# A raw step's leading figure below each bound rounds to the step's figure: 1.4 → 1, 2.9 → 2, 6.9 → 5, 7 → 10.
ROUNDING = ((Decimal("1.5"), Decimal(1)), (Decimal(3), Decimal(2)), (Decimal(7), Decimal(5)))


def nice_step(span: Decimal, intervals: int) -> Decimal:
    """The step of 1, 2 or 5 × 10ⁿ nearest to ``span / intervals`` (Heckbert's rounding)."""
    raw = span / intervals
    magnitude = Decimal(1).scaleb(raw.adjusted())  # 10ⁿ, the power of ten at or below raw
    figure = raw / magnitude
    return magnitude * next((step for bound, step in ROUNDING if figure < bound), Decimal(10))


def nice_ticks(values: Sequence[Decimal], intervals: int = 4) -> list[Decimal]:
    """Round ticks from at or below the smallest value (and 0) to at or above the largest, ``intervals`` or so apart.

    The axis always holds 0 so that bars start from it: values 0–163.5 give 0, 50, 100, 150, 200."""
    low, high = min([*values, Decimal(0)]), max([*values, Decimal(0)])
    if high == low:
        high = low + 1
    step = nice_step(high - low, intervals)
    first = (low / step).to_integral_value(ROUND_FLOOR)
    last = (high / step).to_integral_value(ROUND_CEILING)
    return [(first + index) * step for index in range(int(last - first) + 1)]


def tick_decimals(ticks: Sequence[Decimal], unit: str = "number") -> int:
    """How many decimals the tick labels need to tell the ticks apart (a percent's ratio is shown × 100)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else Decimal(1)
    if unit == "percent":
        step *= 100
    return max(0, -step.normalize().as_tuple().exponent)
