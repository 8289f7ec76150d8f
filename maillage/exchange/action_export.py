"""Exports of action sheets: open-data JSON, CSV and the original text format, streamed."""

from collections.abc import Iterable, Iterator

from maillage.actions.models import Action

from .action_json import action_export, action_record
from .action_text import write_sheet
from .records import CONTENT_KEYS
from .streams import csv_rows, json_array_chunks

FORMATS = ("json", "csv", "text")
CHUNK_SIZE = 2000


def iter_actions(queryset=None) -> Iterator[Action]:
    queryset = Action.objects.all() if queryset is None else queryset
    return queryset.with_export_relations().order_by("id").iterator(chunk_size=CHUNK_SIZE)


def export_chunks(fmt: str, actions: Iterable[Action]) -> Iterator[str]:
    if fmt == "json":
        return json_array_chunks(action_export(action) for action in actions)
    if fmt == "csv":
        return _csv(actions)
    if fmt == "text":
        return (write_sheet(action_record(action)) for action in actions)
    raise ValueError(f"format inconnu : {fmt}")


# Column names are the keys of the JSON format, so that both exports read alike.
CSV_HEADER = ["id", "year", "state", "url", "title", "structure", "department", *CONTENT_KEYS[2:]]


def _csv(actions: Iterable[Action]) -> Iterator[str]:
    def rows():
        for action in actions:
            export = action_export(action)
            structure = export["structure"] or {}
            yield [
                *(export[key] for key in ("id", "year", "state", "url", "title")),
                structure.get("name"),
                structure.get("department"),
                *(export[key] for key in CONTENT_KEYS[2:]),
            ]

    return csv_rows(CSV_HEADER, rows())
