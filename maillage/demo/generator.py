"""Deterministic demo data: invented structures and action sheets, as open-data records.

Nothing here touches the database (see `maillage.demo.services` for loading). The same seed gives the
same records, byte for byte: each part draws from its own `random.Random` seeded with a string, never
from the global generator or the clock. Structures do not depend on the number of sheets asked for.
"""

from collections.abc import Iterator

from .dice import Dice
from .sheets import SheetGenerator
from .structures import DemoStructure, StructureGenerator

# The last campaign of the demo: a constant rather than today's year, so that a seed always gives the same data.
DEFAULT_LAST_YEAR = 2026
CAMPAIGNS = 6
# Share of the sheets entered in each campaign, oldest first: the bank grows a little every year.
CAMPAIGN_WEIGHTS = (13, 15, 16, 17, 19, 20)


class DemoGenerator:
    def __init__(self, seed: int, *, last_year: int = DEFAULT_LAST_YEAR):
        self.seed = seed
        self.last_year = last_year

    @property
    def years(self) -> list[int]:
        return list(range(self.last_year - CAMPAIGNS + 1, self.last_year + 1))

    def structures(self, count: int) -> list[DemoStructure]:
        generator = StructureGenerator(Dice(f"{self.seed}/structures"), self.last_year)
        return [generator.structure(index) for index in range(count)]

    def sheets(self, count: int, structures: list[DemoStructure]) -> Iterator[tuple[int, dict]]:
        """`(campaign year, record)` pairs, oldest campaign first."""
        generator = SheetGenerator(Dice(f"{self.seed}/sheets"), structures, self.last_year)
        index = 0
        for year, year_count in self.year_counts(count):
            for _ in range(year_count):
                yield year, generator.record(index, year)
                index += 1

    def year_counts(self, count: int) -> list[tuple[int, int]]:
        """Sheets per campaign, summing to `count` (largest remainders get the leftovers, newest first)."""
        total = sum(CAMPAIGN_WEIGHTS)
        counts = [count * weight // total for weight in CAMPAIGN_WEIGHTS]
        remainders = sorted(range(CAMPAIGNS), key=lambda i: (count * CAMPAIGN_WEIGHTS[i] % total, i), reverse=True)
        for i in remainders[: count - sum(counts)]:
            counts[i] += 1
        return list(zip(self.years, counts, strict=True))
