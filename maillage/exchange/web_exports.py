"""Streamed exports of a list of action sheets: ids in the order of the list in, chunks of bytes out.

The web exports of the action bank (`/actions/export.csv|xlsx|json`) give any list, with its search and
filters, as a file. Each writer is a generator: it reads the sheets in batches of `BATCH_SIZE` (a fixed
number of queries per batch) and sends bytes as soon as a chunk of `CHUNK_BYTES` is ready, so that an
export of the whole bank neither holds it in memory nor keeps the browser waiting.

- CSV for French Excel: UTF-8 with BOM, `;` separator, CRLF, one row per sheet, lists joined with ` | `.
- XLSX: openpyxl writes the workbook around the rows (styles, frozen header, column widths); the rows
  are written here into the zip entry of the sheet as they come, because openpyxl only zips a
  workbook once it is complete (about 50 s before the first byte for 100,000 sheets).
- JSON: the open-data format, as `export_actions --format json` writes it.

Spreadsheet cells that start like a formula get a leading apostrophe (CSV/formula injection).
"""

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from maillage.actions.models import Action

from .action_json import action_export, action_url, iter_action_records
from .records import MULTI_CHOICE_KEYS
from .streams import LIST_SEPARATOR, csv_rows, json_array_chunks

BATCH_SIZE = 2000
CHUNK_BYTES = 64 * 1024

# Columns of the spreadsheets: what identifies the sheet, then the record's keys in the record's order,
# the structure split into its name and its department. Labels are those of the sheet page, shortened.
COLUMNS = {
    "id": "Identifiant",
    "url": "Adresse de la fiche",
    "year": "Année de saisie",
    "title": "Titre",
    "structure": "Structure",
    "department": "Département",
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
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        **record,
        "structure": structure.get("name"),
    }
    return [LIST_SEPARATOR.join(values[key]) if key in LIST_KEYS else values[key] for key in COLUMNS]


def neutralise_formula(value):
    """A text a spreadsheet would run as a formula, made plain text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# JSON and CSV --------------------------------------------------------------------------------------------


def json_chunks(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """A JSON array of the sheets' open-data exports (the shape of `export_actions --format json`)."""
    exports = (action_export(row, record) for row, record in records_for_ids(ids, batch_size))
    return _encoded(json_array_chunks(exports))


def csv_chunks(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """CSV for French Excel, one row per sheet, with the headers of `COLUMNS`."""
    rows = (
        [neutralise_formula(value) for value in table_row(row, record)]
        for row, record in records_for_ids(ids, batch_size)
    )
    return _encoded(csv_rows(list(COLUMNS.values()), rows))


def _encoded(texts: Iterable[str]) -> Iterator[bytes]:
    """UTF-8 chunks of about `CHUNK_BYTES`: few large writes rather than one per line."""
    buffer: list[str] = []
    size = 0
    for text in texts:
        buffer.append(text)
        size += len(text)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


# XLSX ----------------------------------------------------------------------------------------------------

XLSX_SHEET_TITLE = "Fiches actions"
# Excel refuses longer cells; it counts UTF-16 code units.
EXCEL_CELL_LIMIT = 32_767
TRUNCATION_MARKER = " […] [texte tronqué : une cellule Excel contient au plus 32 767 caractères]"
# Characters XML 1.0 cannot hold (openpyxl refuses them too).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
COLUMN_WIDTHS = {"id": 11, "url": 30, "year": 9, "title": 45, "structure": 35, "department": 18}
DEFAULT_COLUMN_WIDTH = 30
COLUMN_LETTERS = tuple(get_column_letter(index) for index in range(1, len(COLUMNS) + 1))
SHEET_DATA_END = b"</sheetData>"


def xlsx_chunks(ids: Iterable[int], batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """An Excel workbook with one row per sheet, sent while it is written (see the module docstring)."""
    parts, sheet_path, head, tail = _workbook_frame()
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, data)
        with archive.open(_fresh_info(sheet_path), "w") as sheet:
            sheet.write(head)
            yield sink.take()
            for number, (row, record) in enumerate(records_for_ids(ids, batch_size), start=2):
                sheet.write(_xlsx_row(number, table_row(row, record)))
                if sink.size >= CHUNK_BYTES:
                    yield sink.take()
            sheet.write(tail)
    yield sink.take()


def excel_text(value: str) -> str:
    """A text as an Excel cell holds it: no XML-illegal characters, no formula, at most 32,767 units."""
    value = neutralise_formula(XML_ILLEGAL.sub("", value))
    if len(value) > EXCEL_CELL_LIMIT // 2:
        units = value.encode("utf-16-le")
        if len(units) > 2 * EXCEL_CELL_LIMIT:
            kept = 2 * (EXCEL_CELL_LIMIT - len(TRUNCATION_MARKER))
            # "ignore" drops half a surrogate pair cut at the limit.
            value = units[:kept].decode("utf-16-le", errors="ignore") + TRUNCATION_MARKER
    return value


def _xlsx_row(number: int, values: list) -> bytes:
    cells = []
    for letter, value in zip(COLUMN_LETTERS, values, strict=True):
        if value is None or value == "":
            continue
        if isinstance(value, int):
            cells.append(f'<c r="{letter}{number}" t="n"><v>{value}</v></c>')
            continue
        text = excel_text(value)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
        cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{escaped}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def _workbook_frame() -> tuple[list[tuple[zipfile.ZipInfo, bytes]], str, bytes, bytes]:
    """What openpyxl writes around the rows: the other parts of the file, and the sheet's XML before
    and after its rows (the header row included)."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Maillage"
    workbook.properties.title = "Banque d'actions des centres sociaux"
    sheet = workbook.create_sheet(XLSX_SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for letter, key in zip(COLUMN_LETTERS, COLUMNS, strict=True):
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(key, DEFAULT_COLUMN_WIDTH)
    sheet.append([_header_cell(sheet, label) for label in COLUMNS.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet_path = sheet.path.lstrip("/")  # known once saved
    with zipfile.ZipFile(buffer) as frame:
        # [Content_Types].xml first: file-type sniffers look for it there.
        infos = sorted(frame.infolist(), key=lambda info: info.filename != "[Content_Types].xml")
        parts = [(_fresh_info(info.filename), frame.read(info)) for info in infos if info.filename != sheet_path]
        sheet_xml = frame.read(sheet_path)
    cut = sheet_xml.index(SHEET_DATA_END)
    return parts, sheet_path, sheet_xml[:cut], sheet_xml[cut:]


def _header_cell(sheet, label: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=label)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _fresh_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_now_for_zip())
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _now_for_zip() -> tuple[int, int, int, int, int, int]:
    now = timezone.localtime()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


class _Sink:
    """A write-only stream that keeps what is written until it is taken (the zip goes out in chunks)."""

    def __init__(self):
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts, self.size = [], 0
        return data


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
