"""Tables are checked before openpyxl parses them (the zip's declared sizes and parts, the sheet's declared
dimension) and while their rows stream (count and width): a hostile workbook is refused at once, in French, naming
the file, the line when there is one, and the limit; nothing is written."""

import re
import time

import pytest

from maillage.exchange import workbooks
from maillage.exchange.reading import ImportFileError
from maillage.exchange.structure_table import import_structure_table, spreadsheet_rows
from maillage.structures.models import Structure

from . import workbook_bombs as bombs

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
HOSTILE = {
    # name: (workbook, line of the error, what the message says)
    "inflates_past_100_MB": (
        lambda: bombs.inflating(120),
        None,
        r"une fois décompressé, il ferait 1\d\d Mo \(au plus 100 Mo",
    ),
    "inflates_1000_times": (
        lambda: bombs.inflating(20),
        None,
        r"sa partie « xl/worksheets/sheet1\.xml » se décompresse plus de 100 fois",
    ),
    "too_many_parts": (lambda: bombs.many_parts(1000), None, r"il contient 1 0\d\d parties \(au plus 1000\)"),
    "declares_a_million_rows": (
        bombs.declaring_a_million_rows,
        None,
        r"annonce 1 048 576 lignes : un tableau en compte au plus 20 000",
    ),
    "skips_to_the_last_row": (
        bombs.skipping_to_the_last_row,
        20_002,
        r"trop de lignes : un tableau en compte au plus 20 000 sous sa ligne",
    ),
    # Its dimension says two rows: the rows are counted as they stream (20,000 at most: 500 here, to be quick).
    "holds_more_rows_than_declared": (
        lambda: bombs.holding_rows(501),
        502,
        r"trop de lignes : un tableau en compte au plus 500 sous sa ligne des",
    ),
    "a_cell_in_the_last_column": (bombs.with_a_far_cell, 2, r"trop de colonnes : 16 384 \(au plus 1 000\)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_workbook_is_refused_at_once_in_french(tmp_path, monkeypatch, case):
    build, line, message = HOSTILE[case]
    if case == "holds_more_rows_than_declared":
        monkeypatch.setattr(workbooks, "MAX_ROWS", 500)
    path = tmp_path / "structures.xlsx"
    path.write_bytes(build())
    assert path.stat().st_size < 1024 * 1024
    before = Structure.objects.count()
    started = time.monotonic()
    with pytest.raises(ImportFileError) as raised:
        import_structure_table(path)
    assert time.monotonic() - started < 3
    error = raised.value
    assert (error.filename, error.line) == ("structures.xlsx", line)
    assert re.search(message, error.message.replace(NBSP, " ")), error.message
    assert Structure.objects.count() == before


def test_a_csv_table_is_held_to_the_same_limits(tmp_path):
    path = tmp_path / "large.csv"
    path.write_text("name;" + ";".join(f"c{n}" for n in range(workbooks.MAX_COLUMNS)) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as raised:
        list(spreadsheet_rows(path, "large.csv"))
    assert raised.value.line == 1 and "trop de colonnes" in raised.value.message
    path.write_text("name\n" + "Centre\n" * (workbooks.MAX_ROWS + 1), encoding="utf-8")
    with pytest.raises(ImportFileError) as raised:
        list(spreadsheet_rows(path, "large.csv"))
    assert raised.value.line == workbooks.MAX_ROWS + 2 and "trop de lignes" in raised.value.message


def test_rows_are_read_whatever_the_sheet_declares(tmp_path):
    """A dimension that says less than the sheet holds hides no row (openpyxl would stop at the declared one)."""
    path = tmp_path / "t.xlsx"
    path.write_bytes(bombs.holding_rows(3, dimension="A1:B2"))
    assert [row[0] for _, row in spreadsheet_rows(path, "t.xlsx")] == ["name", "Centre 2", "Centre 3", "Centre 4"]
