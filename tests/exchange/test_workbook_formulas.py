"""A workbook's formula cells are read with the value the spreadsheet computed and saved with them; a formula saved
without its value (a workbook written by a program and never opened in a spreadsheet) is an error naming the
cell, never an empty cell that would silently drop the answer and those that depend on it."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from maillage.exchange.reading import ImportFileError
from maillage.exchange.structure_table import import_structure_table, spreadsheet_rows
from maillage.structures.models import Structure

SHEET = "xl/worksheets/sheet1.xml"


def formula_workbook(rows: list[list], cached: dict[str, object] | None = None) -> bytes:
    """A workbook where the cells starting with "=" are formulas; `cached` gives, by coordinate, the value a
    spreadsheet computed and saved with some of them (openpyxl saves formulas without it: `<f>…</f><v />`)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET:
                text = data.decode()
                for coordinate, value in (cached or {}).items():
                    pattern = rf'(<c r="{coordinate}"[^>]*>)(<f>.*?</f>)<v\s*/>'
                    kind = ' t="str"' if isinstance(value, str) else ""
                    text, count = re.subn(pattern, lambda m, k=kind, v=value: f"{m[1][:-1]}{k}>{m[2]}<v>{v}</v>", text)
                    assert count == 1, coordinate
                data = text.encode()
            archive.writestr(info, data)
    return target.getvalue()


def test_formulas_give_their_computed_value(tmp_path):
    path = tmp_path / "tableau.xlsx"
    path.write_bytes(formula_workbook([["name", "population"], ["Centre social des Lilas", "=1200*10"]],
                                      {"B2": 12000}))  # fmt: skip
    assert list(spreadsheet_rows(path, "tableau.xlsx")) == [(1, ["name", "population"]),
                                                            (2, ["Centre social des Lilas", 12000])]  # fmt: skip


def test_a_formula_computing_an_empty_text_is_an_empty_cell(tmp_path):
    path = tmp_path / "tableau.xlsx"
    path.write_bytes(formula_workbook([["name", "commune"], ["Centre social des Lilas", '=SI(1>2;"Arles";"")']],
                                      {"B2": ""}))  # fmt: skip
    assert list(spreadsheet_rows(path, "tableau.xlsx"))[1] == (2, ["Centre social des Lilas", None])


@pytest.mark.django_db
def test_a_formula_without_its_value_is_an_error_naming_the_cell(tmp_path):
    rows = [["name", "postcode", "commune"], ["Centre social des Lilas", "13001", "Marseille"],
            ["Centre social des Roses", '=TEXTE(13002;"00000")', "Marseille"]]  # fmt: skip
    path = tmp_path / "tableau.xlsx"
    path.write_bytes(formula_workbook(rows))
    with pytest.raises(ImportFileError) as raised:
        import_structure_table(path, display_name="tableau.xlsx")
    error = raised.value
    assert (error.filename, error.line) == ("tableau.xlsx", 3)
    assert error.message.startswith(
        'la cellule B3 contient une formule (=TEXTE(13002;"00000")) enregistrée sans sa valeur'
    )
    assert "ouvrez le classeur dans un tableur et enregistrez-le" in error.message
    assert not Structure.objects.filter(name__startswith="Centre social des").exists()
