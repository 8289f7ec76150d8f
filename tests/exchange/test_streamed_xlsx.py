"""Workbooks streamed while they are written (`exchange.streamed_xlsx`)."""

import io
import secrets
import zipfile

from openpyxl import Workbook, load_workbook

from maillage.exchange.streamed_xlsx import (
    CONTENT_TYPES,
    header_cell,
    row_xml,
    stream_workbook,
    text_cell,
    workbook_frame,
)

# What the compressor may give out at once, on top of a chunk (a deflate block: about 25 KiB here).
COMPRESSOR_BURST = 64 * 1024


def frame(title="Feuille", header=("Nom", "Nombre")):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([header_cell(sheet, label) for label in header])
    return workbook_frame(workbook, sheet)


def read(chunks):
    return load_workbook(io.BytesIO(b"".join(chunks)))


def test_a_two_row_workbook_reads_back_with_its_bold_header():
    rows = [
        row_xml(2, [text_cell("A2", "Centre social <Nord> & Co "), '<c r="B2" t="n"><v>12</v></c>']),
        row_xml(3, [text_cell("A3", "=SOMME(A1)")]),
    ]
    sheet = read(stream_workbook(frame(), rows))["Feuille"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Nom", "Nombre"],
        ["Centre social <Nord> & Co ", 12],
        ["'=SOMME(A1)", None],  # a formula is made plain text
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold


def test_other_sheets_and_parts_are_kept_content_types_first():
    workbook = Workbook(write_only=True)
    streamed = workbook.create_sheet("Réponses")
    streamed.append([header_cell(streamed, "Code")])
    workbook.create_sheet("Questions").append(["Q1"])
    book_frame = workbook_frame(workbook, streamed)
    chunks = list(stream_workbook(book_frame, [row_xml(2, [text_cell("A2", "R1")])]))
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).namelist()[0] == CONTENT_TYPES
    book = read(chunks)
    assert [book["Réponses"]["A2"].value, book["Questions"]["A1"].value] == ["R1", "Q1"]


def test_the_first_chunk_goes_out_before_any_row_is_read():
    read_rows = []

    def rows():
        for number in range(2, 5):
            read_rows.append(number)
            yield row_xml(number, [text_cell(f"A{number}", "texte")])

    chunks = stream_workbook(frame(), rows(), chunk_bytes=1)
    first = next(chunks)
    assert first and read_rows == []
    rest = list(chunks)
    assert read_rows == [2, 3, 4]
    assert [row[0].value for row in read([first, *rest]).active.iter_rows(min_row=2)] == ["texte"] * 3


def test_chunks_are_bounded():
    chunk_bytes = 4096
    # Text that does not compress much, so that the zip gives out bytes as the rows come.
    rows = (row_xml(n, [text_cell(f"A{n}", secrets.token_hex(100))]) for n in range(2, 2002))
    chunks = list(stream_workbook(frame(), rows, chunk_bytes=chunk_bytes))
    middle = [len(chunk) for chunk in chunks[1:-1]]
    assert len(middle) >= 5
    assert all(chunk_bytes <= size <= chunk_bytes + COMPRESSOR_BURST for size in middle)
    assert read(chunks).active.max_row == 2001


def test_a_header_that_looks_like_a_formula_is_plain_text():
    sheet = read(stream_workbook(frame(header=("=SOMME(A1)", "@A1")), []))["Feuille"]
    assert [(cell.value, cell.data_type) for cell in sheet[1]] == [("'=SOMME(A1)", "s"), ("'@A1", "s")]
