"""Reading uploaded tables (XLSX workbooks, CSV) without letting a small file cost minutes and gigabytes.

An XLSX file is a zip of XML parts: a few megabytes can declare gigabytes of XML (a "zip bomb"), a sheet can
declare a million rows, and openpyxl pads every row it gives to the sheet's declared width. So, before openpyxl
parses anything, the zip's directory is read (number of parts, declared uncompressed size of each and in all,
compression ratio) and the sheet's declared dimension is checked against the limits of a table; while the rows
are streamed, their number and width are checked again, since a sheet may declare no dimension or a false one.
The declared sizes do bound the work: Python's `zipfile` never inflates a part past its declared size (it fails
on the checksum instead).

Every refusal is an `ImportFileError` in French naming the file (and the line when there is one) and the limit.
"""

import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .reading import ImportFileError

XLSX_MAGIC = b"PK\x03\x04"
# Tables imported from the web are one row per structure (about 4,000 in France), the past answers one column
# per question or grid cell (about 260 for the 2025 questionnaires): five times that, and more, is refused.
MAX_ROWS = 20_000  # under the header row
MAX_COLUMNS = 1_000
# A workbook of 4,000 rows × 260 columns is about 42 MB of XML once inflated (4.4 MB zipped).
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 1_000
# Sheets compress about ten times; a part that inflates a hundred times more than it weighs is not a table.
MAX_RATIO = 100
_RATIO_FROM_BYTES = 1024 * 1024
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_OF_DIRECTORY_SIZE = 22
_MAX_COMMENT = 0xFFFF


def french_number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _megabytes(size: int) -> str:
    return french_number(-(-size // (1024 * 1024)))


def check_workbook(path: Path | str, name: str, *, not_a_workbook: str = "c'est une archive zip, pas un classeur XLSX"):
    """The file is a zip holding a workbook whose declared sizes stay within the limits; else `ImportFileError`
    (`not_a_workbook` when it is not a readable zip holding a workbook)."""
    infos = _workbook_parts(path, name)
    if infos is None:
        raise ImportFileError(name, None, not_a_workbook)
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            name,
            None,
            f"classeur refusé : une fois décompressé, il ferait {_megabytes(total)} Mo "
            f"(au plus {_megabytes(MAX_UNCOMPRESSED_BYTES)} Mo ; enregistrez plutôt le tableau en CSV)",
        )
    for info in infos:
        if info.file_size > _RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportFileError(
                name,
                None,
                f"classeur refusé : sa partie « {info.filename[:80]} » se décompresse plus de {MAX_RATIO} fois "
                "(fichier suspect ; enregistrez le tableau à nouveau depuis votre tableur)",
            )


def _workbook_parts(path: Path | str, name: str) -> list[zipfile.ZipInfo] | None:
    """The parts of the zip, None when it is not a readable zip holding a workbook."""
    count = _declared_part_count(path)
    if count is None:
        return None
    if count > MAX_PARTS:
        raise ImportFileError(
            name, None, f"classeur refusé : il contient {french_number(count)} parties (au plus {MAX_PARTS})"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return infos if any(info.filename == "xl/workbook.xml" for info in infos) else None


def _declared_part_count(path: Path | str) -> int | None:
    """The number of parts the zip's end record declares, read before `zipfile` makes one object per part."""
    with open(path, "rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(max(0, size - _END_OF_DIRECTORY_SIZE - _MAX_COMMENT))
        tail = stream.read()
    found = tail.rfind(_END_OF_DIRECTORY)
    if found < 0 or len(tail) - found < _END_OF_DIRECTORY_SIZE:
        return None
    # 0xFFFF: the real count is in a ZIP64 record; a workbook never needs that many parts.
    return struct.unpack("<H", tail[found + 10 : found + 12])[0]


def check_dimension(sheet, name: str) -> None:
    """The rows and columns a sheet declares (openpyxl would pad every row to them) are within the limits."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS + 1:
        raise ImportFileError(
            name,
            None,
            f"la feuille « {str(sheet.title)[:60]} » annonce {french_number(rows)} lignes : "
            f"un tableau en compte au plus {french_number(MAX_ROWS)} sous sa ligne des colonnes",
        )
    if columns > MAX_COLUMNS:
        raise ImportFileError(
            name,
            None,
            f"la feuille « {str(sheet.title)[:60]} » annonce {french_number(columns)} colonnes "
            f"(au plus {french_number(MAX_COLUMNS)})",
        )


def capped_rows(rows: Iterator[tuple[int, list]], name: str) -> Iterator[tuple[int, list]]:
    """The rows of a table (header first), refused past `MAX_ROWS` rows under the header or `MAX_COLUMNS` cells."""
    for count, (line, row) in enumerate(rows):
        if count > MAX_ROWS:
            raise ImportFileError(
                name,
                line,
                f"trop de lignes : un tableau en compte au plus {french_number(MAX_ROWS)} sous sa ligne des colonnes",
            )
        if len(row) > MAX_COLUMNS:
            raise ImportFileError(
                name, line, f"trop de colonnes : {french_number(len(row))} (au plus {french_number(MAX_COLUMNS)})"
            )
        yield line, row
