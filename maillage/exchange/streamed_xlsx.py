"""Excel workbooks sent while they are written: the first byte at once, memory flat whatever the row count.

openpyxl only zips a workbook once it is complete: for 100,000 action sheets, about 50 s before the first byte
goes out, and the whole file in memory. So the work is split:

1. openpyxl writes a "frame": the workbook with everything but the streamed rows (styles, properties, other
   sheets, column widths, frozen panes, the header row). `workbook_frame` saves it and cuts the XML of the
   streamed sheet at `</sheetData>` into a head and a tail.
2. `stream_workbook` writes a new zip into a `ZipSink`: the frame's other parts, then the sheet's entry, the
   head, each row as raw XML as it comes, and the tail. The sink is drained every `CHUNK_BYTES`, so the
   response sends what the compressor has given out so far and memory holds one chunk.

Rows are written by hand (`row_xml`, `<row r="2"><c r="A2" …>`): `text_cell` gives a text cell made safe for
Excel (`excel_text`: no XML-illegal character, no formula, not past Excel's cell limit).
"""

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .streams import CHUNK_BYTES, neutralise_formula

SHEET_DATA_END = b"</sheetData>"
CONTENT_TYPES = "[Content_Types].xml"
# Excel refuses longer cells; it counts UTF-16 code units.
EXCEL_CELL_LIMIT = 32_767
TRUNCATION_MARKER = " […] [texte tronqué : une cellule Excel contient au plus 32 767 caractères]"
# Characters XML 1.0 cannot hold (openpyxl refuses them too).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class WorkbookFrame:
    """What openpyxl writes around the streamed rows of one sheet."""

    parts: list[tuple[zipfile.ZipInfo, bytes]]  # the other entries of the zip, in their order
    sheet_path: str  # the streamed sheet's entry, e.g. "xl/worksheets/sheet1.xml"
    head: bytes  # the sheet's XML up to its last row (the header row included)
    tail: bytes  # from `</sheetData>` to the end


def workbook_frame(workbook: Workbook, sheet) -> WorkbookFrame:
    """Saves a write-only `workbook` and returns its frame, with `sheet` (one of its sheets) to be streamed."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet_path = sheet.path.lstrip("/")  # known once saved
    with zipfile.ZipFile(buffer) as saved:
        # [Content_Types].xml first: file-type sniffers look for it there.
        infos = sorted(saved.infolist(), key=lambda info: info.filename != CONTENT_TYPES)
        parts = [(fresh_zip_info(info.filename), saved.read(info)) for info in infos if info.filename != sheet_path]
        sheet_xml = saved.read(sheet_path)
    cut = sheet_xml.index(SHEET_DATA_END)
    return WorkbookFrame(parts, sheet_path, sheet_xml[:cut], sheet_xml[cut:])


def stream_workbook(frame: WorkbookFrame, rows: Iterable[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The zipped workbook in chunks of about `chunk_bytes`, `rows` (XML of `<row>` elements) in its sheet.

    The first chunk (the other parts and the header) goes out before `rows` is read.
    """
    sink = ZipSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in frame.parts:
            archive.writestr(info, data)
        with archive.open(fresh_zip_info(frame.sheet_path), "w") as sheet:
            sheet.write(frame.head)
            yield sink.take()
            for row in rows:
                sheet.write(row)
                if sink.size >= chunk_bytes:
                    yield sink.take()
            sheet.write(frame.tail)
    yield sink.take()


@dataclass(frozen=True)
class StreamedTable:
    """A one-sheet workbook of a table (the bank's and the directory's exports): its header row, column widths
    and frozen header, then one row per record sent as it comes."""

    title: str  # the workbook's title (its properties)
    sheet_title: str
    columns: dict[str, str]  # key → header, in the order of the columns
    widths: dict[str, int]  # key → width, for the columns not `default_width` wide
    default_width: int

    @cached_property
    def letters(self) -> tuple[str, ...]:
        return tuple(get_column_letter(index) for index in range(1, len(self.columns) + 1))

    def chunks(self, rows: Iterable[list], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The workbook's bytes, `rows` (lists of cell values in the columns' order) written from row 2."""
        xml_rows = (self.row(number, values) for number, values in enumerate(rows, start=2))
        yield from stream_workbook(self.frame(), xml_rows, chunk_bytes)

    def row(self, number: int, values: list) -> bytes:
        """Empty cells left out; yes/no in words, whole numbers as numbers, the rest as safe text."""
        cells = []
        for letter, value in zip(self.letters, values, strict=True):
            if value is None or value == "":
                continue
            ref = f"{letter}{number}"
            if isinstance(value, bool):
                cells.append(text_cell(ref, "Oui" if value else "Non"))
            elif isinstance(value, int):
                cells.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
            else:
                cells.append(text_cell(ref, str(value)))
        return row_xml(number, cells)

    def frame(self) -> WorkbookFrame:
        workbook = Workbook(write_only=True)
        workbook.properties.creator = "Maillage"
        workbook.properties.title = self.title
        sheet = workbook.create_sheet(self.sheet_title)
        sheet.freeze_panes = "A2"
        for letter, key in zip(self.letters, self.columns, strict=True):
            sheet.column_dimensions[letter].width = self.widths.get(key, self.default_width)
        sheet.append([header_cell(sheet, label) for label in self.columns.values()])
        return workbook_frame(workbook, sheet)


def header_cell(sheet, label: str) -> WriteOnlyCell:
    """A header cell of a write-only sheet: bold, wrapped, top-aligned."""
    cell = WriteOnlyCell(sheet, value=excel_text(label))
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


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


def text_cell(ref: str, value: str) -> str:
    """The XML of a text cell (an inline string, made safe by `excel_text`) at `ref`, e.g. "B2"."""
    text = excel_text(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def row_xml(number: int, cells: Iterable[str]) -> bytes:
    """The XML of row `number` (from 1) holding `cells` (XML of `<c>` elements, empty cells left out)."""
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def fresh_zip_info(name: str) -> zipfile.ZipInfo:
    """A deflated zip entry dated now, in local time."""
    info = zipfile.ZipInfo(name, date_time=_now_for_zip())
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _now_for_zip() -> tuple[int, int, int, int, int, int]:
    now = timezone.localtime()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


class ZipSink:
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
