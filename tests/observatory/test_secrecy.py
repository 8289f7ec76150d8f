import pickle
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.observatory.figures.secrecy import SECRET, TOTAL, Cell, is_secret, protect_row, protect_table, publish


def test_secret_is_a_marker_not_a_number():
    assert str(SECRET) == "secret statistique"
    assert not SECRET and is_secret(SECRET) and not is_secret(0)
    assert pickle.loads(pickle.dumps(SECRET)) is SECRET
    with pytest.raises(TypeError):
        SECRET + 1  # noqa: B018


def test_primary_rule_below_five_structures():
    assert publish(Cell(12.5, 4)) is SECRET
    assert publish(Cell(12.5, 5)) == 12.5
    assert publish(Cell(0, 0)) is SECRET


def test_row_without_secret_is_published_as_is():
    row = protect_row({"csx": Cell(30, 30), "evs": Cell(12, 12)}, Cell(42, 42))
    assert row.parts == {"csx": 30, "evs": 12} and row.total == 42 and not row.secondary


def test_one_secret_part_with_a_published_total_hides_the_next_smallest_part():
    parts = {"d01": Cell(100, 40), "d07": Cell(9, 3), "d26": Cell(25, 11), "d38": Cell(50, 20)}
    row = protect_row(parts, Cell(184, 74))
    assert row.parts == {"d01": 100, "d07": SECRET, "d26": SECRET, "d38": 50}
    assert row.total == 184
    assert row.secondary == {"d26"}


def test_ties_are_broken_by_order():
    row = protect_row({"a": Cell(1, 2), "b": Cell(7, 7), "c": Cell(7, 7)}, Cell(15, 16))
    assert row.parts == {"a": SECRET, "b": SECRET, "c": 7}


def test_two_secret_parts_need_nothing_more():
    row = protect_row({"csx": Cell(3, 3), "evs": Cell(2, 2), "other": Cell(10, 10)}, Cell(15, 15))
    assert row.parts == {"csx": SECRET, "evs": SECRET, "other": 10}
    assert row.total == 15 and not row.secondary


def test_single_part_row_hides_the_total():
    row = protect_row({"csx": Cell(3, 3)}, Cell(3, 3))
    assert row.parts == {"csx": SECRET} and row.total is SECRET


def test_total_below_five_hides_everything_that_would_reveal_it():
    row = protect_row({"csx": Cell(2, 2), "evs": Cell(1, 1)}, Cell(3, 3))
    assert row.total is SECRET and set(row.parts.values()) == {SECRET}


def test_a_total_made_secret_higher_up_is_not_rebuilt_from_its_parts():
    # The region's total was hidden when the nation's row of regions was protected.
    row = protect_row({"d01": Cell(40, 40), "d07": Cell(30, 30)}, Cell(70, 70), total_secret=True)
    assert row.total is SECRET
    assert row.parts == {"d01": 40, "d07": SECRET} and row.secondary == {"d07"}


def test_without_total_only_the_primary_rule_applies():
    row = protect_row({"a": Cell(1, 1), "b": Cell(9, 9)})
    assert row.parts == {"a": SECRET, "b": 9} and row.total is None


@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.booleans())
def test_a_row_never_has_exactly_one_secret_cell(counts, forced):
    parts = {f"p{i}": Cell(n, n) for i, n in enumerate(counts)}
    row = protect_row(parts, Cell(sum(counts), sum(counts)), total_secret=forced)
    hidden = [v for v in [*row.parts.values(), row.total] if v is SECRET]
    assert len(hidden) != 1
    for key, value in row.parts.items():
        assert (value is SECRET) or parts[key].structures >= 5
    assert TOTAL not in row.secondary or len(counts) == 1


# --- two-way tables --------------------------------------------------------------------------------------------------


def full_table(counts):
    """Cells for interior structure counts, with margins (values = counts, so the table really adds up)."""
    rows = [[*row, sum(row)] for row in counts]
    rows.append([sum(column) for column in zip(*rows, strict=True)])
    return [[Cell(n, n) for n in row] for row in rows]


def deducible_cells(table, values):
    """Secret cells an attacker can compute exactly from the published cells and the margin equations (Gaussian
    elimination over the rationals: a cell is deducible when its unit vector is in the row space of the equations
    restricted to the secret cells)."""
    n_rows, n_cols = len(table), len(table[0])
    secret = [(i, j) for i in range(n_rows) for j in range(n_cols) if values[i][j] is SECRET]
    index = {cell: k for k, cell in enumerate(secret)}
    equations = []
    for i in range(n_rows):
        equations.append({(i, j): Fraction(-1 if j == n_cols - 1 else 1) for j in range(n_cols)})
    for j in range(n_cols):
        equations.append({(i, j): Fraction(-1 if i == n_rows - 1 else 1) for i in range(n_rows)})
    matrix = [[eq.get(cell, Fraction(0)) for cell in secret] for eq in equations]
    # Reduced row echelon form.
    pivots, r = [], 0
    for c in range(len(secret)):
        pivot = next((k for k in range(r, len(matrix)) if matrix[k][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        matrix[r] = [x / matrix[r][c] for x in matrix[r]]
        for k in range(len(matrix)):
            if k != r and matrix[k][c] != 0:
                factor = matrix[k][c]
                matrix[k] = [a - factor * b for a, b in zip(matrix[k], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
    found = set()
    for row in matrix[:r]:
        nonzero = [c for c, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            found.add(secret[nonzero[0]])
    assert all(cell in index for cell in found)
    return found


def test_one_secret_cell_in_a_two_way_table_hides_a_rectangle():
    # Structures by kind (CSX, EVS) for three departments, with margins.
    table = full_table([[20, 3], [15, 9], [30, 12]])
    protected = protect_table(table)
    assert protected.values[0][1] is SECRET
    # The cheapest cycle: the smallest cells completing a rectangle with (0, 1).
    assert protected.secondary == {(0, 0), (1, 0), (1, 1)}
    assert protected.values[3][2] == 89
    assert not deducible_cells(table, protected.values)


def test_two_way_table_already_safe_is_left_alone():
    table = full_table([[2, 3], [4, 1], [30, 12]])
    protected = protect_table(table)
    assert protected.secondary == frozenset()
    assert not deducible_cells(table, protected.values)


def test_grand_total_below_five_hides_enough_to_protect_it():
    table = full_table([[1, 1], [1, 0]])
    protected = protect_table(table)
    assert protected.values[2][2] is SECRET
    assert not deducible_cells(table, protected.values)


def test_table_shape_is_checked():
    with pytest.raises(ValueError):
        protect_table([[Cell(1, 1)]])
    with pytest.raises(ValueError):
        protect_table([[Cell(1, 1), Cell(1, 1)], [Cell(1, 1)]])


def test_the_audit_finds_a_lone_secret_cell():
    table = full_table([[20, 3], [15, 9]])
    naive = [[SECRET if c.structures < 5 else c.value for c in row] for row in table]
    assert deducible_cells(table, naive) == {(0, 1)}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, 25), min_size=c, max_size=c), min_size=1, max_size=5)
    )
)
def test_no_secret_cell_of_a_protected_table_can_be_deduced(counts):
    table = full_table(counts)
    protected = protect_table(table)
    assert not deducible_cells(table, protected.values)
    for i, row in enumerate(table):
        for j, cell in enumerate(row):
            if cell.structures < 5:
                assert protected.values[i][j] is SECRET
            elif (i, j) not in protected.secondary:
                assert protected.values[i][j] == cell.value
