"""Hostile XLSX workbooks, built small in memory: zip bombs, sheets that declare or hold far too many cells.

Each starts from a real workbook saved by openpyxl and replaces (or adds) parts of its zip, so that everything
but the hostile part is what a spreadsheet writes.
"""

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
CHUNK = 1024 * 1024


def _frame() -> dict[str, bytes]:
    workbook = Workbook()
    workbook.active.append(["name", "postcode"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(parts: dict[str, bytes], *, sheet_chunks=None, extra_parts: int = 0) -> bytes:
    """The workbook's parts, its sheet streamed from `sheet_chunks` when given (to inflate to many megabytes
    without holding them), and `extra_parts` tiny parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name == SHEET and sheet_chunks is not None:
                with archive.open(name, "w", force_zip64=True) as stream:
                    for chunk in sheet_chunks:
                        stream.write(chunk)
            else:
                archive.writestr(name, data)
        for number in range(extra_parts):
            archive.writestr(f"xl/media/image{number}.png", b"")
    return buffer.getvalue()


def _cells(count: int) -> bytes:
    return b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * count + b"</row>"


def inflating(megabytes: int) -> bytes:
    """A workbook whose sheet is `megabytes` MB of XML (rows of identical cells) zipped into a few hundred KB."""
    row = _cells(1000)
    per_chunk = CHUNK // len(row)
    chunks = [SHEET_HEAD + b"<sheetData>"]
    chunks += [row * per_chunk for _ in range(megabytes)]
    chunks.append(b"</sheetData></worksheet>")
    return _zip(_frame(), sheet_chunks=chunks)


def many_parts(count: int) -> bytes:
    return _zip(_frame(), extra_parts=count)


def sheet(xml_body: bytes, dimension: str | None = None) -> bytes:
    """A workbook whose first sheet holds `xml_body` (the rows of `<sheetData>`), with a declared dimension."""
    declared = b"" if dimension is None else f'<dimension ref="{dimension}"/>'.encode()
    parts = _frame()
    parts[SHEET] = SHEET_HEAD + declared + b"<sheetData>" + xml_body + b"</sheetData></worksheet>"
    return _zip(parts)


def text_cell(reference: str, text: str) -> bytes:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row() -> bytes:
    return b'<row r="1">' + text_cell("A1", "name") + text_cell("B1", "postcode") + b"</row>"


def declaring_a_million_rows() -> bytes:
    """Three cells, the last in the grid's last row, and the whole grid declared: openpyxl would give every row in
    between, each padded to 16,384 columns (17 billion cells from a file of 2 KB)."""
    last = b'<row r="1048576">' + text_cell("A1048576", "fin") + b"</row>"
    return sheet(header_row() + last, dimension="A1:XFD1048576")


def skipping_to_the_last_row() -> bytes:
    """The same without a declared dimension: the rows in between come empty, and are counted."""
    return sheet(header_row() + b'<row r="1048576">' + text_cell("A1048576", "fin") + b"</row>")


def holding_rows(count: int, dimension: str | None = "A1:B2") -> bytes:
    """`count` rows under the header, with a dimension that says there are only two."""
    rows = b"".join(
        f'<row r="{line}">'.encode() + text_cell(f"A{line}", f"Centre {line}") + b"</row>"
        for line in range(2, count + 2)
    )
    return sheet(header_row() + rows, dimension=dimension)


def with_a_far_cell() -> bytes:
    """A second row whose one cell is in the last column (XFD): 16,384 cells once padded."""
    return sheet(header_row() + b'<row r="2">' + text_cell("XFD2", "loin") + b"</row>")
