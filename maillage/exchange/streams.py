"""Streaming writers shared by the exports: JSON arrays and Excel-friendly CSV, one item at a time."""

import csv
import json
from collections.abc import Iterable, Iterator

CSV_BOM = "\ufeff"
LIST_SEPARATOR = " | "


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
    """CSV for French Excel: UTF-8 with BOM, `;` separator, lists joined with ` | `."""
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
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    return str(value)
