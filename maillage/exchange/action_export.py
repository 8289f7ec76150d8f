"""Exports of action sheets: open-data JSON, CSV and the original text format, streamed."""

from collections.abc import Iterable, Iterator

from .action_json import action_export
from .action_text import write_sheet
from .records import CONTENT_KEYS
from .streams import csv_rows, json_array_chunks

FORMATS = ("json", "csv", "text")
# Column names are the keys of the JSON format, so that both exports read alike.
CSV_HEADER = ["id", "year", "state", "url", "title", "structure", "department", *CONTENT_KEYS[2:]]


def export_chunks(fmt: str, records: Iterable[tuple[dict, dict]]) -> Iterator[str]:
    """Text chunks of an export of `(row, record)` pairs (see `action_json.iter_action_records`)."""
    if fmt == "json":
        return json_array_chunks(action_export(row, record) for row, record in records)
    if fmt == "csv":
        return csv_rows(CSV_HEADER, (_csv_row(action_export(row, record)) for row, record in records))
    if fmt == "text":
        return (write_sheet(record) for _, record in records)
    raise ValueError(f"format inconnu : {fmt}")


def _csv_row(export: dict) -> list:
    structure = export["structure"] or {}
    return [
        *(export[key] for key in ("id", "year", "state", "url", "title")),
        structure.get("name"),
        structure.get("department"),
        *(export[key] for key in CONTENT_KEYS[2:]),
    ]
