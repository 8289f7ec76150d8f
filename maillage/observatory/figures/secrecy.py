"""Statistical secrecy: figures computed from fewer than 5 structures are not published.

The observatory's pages and exports do not protect tables here one at a time: `disclosure.py` decides a year's
secrets once for all of them, against an attacker who solves every sum exactly (there an empty cell is known, not
hidden). This module gives the marker (``SECRET``, « s »), the threshold, and the one- and two-way protections below
for a table standing alone.

Primary suppression: a cell whose figure rests on fewer than ``MIN_STRUCTURES`` structures is replaced by ``SECRET``
(a marker, never a number; a cell of 0 structures is secret too: it is an empty figure, and publishing it would
hand out one term of a sum).

Secondary suppression: a table whose cells add up (parts and their total: structures by kind CSX / EVS and all,
departments and their region, age bands and all ages) lets anyone recompute a hidden part by subtraction. So:

* One-way table (``protect_row``): in a relation "total = sum of parts" the number of secret cells must be 0 or at
  least 2. When exactly one cell is secret, the published part with the fewest structures is made secret too (ties:
  the first in the given order); when there is no other part, the total is made secret. A total that is itself secret
  (fewer than 5 structures) therefore always comes with at least one secret part, so the parts do not add up to it.
* Two-way table with margins (``protect_table``): rows × columns, a margin column (row totals), a margin row (column
  totals) and the grand total. See it as a bipartite graph: one node per row line and per column line (margins
  included), one edge per cell. A secret cell can be worked out from the published figures exactly when it is a
  *bridge* of the graph of secret cells (alone in a line, or the only link between two groups of secret cells). Each
  such cell, in row-major order, is put on a cycle of secret cells by suppressing the cheapest path from its row to
  its column (Dijkstra; a published cell costs its number of structures + 1, so small cells go first and the grand
  total last; ties broken by position). This repeats until no secret cell is a bridge.

These rules are about additive figures (counts, sums); a mean published with its number of structures is a sum in
disguise, so protect the table of sums/counts and hide the means of the same cells. Hierarchies (departments → region
→ nation) are protected level by level from the top: protect the regions row of the nation first, then each region's
departments row with the region's published or secret total (``protect_row`` accepts an already secret total).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_STRUCTURES = 5


class _Secret:
    """The marker of a figure under statistical secrecy (a singleton: compare with ``is``)."""

    _instance: _Secret | None = None

    def __new__(cls) -> _Secret:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SECRET"

    def __str__(self) -> str:
        return "secret statistique"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Secret, ())


SECRET = _Secret()
SECRET_LABEL = "secret statistique"
SECRET_MARK = "s"
SECRET_NOTE = (
    "s : secret statistique. Le chiffre repose sur moins de 5 structures, ou permettrait de retrouver un tel "
    "chiffre par différence avec un total publié."
)


def is_secret(value: Any) -> bool:
    return value is SECRET


def is_primary_secret(structures: int) -> bool:
    return structures < MIN_STRUCTURES


@dataclass(frozen=True)
class Cell:
    """A figure and the number of structures it is computed from."""

    value: Any
    structures: int


def publish(cell: Cell) -> Any:
    """The figure as it may be shown alone (primary rule only)."""
    return SECRET if is_primary_secret(cell.structures) else cell.value


# --- one-way tables ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedRow:
    parts: dict[Hashable, Any]  # key → value or SECRET, in the given order
    total: Any  # value or SECRET (None when no total was given)
    secondary: frozenset  # keys made secret by the secondary rule ("__total__" for the total)


TOTAL = "__total__"


def protect_row(
    parts: Mapping[Hashable, Cell], total: Cell | None = None, *, total_secret: bool = False
) -> ProtectedRow:
    """Apply primary and secondary suppression to parts that add up to ``total``.

    ``total_secret`` forces the total secret (it was suppressed at a higher level of a hierarchy). Without a total,
    only the primary rule applies (nothing to subtract from)."""
    secret = {key for key, cell in parts.items() if is_primary_secret(cell.structures)}
    secondary: set = set()
    if total is not None:
        total_is_secret = total_secret or is_primary_secret(total.structures)
        hidden = len(secret) + (1 if total_is_secret else 0)
        if hidden == 1:
            candidates = [(cell.structures, index, key) for index, (key, cell) in enumerate(parts.items())]
            candidates = [c for c in candidates if c[2] not in secret]
            if candidates:
                key = min(candidates)[2]
                secret.add(key)
                secondary.add(key)
            else:
                total_is_secret = True
                secondary.add(TOTAL)
        total_value = SECRET if total_is_secret else total.value
    else:
        total_value = None
    published = {key: SECRET if key in secret else cell.value for key, cell in parts.items()}
    return ProtectedRow(published, total_value, frozenset(secondary))


# --- two-way tables with margins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedTable:
    """``values[i][j]`` for i in rows + margin row, j in columns + margin column (the last row and column are the
    margins; ``values[-1][-1]`` is the grand total)."""

    values: list[list[Any]]
    secondary: frozenset  # (i, j) positions made secret by the secondary rule


def protect_table(cells: Sequence[Sequence[Cell]]) -> ProtectedTable:
    """Protect a full table given WITH its margins: ``cells`` has r + 1 rows of c + 1 cells, the last row holding the
    column totals and the last column the row totals (so ``cells[-1][-1]`` is the grand total)."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    if n_rows < 2 or n_cols < 2 or any(len(row) != n_cols for row in cells):
        raise ValueError("a table needs at least one row and one column plus their margins, all rows the same length")
    secret = {(i, j) for i in range(n_rows) for j in range(n_cols) if is_primary_secret(cells[i][j].structures)}
    primary = set(secret)
    while True:
        exposed = next((cell for cell in sorted(secret) if _is_bridge(cell, secret)), None)
        if exposed is None:
            break
        secret |= _cheapest_cycle(exposed, secret, cells)
    values = [[SECRET if (i, j) in secret else cells[i][j].value for j in range(n_cols)] for i in range(n_rows)]
    return ProtectedTable(values, frozenset(secret - primary))


def _is_bridge(cell: tuple[int, int], secret: set[tuple[int, int]]) -> bool:
    """Whether the secret cell is the only secret link between its row line and its column line."""
    start, goal = ("r", cell[0]), ("c", cell[1])
    adjacency: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for i, j in secret:
        if (i, j) != cell:
            adjacency.setdefault(("r", i), []).append(("c", j))
            adjacency.setdefault(("c", j), []).append(("r", i))
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return False
        for nxt in adjacency.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return True


def _cheapest_cycle(cell: tuple[int, int], secret: set, cells: Sequence[Sequence[Cell]]) -> set[tuple[int, int]]:
    """Published cells to suppress so that ``cell`` lies on a cycle of secret cells: the cheapest path from its row
    line to its column line not using the cell itself (secret cells are free)."""
    n_rows, n_cols = len(cells), len(cells[0])
    start, goal = ("r", cell[0]), ("c", cell[1])
    queue: list = [(0, (), start)]
    best: dict = {start: 0}
    while queue:
        cost, path, node = heapq.heappop(queue)
        if node == goal:
            return {step for step in path if step not in secret}
        if cost > best.get(node, cost):
            continue
        kind, index = node
        for other in range(n_cols if kind == "r" else n_rows):
            position = (index, other) if kind == "r" else (other, index)
            if position == cell:
                continue
            step_cost = 0 if position in secret else cells[position[0]][position[1]].structures + 1
            nxt = ("c", other) if kind == "r" else ("r", other)
            total = cost + step_cost
            if total < best.get(nxt, total + 1):
                best[nxt] = total
                heapq.heappush(queue, (total, (*path, position), nxt))
    raise AssertionError("a table with margins always has a cycle through every cell")  # pragma: no cover
