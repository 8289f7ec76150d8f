"""Streaming writers shared by the exports: JSON arrays and Excel-friendly CSV, one item at a time.

Excel workbooks are streamed by `streamed_xlsx`. Every CSV and XLSX writer, web or command line, makes text
cells that start like a formula plain text with `neutralise_formula`.
"""

import csv
import json
import re
from collections.abc import Iterable, Iterator

CSV_BOM = "\ufeff"
LIST_SEPARATOR = " | "
CHUNK_BYTES = 64 * 1024
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number, as French exports write amounts (`-1500,50`): a spreadsheet reads it as a number, not a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def json_array_chunks(items: Iterable[dict]) -> Iterator[str]:
    """A JSON array written item by item, so that memory does not grow with the number of items."""
    yield "["
    first = True
    for item in items:
        yield ("\n " if first else ",\n ") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n" if not first else "]\n"


class _Line:
    def __init__(self):
        self.value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_rows(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV for French Excel: UTF-8 with BOM, `;` separator, lists joined with ` | `, no formula."""
    line = _Line()
    writer = csv.writer(line, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    yield CSV_BOM + line.value
    for row in rows:
        writer.writerow([_cell(value) for value in row])
        yield line.value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return neutralise_formula(LIST_SEPARATOR.join(str(item) for item in value))
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)


def neutralise_formula(value):
    """A text a spreadsheet would run as a formula, made plain text by a leading apostrophe (CSV injection);
    other values, and texts that are a signed number, as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore_formula(text: str) -> str:
    """What a neutralised cell held (`'=A1` gives `=A1`): an exported table imported back gives the same values."""
    if text.startswith("'") and neutralise_formula(text[1:]) != text[1:]:
        return text[1:]
    return text


def encoded(texts: Iterable[str], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """UTF-8 chunks of about `chunk_bytes`: few large writes rather than one per line."""
    buffer: list[str] = []
    size = 0
    for text in texts:
        buffer.append(text)
        size += len(text)
        if size >= chunk_bytes:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()
