"""Structures from a table (CSV or XLSX): one row per structure, columns named by the keys of the record.

The CSV export of the directory reads back as it is (`;` or `,` separated, UTF-8 with or without BOM,
lists joined with ` | `, `Oui`/`Non`). Columns may also be `axis_1` … `axis_5` and `department_code`;
`id`, `siret_flagged` and `url` (written by the export) are ignored. A column left out leaves the stored
value alone, as a label absent from a text block does. Rows become `ParsedStructure`s for the same loader
as the text format (`StructureLoader`): the table is read and checked with no transaction, then written in one.
"""

import csv
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

from maillage.parameters import whole_number
from maillage.referentials.models import Department
from maillage.referentials.text import match_key
from maillage.structures.models import StructureKind
from maillage.structures.phones import normalise_phone

from .reading import ImportFileError, iter_line_blocks
from .reports import ImportReport
from .streams import LIST_SEPARATOR, restore_formula
from .structure_import import StructureLoader, add_parsed
from .structure_json import STRUCTURE_KEYS
from .structure_text import (
    AXIS_KEYS,
    MAX_POPULATION,
    YES_NO_KEYS,
    ParsedStructure,
    department_code,
    empty_structure_record,
)
from .transactions import write_import
from .workbooks import XLSX_MAGIC, capped_rows, check_dimension, check_workbook

IGNORED_COLUMNS = frozenset({"id", "siret_flagged", "url", "region"})
EXTRA_COLUMNS = frozenset({*AXIS_KEYS, "department_code"})
_KINDS = {
    **{match_key(value): value for value in StructureKind.values},
    **{match_key(label): value for value, label in StructureKind.choices},
    "cs": StructureKind.CSX,
}
_BOOLEANS = {
    **dict.fromkeys(("oui", "true", "vrai", "1"), True),
    **dict.fromkeys(("non", "false", "faux", "0"), False),
}
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# Axes in one cell: as the CSV export joins them, or one a line.
_AXES_SEPARATOR = re.compile(rf"{re.escape(LIST_SEPARATOR.strip())}|\n")


def is_xlsx(path: Path | str) -> bool:
    with open(path, "rb") as stream:
        return stream.read(4) == XLSX_MAGIC


def import_structure_table(
    path: Path | str,
    *,
    dry_run: bool = False,
    acting_user=None,
    display_name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one CSV or XLSX table of structures. Raises `ImportFileError` on bad input, having written nothing.
    `progress` is told the bytes read of a CSV file (a workbook is read from its zip: it is not told)."""
    name = display_name or Path(path).name
    report = ImportReport(filename=name, dry_run=dry_run)
    # Read and decided on with no transaction (a dry run stops there); then written in one.
    loader = StructureLoader(report, acting_user=acting_user)
    if not add_parsed(read_structure_table(path, name, department_codes(), progress), report, loader):
        raise ImportFileError(name, 1, "aucune structure trouvée (une ligne par structure, sous l'en-tête)")
    if not dry_run:
        write_import(loader.write)
    return report


def department_codes() -> dict[str, str]:
    """Department code by folded name and by code, to read the `department` column."""
    codes = {}
    for code, name in Department.objects.values_list("code", "name"):
        codes[match_key(name)] = code
        codes[match_key(code)] = code
    return codes


def spreadsheet_rows(path: Path | str, name: str, progress=None) -> Iterator[tuple[int, list]]:
    """(line number, cells) of a UTF-8 CSV or an XLSX file (told apart by content), header row first; refused past
    the limits of `workbooks` (rows, columns, and for a workbook its declared sizes). `progress`: as
    `reading.iter_line_blocks`, for a CSV file."""
    return capped_rows(_xlsx_rows(path, name) if is_xlsx(path) else _csv_rows(path, name, progress), name)


def read_structure_table(
    path: Path | str, name: str, departments: dict[str, str], progress=None
) -> Iterator[ParsedStructure]:
    """Parse the table: first a header-only `ParsedStructure` (its warnings), then one per filled row."""
    rows = spreadsheet_rows(path, name, progress)
    header_line, header = next(rows, (1, None))
    if header is None:
        raise ImportFileError(name, None, "le fichier est vide")
    columns, header_info = _columns(header, name, header_line)
    yield header_info
    reader = _RowReader(columns, departments)
    for line, row in rows:
        if any(_text(value) for value in row):
            yield reader.parse(line, row)


def _columns(header: list, name: str, line: int) -> tuple[dict[str, int], ParsedStructure]:
    info = ParsedStructure(line=line, record={})
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _text(cell).lower()
        if not key or key in IGNORED_COLUMNS:
            continue
        if key not in STRUCTURE_KEYS and key not in EXTRA_COLUMNS:
            info.warn(line, f"colonne « {key[:60]} » inconnue : ignorée")
        elif key in columns:
            info.warn(line, f"colonne « {key} » en double : seule la première est lue")
        else:
            columns[key] = index
    if "name" not in columns:
        raise ImportFileError(
            name, line, "colonne « name » absente : la première ligne doit nommer les colonnes (name, postcode, …)"
        )
    return columns, info


class _RowReader:
    def __init__(self, columns: dict[str, int], departments: dict[str, str]):
        self.columns = columns
        self.departments = departments

    def cell(self, row: list, key: str):
        index = self.columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    def parse(self, line: int, row: list) -> ParsedStructure:
        record = empty_structure_record()
        parsed = ParsedStructure(line=line, record=record, lines=dict.fromkeys([*STRUCTURE_KEYS, *AXIS_KEYS], line))
        parsed.missing = {key for key in STRUCTURE_KEYS if key not in self.columns}
        for key in ("name", "street", "commune", "email", "website", "history", "other_federation"):
            record[key] = _text(self.cell(row, key))
        for key in ("management_mode", "territory_type", "territory_size", "priority_geography"):
            record[key] = _text(self.cell(row, key)) or None
        record["postcode"] = _postcode(self.cell(row, "postcode"))
        record["siret"] = _SPACES.sub("", _text(self.cell(row, "siret")))
        record["phone"] = _phone(parsed, self.cell(row, "phone"))
        record["opening_hours"] = _raw_text(self.cell(row, "opening_hours")).strip()
        record["kind"] = self._kind(parsed, self.cell(row, "kind"))
        record["first_approval"] = _date(parsed, self.cell(row, "first_approval"))
        record["population"] = _population(parsed, self.cell(row, "population"))
        for key in YES_NO_KEYS:
            record[key] = _yes_no(parsed, key, self.cell(row, key))
        self._axes(parsed, row)
        self._department(parsed, row)
        if not record["name"]:
            parsed.warn(line, "nom de la structure vide : ligne ignorée")
            parsed.record = {}
        return parsed

    def _kind(self, parsed: ParsedStructure, value) -> str | None:
        text = _text(value)
        if not text:
            return None
        kind = _KINDS.get(match_key(text))
        if kind is None:
            parsed.warn(parsed.line, f"type « {text[:60]} » inconnu (csx ou evs attendu) : deviné d'après le nom")
        return kind

    def _axes(self, parsed: ParsedStructure, row: list) -> None:
        if "axes" in self.columns:
            axes = [axis.strip() for axis in _AXES_SEPARATOR.split(_raw_text(self.cell(row, "axes")))]
            if any(axes[len(AXIS_KEYS) :]):
                parsed.warn(parsed.line, f"plus de {len(AXIS_KEYS)} axes : les suivants sont ignorés")
        elif any(key in self.columns for key in AXIS_KEYS):
            axes = [_text(self.cell(row, key)) for key in AXIS_KEYS]
            parsed.missing.discard("axes")
        else:
            return
        parsed.record["axes"] = (axes + [""] * len(AXIS_KEYS))[: len(AXIS_KEYS)]

    def _department(self, parsed: ParsedStructure, row: list) -> None:
        """The `department_code` or `department` column (name or code), else the postcode."""
        text = _text(self.cell(row, "department_code")) or _text(self.cell(row, "department"))
        if text:
            parsed.department_code = self.departments.get(match_key(text), text)
        elif parsed.record["postcode"]:
            parsed.department_code = department_code(parsed.record["postcode"])
        if {"department", "department_code", "postcode"} & set(self.columns):
            parsed.missing.discard("department")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore_formula(str(value).strip())


def _raw_text(value) -> str:
    """Text of a cell before stripping: ` |  | ` joins empty axes."""
    return restore_formula(value) if isinstance(value, str) else _text(value)


def _postcode(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):05d}"
    return _SPACES.sub("", _text(value))


def _phone(parsed: ParsedStructure, value) -> str:
    text = _text(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and len(text) == 9:
        text = "0" + text  # a spreadsheet read 0123456789 as a number
    try:
        return normalise_phone(text)
    except ValueError:
        parsed.warn(parsed.line, f"téléphone « {text[:30]} » illisible (dix chiffres attendus) : laissé vide")
        return ""


def _date(parsed: ParsedStructure, value) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if not text:
        return None
    match = _FRENCH_DATE.fullmatch(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1])).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        parsed.warn(parsed.line, f"date du 1er agrément « {text[:30]} » illisible (jj/mm/aaaa attendu) : laissée vide")
        return None


def _population(parsed: ParsedStructure, value) -> int | None:
    text = _SPACES.sub("", _text(value))
    if not text:
        return None
    number = whole_number(text, maximum=MAX_POPULATION)
    if number is None:
        parsed.warn(parsed.line, f"population « {text[:30]} » illisible (nombre entier attendu) : laissée vide")
    return number


def _yes_no(parsed: ParsedStructure, key: str, value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if not text:
        return None
    if text.lower() not in _BOOLEANS:
        parsed.warn(parsed.line, f"« {key} » : « {text[:30]} » n'est ni Oui ni Non : laissé vide")
        return None
    return _BOOLEANS[text.lower()]


def _csv_rows(path, name: str, progress=None) -> Iterator[tuple[int, list]]:
    """Rows with the number of their first line; lines are checked (UTF-8, no binary) by the text reader."""
    blocks = iter_line_blocks(path, display_name=name, progress=progress)
    lines = (line + "\n" for _, block in blocks for line in block)
    first = next(lines, None)
    if first is None:
        return
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(name, start, f"ligne CSV illisible ({error})") from None


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _xlsx_rows(path, name: str) -> Iterator[tuple[int, list]]:
    """Rows of the first sheet of the workbook, values only (formulas give their last computed value), as long as
    their last cell; the workbook's declared sizes and dimension checked first (`workbooks`)."""
    check_workbook(path, name, not_a_workbook="ce n'est pas un classeur XLSX lisible (archive zip sans classeur)")
    from openpyxl import load_workbook

    # A stream, not the path: openpyxl judges a path by its extension, and uploads are stored without one.
    with open(path, "rb") as stream:
        try:
            with warnings.catch_warnings():
                # openpyxl warns about styles and extensions it does not read; they do not matter here.
                warnings.simplefilter("ignore")
                workbook = load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds of errors on broken workbooks
            raise ImportFileError(
                name, None, f"ce n'est pas un classeur XLSX lisible ({type(error).__name__})"
            ) from None
        try:
            rows = _sheet_rows(workbook, name)
            first = next(rows, None)  # the sheet's declared dimension checked first
            if first is not None:
                _refuse_uncomputed_formulas(workbook.worksheets[0], name)
                yield first
                yield from rows
        finally:
            workbook.close()


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s/>]")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"  # the sheet's XML namespace


def _refuse_uncomputed_formulas(sheet, name: str) -> None:
    """A formula gives the value the spreadsheet computed and saved with it (`data_only`); one saved without it (a
    workbook written by a program, never opened in a spreadsheet) would be read as an empty cell, dropping the
    answer and those that depend on it: it is refused, naming the cell. openpyxl gives either the values or the
    formulas, never whether a value was saved: the sheet's XML is read again, when it holds formulas at all."""
    from openpyxl.xml.functions import iterparse  # the parser openpyxl reads the sheet with

    if not _has_formulas(sheet):
        return
    with sheet._get_source() as source:  # the sheet's part in the workbook's zip (openpyxl has no public name)
        for _, element in iterparse(source):
            if element.tag == f"{_MAIN}row":
                element.clear()  # the cells read, memory stays flat
            elif element.tag == f"{_MAIN}c" and _uncomputed(element):
                coordinate = element.get("r", "")
                formula = element.findtext(f"{_MAIN}f") or ""
                raise ImportFileError(name, int(re.sub(r"\D", "", coordinate) or 0) or None, (
                    f"la cellule {coordinate or '(sans coordonnées)'} contient une formule (={formula[:60]}) "
                    "enregistrée sans sa valeur : ouvrez le classeur dans un tableur et enregistrez-le (il calcule "
                    "les formules), ou remplacez la formule par sa valeur"
                ))  # fmt: skip


def _uncomputed(cell) -> bool:
    """A formula without a saved value; a computed text may be empty (`t="str"`), a number or a date never is."""
    has_formula = cell.find(f"{_MAIN}f") is not None
    return has_formula and cell.get("t", "n") in ("n", "d") and not cell.findtext(f"{_MAIN}v")


def _has_formulas(sheet) -> bool:
    """A quick look at the sheet's XML (its size is checked already) for a formula tag."""
    with sheet._get_source() as source:
        tail = b""
        while block := source.read(1 << 20):
            if _FORMULA_TAG.search(tail + block):
                return True
            tail = block[-16:]
    return False


def _sheet_rows(workbook, name: str) -> Iterator[tuple[int, list]]:
    number = 0
    if not workbook.worksheets:
        raise ImportFileError(name, None, "le classeur n'a aucune feuille")
    sheet = workbook.worksheets[0]
    check_dimension(sheet, name)
    # From here the rows are read as they are, whatever the sheet declared: `capped_rows` counts them.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001 - a broken sheet inside a valid zip
            raise ImportFileError(name, number + 1, f"feuille illisible ({type(error).__name__})") from None
        number += 1
        yield number, list(row)
