"""French display of numbers: figures of the reports and charts (rounded, with no-break spaces, "s" for a secret
figure). Answers shown back to the person who typed them (exact) are `definitions.values.format_exact`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from maillage.observatory.figures.secrecy import SECRET_MARK, is_secret
from maillage.observatory.figures.statistics import round_decimal

NBSP = "\u00a0"  # thousands separator and before % and €, as Django's French locale does


def format_number(value: Any, decimals: int = 0) -> str:
    """1234 → "1 234", 12.5 (1 decimal) → "12,5"; None → "—"; secret → "s"."""
    if is_secret(value):
        return SECRET_MARK
    if value is None:
        return "—"
    rounded = round_decimal(value, decimals)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = NBSP.join([whole, *groups])
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def format_percent(ratio: Any, decimals: int = 0, signed: bool = False) -> str:
    """A ratio as a French percentage: 0.24 → "24 %"."""
    if is_secret(ratio) or ratio is None:
        return format_number(ratio)
    text = format_number(Decimal(str(ratio)) * 100, decimals)
    if signed and not text.startswith("-") and text.strip("0,") != "":
        text = "+" + text
    return f"{text}{NBSP}%"


def format_euros(value: Any) -> str:
    if is_secret(value) or value is None:
        return format_number(value)
    return f"{format_number(value)}{NBSP}€"


def format_value(value: Any, unit: str = "number", decimals: int = 0) -> str:
    if unit == "percent":
        return format_percent(value, decimals)
    if unit == "euro":
        return format_euros(value)
    return format_number(value, decimals)
