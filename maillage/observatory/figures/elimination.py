"""Exact linear elimination over the rationals, on sparse rows: which unknowns a set of linear equations pins down.

`disclosure.py` asks it the attacker's question: given every published figure and every relation "total = sum of
parts", which hidden figures (the unknowns) can be worked out? An unknown is determined exactly when its unit
vector lies in the span of the equations' rows restricted to the unknowns (the published figures only move the
right-hand side, which does not matter for *whether* a figure can be found). Rows are kept in reduced row echelon
form (Gauss–Jordan), so an unknown is determined when its pivot row holds nothing else.

Coefficients are Python integers while pivots are ±1 (the usual case for sums) and `fractions.Fraction` otherwise:
exact, never floating point (a rounding error would hide a determined figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction

Row = dict[Hashable, int | Fraction]


class Span:
    """The span of rows added so far, in reduced row echelon form (one row per pivot unknown)."""

    def __init__(self, rows: Iterable[Mapping[Hashable, int | Fraction]] = ()) -> None:
        self.pivots: dict[Hashable, Row] = {}
        self._holders: dict[Hashable, set[Hashable]] = defaultdict(set)  # unknown → pivots whose row holds it
        for row in rows:
            self.add(row)

    def reduce(self, row: Mapping[Hashable, int | Fraction]) -> Row:
        """The row minus its part in the span (empty when the row lies in the span)."""
        result: Row = {key: value for key, value in row.items() if value}
        for key in [k for k in result if k in self.pivots]:
            factor = result.get(key)
            if factor:
                _subtract(result, self.pivots[key], factor)
        return result

    def add(self, row: Mapping[Hashable, int | Fraction]) -> bool:
        """Add a row; False when it was in the span already."""
        rest = self.reduce(row)
        if not rest:
            return False
        pivot = min(rest, key=lambda key: (abs(rest[key]) != 1, len(self._holders.get(key, ())), repr(key)))
        factor = rest[pivot]
        if factor != 1:
            rest = {key: _divide(value, factor) for key, value in rest.items()}
        for other in list(self._holders.get(pivot, ())):
            target = self.pivots[other]
            before = set(target)
            _subtract(target, rest, target[pivot])
            for key in before - set(target):
                self._holders[key].discard(other)
            for key in set(target) - before:
                self._holders[key].add(other)
        self.pivots[pivot] = rest
        for key in rest:
            self._holders[key].add(pivot)
        return True

    def contains(self, row: Mapping[Hashable, int | Fraction]) -> bool:
        return not self.reduce(row)

    def determined(self) -> set[Hashable]:
        """The unknowns whose value the rows pin down."""
        return {pivot for pivot, row in self.pivots.items() if len(row) == 1}


def _subtract(target: Row, row: Row, factor: int | Fraction) -> None:
    """target -= factor × row, in place, dropping zeros."""
    for key, value in row.items():
        result = target.get(key, 0) - factor * value
        if result:
            target[key] = result
        else:
            target.pop(key, None)


def _divide(value: int | Fraction, by: int | Fraction) -> int | Fraction:
    if by == -1:
        return -value
    quotient = Fraction(value) / by
    return quotient.numerator if quotient.denominator == 1 else quotient
