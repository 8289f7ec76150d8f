"""Files to fill in for the table imports, CSV or XLSX: a header row of column names, then example rows, and for
the workbook a second sheet that explains each column. The structure import (`structure_template`) and the
observatory's past answers write theirs with it, so that both read back as the imports read them."""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .streams import csv_rows, neutralise_formula


@dataclass(frozen=True)
class TableTemplate:
    sheet: str  # the name of the sheet to fill in (XLSX)
    header: Sequence[str]
    rows: Sequence[Sequence[str]] = ()  # examples, under the header
    notes_sheet: str = ""  # a second sheet explaining the columns (XLSX only: the CSV holds one table)
    notes_header: Sequence[str] = ()
    notes: Sequence[Sequence[str]] = field(default_factory=tuple)
    notes_widths: Sequence[int] = ()


def template_csv(template: TableTemplate) -> bytes:
    """The table for a French spreadsheet (UTF-8 with BOM, `;`), as `structure_table` and the past answers read."""
    return "".join(csv_rows(list(template.header), [list(row) for row in template.rows])).encode()


def template_xlsx(template: TableTemplate) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = template.sheet
    sheet.append(list(template.header))
    for row in template.rows:
        sheet.append([neutralise_formula(value) if value else None for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for cells in sheet.iter_rows(min_row=2, max_row=len(template.rows) + 1) if template.rows else ():
        for cell in cells:
            cell.number_format = "@"  # text: a spreadsheet keeps the zeros of postcodes, phones and SIRET
    if template.notes_sheet:
        notes = workbook.create_sheet(template.notes_sheet)
        notes.append(list(template.notes_header))
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for row in template.notes:
            notes.append([neutralise_formula(value) if value else None for value in row])
        notes.freeze_panes = "A2"
        for index, width in enumerate(template.notes_widths):
            notes.column_dimensions[get_column_letter(index + 1)].width = width
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# Format in the URL → writer and content type.
FORMATS = {
    "csv": (template_csv, "text/csv; charset=utf-8"),
    "xlsx": (template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
