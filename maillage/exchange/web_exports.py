"""Streamed exports of a list of action sheets: ids in the order of the list in, chunks of bytes out.

The web exports of the action bank (`/actions/export.csv|xlsx|json`) give any list, with its search and
filters, as a file. Each writer is a generator: it reads the sheets in batches of `BATCH_SIZE` (a fixed
number of queries per batch) and sends bytes as soon as a chunk of `CHUNK_BYTES` is ready, so that an
export of the whole bank neither holds it in memory nor keeps the browser waiting.

- CSV for French Excel: UTF-8 with BOM, `;` separator, CRLF, one row per sheet, lists joined with ` | `.
- XLSX: openpyxl writes the workbook around the rows (styles, frozen header, column widths); the rows
  are written into the zip entry of the sheet as they come (see `streamed_xlsx`).
- JSON: the open-data format, as `export_actions --format json` writes it.

Spreadsheet cells that start like a formula get a leading apostrophe (CSV/formula injection).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from maillage.actions.models import Action

from .action_json import action_export, action_url, iter_action_records
from .records import MULTI_CHOICE_KEYS
from .streamed_xlsx import StreamedTable
from .streams import CHUNK_BYTES, LIST_SEPARATOR, csv_rows, encoded, json_array_chunks

BATCH_SIZE = 2000
# Each writer passes `CHUNK_BYTES` on, read from this module when it runs: one name governs the three
# formats here (the tests set it to 1 to see chunks go out before the sheets are all read).

# Columns of the spreadsheets: what identifies the sheet, then the record's keys in the record's order,
# the structure split into its name and its department. Labels are those of the sheet page, shortened.
COLUMNS = {
    "id": "Identifiant",
    "url": "Adresse de la fiche",
    "year": "Année de saisie",
    "title": "Titre",
    "structure": "Structure",
    "department": "Département",
    "department_code": "Code département",
    "region": "Région",
    "status": "Statut",
    "end_reason": "Raisons pour lesquelles l'action est terminée",
    "dimensions": "Dimension",
    "keywords": "Mots clés",
    "summary": "Résumé",
    "initiative": "Qui est à l'initiative de l'action ?",
    "initiative_detail": "Précision (si autre)",
    "territory": "Territoire concerné",
    "experience": "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases",
    "public": "Public",
    "partners": "Partenaires d'action",
    "general_description": "Description générale",
    "financial_resources": "Ressources financières mobilisées",
    "people_mobilised": "Nombre de personnes mobilisées",
    "result_territory": "Résultat sur le territoire",
    "result_centre": "Résultat pour le centre social",
    "result_inhabitants": "Résultat pour les habitants",
    "limits": "Suite de l'action : limites",
    "perspectives": "Suite de l'action : perspectives",
    "files": "Fichier(s) associé(s)",
}
LIST_KEYS = frozenset({*MULTI_CHOICE_KEYS, "files"})


# Reading -------------------------------------------------------------------------------------------------


def records_for_ids(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[tuple[dict, dict]]:
    """`(row, record)` of the published sheets among `ids`, in the order of `ids` (see `action_json`).

    Ids are read `batch_size` at a time, each batch with a fixed number of queries. A sheet unpublished
    since its id was listed is left out.
    """
    ids = iter(ids)
    while batch := tuple(islice(ids, batch_size)):
        queryset = Action.objects.published().filter(id__in=batch)
        found = {row["id"]: (row, record) for row, record in iter_action_records(queryset, batch_size)}
        for pk in batch:
            if pk in found:
                yield found[pk]


def table_row(row: dict, record: dict) -> list:
    """The cells of a sheet in the spreadsheets, in the order of `COLUMNS` (before any escaping)."""
    structure = record["structure"] or {}
    values = {
        "id": row["id"],
        "url": action_url(row["id"], row["title"]),
        "year": row["year"],
        "department": structure.get("department"),
        "department_code": row["structure__department__code"],
        "region": row["structure__department__region__name"],
        **record,
        "structure": structure.get("name"),
    }
    return [LIST_SEPARATOR.join(values[key]) if key in LIST_KEYS else values[key] for key in COLUMNS]


# JSON and CSV --------------------------------------------------------------------------------------------


def json_chunks(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """A JSON array of the sheets' open-data exports (the shape of `export_actions --format json`)."""
    exports = (action_export(row, record) for row, record in records_for_ids(ids, batch_size))
    return encoded(json_array_chunks(exports), CHUNK_BYTES)


def csv_chunks(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """CSV for French Excel, one row per sheet, with the headers of `COLUMNS`."""
    rows = (table_row(row, record) for row, record in records_for_ids(ids, batch_size))
    return encoded(csv_rows(list(COLUMNS.values()), rows), CHUNK_BYTES)


# XLSX ----------------------------------------------------------------------------------------------------

XLSX_TABLE = StreamedTable(
    title="Banque d'actions des centres sociaux",
    sheet_title="Fiches actions",
    columns=COLUMNS,
    widths={
        "id": 11,
        "url": 30,
        "year": 9,
        "title": 45,
        "structure": 35,
        "department": 18,
        "department_code": 11,
        "region": 22,
    },  # fmt: skip
    default_width=30,
)


def xlsx_chunks(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """An Excel workbook with one row per sheet, sent while it is written (see `streamed_xlsx`)."""
    records = records_for_ids(ids, batch_size)
    yield from XLSX_TABLE.chunks((table_row(row, record) for row, record in records), CHUNK_BYTES)


# Formats -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    chunks: Callable[[Iterable[int]], Iterator[bytes]]
    content_type: str


FORMATS = {
    "csv": ExportFormat(csv_chunks, "text/csv; charset=utf-8"),
    "xlsx": ExportFormat(xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ExportFormat(json_chunks, "application/json"),
}
