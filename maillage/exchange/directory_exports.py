"""Streamed exports of a directory view: the structures a reader sees (search, facets), as CSV, XLSX or JSON.

The web exports of the directory (`/structures/export.csv|xlsx|json`) take the parameters of the directory
page and give all its structures, in the page's order, whatever the page number. The machinery is the
bank's (`web_exports`): chunks of bytes sent as they are written, one query read with a server-side
cursor, formula-like cells neutralised.

- CSV and XLSX: one row per structure, French headers, the department code and the region beside the
  department's name.
- JSON: the open-data format of `export_structures --format json` (see `docs/schemas/structure.schema.json`).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from maillage.structures.models import StructureKind
from maillage.structures.phones import format_phone

from . import streams
from .streamed_xlsx import StreamedTable
from .streams import LIST_SEPARATOR, csv_rows, encoded, json_array_chunks
from .structure_json import STRUCTURE_RELATIONS, structure_export

ITERATOR_CHUNK = 2000
COLUMNS = {
    "id": "Identifiant",
    "url": "Adresse de la fiche",
    "name": "Nom",
    "kind": "Type de structure",
    "street": "Adresse",
    "postcode": "Code postal",
    "commune": "Commune",
    "department": "Département",
    "department_code": "Code département",
    "region": "Région",
    "email": "Adresse e-mail de contact",
    "website": "Site internet",
    "phone": "Téléphone",
    "opening_hours": "Horaires d'ouverture",
    "siret": "Numéro SIRET",
    "first_approval": "Date du 1er agrément",
    "population": "Population de la zone de compétence",
    "history": "Historique",
    "axes": "Axes du projet",
    "management_mode": "Mode de gestion",
    "territory_type": "Type de territoire",
    "territory_size": "Taille du territoire",
    "priority_geography": "Géographie prioritaire",
    "fcsf_member": "Adhérent à la Fédération des centres sociaux",
    "other_federation": "Adhérent à une autre fédération",
    "travellers": "Structure « gens du voyage »",
    "multi_site": "Structure multi-sites / éclatée",
    "itinerant": "Structure itinérante",
}
KIND_LABELS = dict(StructureKind.choices)


def iter_exports(structures) -> Iterator[dict]:
    """Open-data exports of `structures` (a queryset, kept in its order), one query for them all."""
    queryset = structures.select_related(*STRUCTURE_RELATIONS)
    for structure in queryset.iterator(chunk_size=ITERATOR_CHUNK):
        yield structure_export(structure)


def table_row(export: dict) -> list:
    """The cells of a structure in the spreadsheets, in the order of `COLUMNS` (before any escaping)."""
    values = {**export, "kind": KIND_LABELS.get(export["kind"]) if export["kind"] else None}
    values["phone"] = format_phone(export["phone"])  # spaced: a spreadsheet keeps its leading zero
    values["axes"] = LIST_SEPARATOR.join(axis for axis in export["axes"] if axis)
    return [values[key] for key in COLUMNS]


def json_chunks(structures) -> Iterator[bytes]:
    return encoded(json_array_chunks(iter_exports(structures)), streams.CHUNK_BYTES)


def csv_chunks(structures) -> Iterator[bytes]:
    rows = (table_row(export) for export in iter_exports(structures))
    return encoded(csv_rows(list(COLUMNS.values()), rows), streams.CHUNK_BYTES)


XLSX_TABLE = StreamedTable(
    title="Annuaire des centres sociaux et espaces de vie sociale",
    sheet_title="Structures",
    columns=COLUMNS,
    widths={"id": 11, "url": 30, "name": 45, "kind": 22, "postcode": 11, "department_code": 11},
    default_width=25,
)


def xlsx_chunks(structures) -> Iterator[bytes]:
    yield from XLSX_TABLE.chunks((table_row(export) for export in iter_exports(structures)), streams.CHUNK_BYTES)


@dataclass(frozen=True)
class ExportFormat:
    chunks: Callable[..., Iterator[bytes]]
    content_type: str


FORMATS = {
    "csv": ExportFormat(csv_chunks, "text/csv; charset=utf-8"),
    "xlsx": ExportFormat(xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ExportFormat(json_chunks, "application/json"),
}
