"""Exports of the structure directory: open-data JSON, CSV and the directory text format, streamed."""

from collections.abc import Iterable, Iterator

from maillage.structures.models import Structure
from maillage.structures.phones import format_phone

from .streams import csv_rows, json_array_chunks
from .structure_json import STRUCTURE_KEYS, STRUCTURE_RELATIONS, structure_export, structure_record
from .structure_text import write_directory

FORMATS = ("json", "csv", "text")
CHUNK_SIZE = 2000
# Column names are the keys of the JSON format, so that both exports read alike.
CSV_HEADER = ["id", *STRUCTURE_KEYS, "department_code", "region", "siret_flagged", "url"]


def iter_structures(queryset=None) -> Iterator[Structure]:
    queryset = Structure.objects.all() if queryset is None else queryset
    return queryset.select_related(*STRUCTURE_RELATIONS).order_by("id").iterator(chunk_size=CHUNK_SIZE)


def export_chunks(fmt: str, structures: Iterable[Structure]) -> Iterator[str]:
    if fmt == "json":
        return json_array_chunks(structure_export(structure) for structure in structures)
    if fmt == "csv":
        rows = ([_csv_value(export, key) for key in CSV_HEADER] for export in map(structure_export, structures))
        return csv_rows(CSV_HEADER, rows)
    if fmt == "text":
        return write_directory(structure_record(structure) for structure in structures)
    raise ValueError(f"format inconnu : {fmt}")


def _csv_value(export: dict, key: str):
    # The phone spaced in pairs: a spreadsheet would read ten digits as a number and drop the leading zero.
    return format_phone(export[key]) if key == "phone" else export[key]
