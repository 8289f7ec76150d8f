"""Seeded randomness and the bits of French grammar the demo texts need.

Only `random.Random.random()` is used: its sequence is fixed for a given seed across Python versions,
which `choice` or `sample` do not promise. Seeds are strings (`"1/structures"`), hashed with SHA-512 by
`random.Random`, so they do not depend on `PYTHONHASHSEED`.
"""

import random
from bisect import bisect
from collections.abc import Sequence
from functools import cache
from itertools import accumulate


class Dice:
    def __init__(self, seed: str):
        self.random = random.Random(seed).random

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """An integer from `low` to `high`, both included."""
        return low + int(self.random() * (high - low + 1))

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def pick(self, items: Sequence):
        return items[int(self.random() * len(items))]

    def distinct(self, items: Sequence, count: int) -> list:
        """`count` different items, in the order drawn."""
        size, draw = len(items), self.random
        count = min(count, size)
        chosen: list = []
        while len(chosen) < count:
            item = items[int(draw() * size)]
            if item not in chosen:
                chosen.append(item)
        return chosen


class Weighted:
    """Items drawn with fixed weights (bisection on the cumulated weights)."""

    def __init__(self, pairs: Sequence[tuple]):
        self.items = [item for item, _ in pairs]
        self.cumulated = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulated[-1]

    def draw(self, dice: Dice):
        return self.items[bisect(self.cumulated, dice.random() * self.total)]


def with_forced(chosen: list, forced, limit: int | None = None) -> list:
    """`chosen` with `forced` in it, so that the first generated objects use every value of a list."""
    if forced is None or forced in chosen:
        return chosen
    if limit is not None and len(chosen) >= limit:
        chosen = chosen[: limit - 1]
    return [*chosen, forced]


def forced_value(values: Sequence, index: int):
    """`values[index]` for the first objects (one per value), then None."""
    return values[index] if index < len(values) else None


_VOWELS = frozenset("aeiouyéèêâîôûAEIOUYÉÈÊÂÎÔÛ")
_ELIDED = (("les ", "des ", "aux "), ("le ", "du ", "au "), ("la ", "de la ", "à la "), ("l'", "de l'", "à l'"))


def _contract(phrase: str, column: int, bare: str) -> str:
    for article, *forms in _ELIDED:
        if phrase.startswith(article):
            return forms[column - 1] + phrase[len(article) :]
    if bare == "de" and phrase[:1] in _VOWELS:
        return "d'" + phrase
    return f"{bare} {phrase}"


@cache
def de(phrase: str) -> str:
    """`les Tilleuls` → `des Tilleuls`, `le Moulin` → `du Moulin`, `Angers` → `d'Angers`."""
    return _contract(phrase, 1, "de")


@cache
def au(phrase: str) -> str:
    """`les familles` → `aux familles`, `le quartier` → `au quartier`, `Lyon` → `à Lyon`."""
    return _contract(phrase, 2, "à")


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
