"""The table of a past campaign's answers (CSV or XLSX), read without the database: its columns, its cells, and
the report of what an import found in it (errors and warnings by line and column). See `past_import.py`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from maillage.exchange.reading import ImportFileError
from maillage.exchange.streams import restore_formula
from maillage.exchange.structure_table import spreadsheet_rows
from maillage.french import count_noun
from maillage.observatory.definitions.wording import campaign_label
from maillage.structures.siret import normalize_siret

from ..definitions.questionnaire import Question
from ..definitions.questionnaire import Questionnaire as Definition
from ..definitions.values import parse_scalar

ID_COLUMN, SIRET_COLUMN = "id", "siret"
ID_ALIASES = frozenset({"id", "identifiant"})
# Columns for the reader, not read: the structure's name, and the identity columns of the answers export
# (`answer_export.IDENTITY`), so that an exported table can be imported back as it is.
INFORMATIVE_COLUMNS = frozenset(
    {"nom", "name", "structure", "type", "département", "commune", "état", "transmis le", "validé le"}
)
CHOICE_SEPARATOR = re.compile(r"\s*[|\n]\s*")


@dataclass(frozen=True)
class RowIssue:
    """An error or a warning about one line of the file, and the column(s) it is about (none: the whole row)."""

    line: int
    columns: tuple[str, ...]
    message: str
    position: int = 0  # index of the first column, to list issues in the order of the file

    @property
    def column(self) -> str:
        return ", ".join(self.columns)

    def __str__(self) -> str:
        if not self.columns:
            return f"ligne {self.line} : {self.message}"
        noun = "colonne" if len(self.columns) == 1 else "colonnes"
        return f"ligne {self.line}, {noun} {self.column} : {self.message}"


@dataclass
class PastImportReport:
    filename: str
    year: int
    dry_run: bool = False
    replace: bool = False
    rows: int = 0
    to_create: int = 0
    to_replace: int = 0
    aggregates: int | None = None
    _errors: list[RowIssue] = field(default_factory=list)
    _warnings: list[RowIssue] = field(default_factory=list)

    def error(self, line: int, columns, message: str, position: int = 0) -> None:
        self._errors.append(RowIssue(line, _tuple(columns), message, position))

    def warn(self, line: int, columns, message: str, position: int = 0) -> None:
        self._warnings.append(RowIssue(line, _tuple(columns), message, position))

    @property
    def errors(self) -> list[RowIssue]:
        return sorted(self._errors, key=lambda i: (i.line, i.position))

    @property
    def warnings(self) -> list[RowIssue]:
        return sorted(self._warnings, key=lambda i: (i.line, i.position))

    @property
    def ok(self) -> bool:
        return not self._errors

    @property
    def error_lines(self) -> int:
        return len({issue.line for issue in self._errors})

    def summary(self) -> str:
        head = f"{self.filename} ({campaign_label(self.year)}) : {count_noun(self.rows, 'ligne lue', 'lignes lues')}"
        tail = count_noun(len(self._warnings), "avertissement")
        if self.dry_run or not self.ok:
            to_create = count_noun(self.to_create, "réponse à créer", "réponses à créer")
            counts = f"{to_create}, {self.to_replace} à remplacer"
            errors = "aucune erreur"
            if self._errors:
                errors = f"{count_noun(len(self._errors), 'erreur')} sur {count_noun(self.error_lines, 'ligne')}"
            prefix = "[essai, rien n'est enregistré] " if self.dry_run else "[refusé, rien n'est enregistré] "
            return f"{prefix}{head}, {counts}, {errors}, {tail}"
        created = count_noun(self.to_create, "réponse créée", "réponses créées")
        done = f"{created}, {count_noun(self.to_replace, 'remplacée')}"
        aggregates = count_noun(self.aggregates or 0, "agrégat recalculé", "agrégats recalculés")
        return f"{head}, {done}, {tail} ; {aggregates}"


def _tuple(columns) -> tuple[str, ...]:
    if not columns:
        return ()
    return (columns,) if isinstance(columns, str) else tuple(columns)


def describe_file_error(error: ImportFileError) -> str:
    """An unreadable file in the words of this import: « export.csv, ligne 3 : … »."""
    where = f"{error.filename}, ligne {error.line}" if error.line else error.filename
    return f"{where} : {error.message}"


# --- Columns ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of answers: a question, or one cell (row, column) of a grid question."""

    index: int
    header: str
    code: str
    grid_row: str | None = None
    grid_column: str | None = None


@dataclass
class Layout:
    line: int
    id_index: int | None = None
    siret_index: int | None = None
    id_header: str = ID_COLUMN  # the headers as the file writes them, for messages
    siret_header: str = SIRET_COLUMN
    columns: list[Column] = field(default_factory=list)
    named: set[int] = field(default_factory=set)  # indexes of every column with a name, read or not

    @property
    def identifier(self) -> tuple[str, int]:
        """The column that identifies structures (`id` when there is one), and its index."""
        if self.id_index is not None:
            return self.id_header, self.id_index
        return self.siret_header, self.siret_index

    @property
    def identifier_headers(self) -> tuple[str, ...]:
        pairs = ((self.id_header, self.id_index), (self.siret_header, self.siret_index))
        return tuple(header for header, index in pairs if index is not None)


def _targets(definitions: dict[str, Definition]) -> tuple[dict[str, tuple], dict[str, Question]]:
    """Column names (folded) → (code, grid row, grid column), and the grid questions by folded code."""
    targets, grids = {}, {}
    for definition in definitions.values():
        for question in definition.questions:
            if question.type != "grid":
                targets[question.code.casefold()] = (question.code, None, None)
                continue
            grids[question.code.casefold()] = question
            for row in question.rows:
                for column in question.columns:
                    targets[f"{question.code}.{row.code}.{column.code}".casefold()] = (
                        question.code,
                        row.code,
                        column.code,
                    )
    return targets, grids


def read_layout(line: int, header: list, definitions: dict[str, Definition], report: PastImportReport) -> Layout:
    """What each column holds; unknown and repeated columns are errors of the header line."""
    layout = Layout(line)
    targets, grids = _targets(definitions)
    seen: dict[str, int] = {}
    for index, value in enumerate(header):
        name = cell_text(value)
        key = name.casefold()
        if not name:
            continue
        layout.named.add(index)
        key = ID_COLUMN if key in ID_ALIASES else key
        if key in seen:
            report.error(line, name, f"colonne en double (déjà en colonne n° {seen[key] + 1})", index)
            continue
        seen[key] = index
        if key == ID_COLUMN:
            layout.id_index, layout.id_header = index, name
        elif key == SIRET_COLUMN:
            layout.siret_index, layout.siret_header = index, name
        elif key in targets:
            layout.columns.append(Column(index, name, *targets[key]))
        elif key in grids:
            report.error(line, name, _grid_column_message(grids[key]), index)
        elif key not in INFORMATIVE_COLUMNS:
            report.error(line, name, f"colonne inconnue : ni id, ni siret, ni un code de question du questionnaire "
                         f"{campaign_label(report.year)}",
                         index)  # fmt: skip
    if layout.id_index is None and layout.siret_index is None:
        raise ImportFileError(
            report.filename, line, "colonne « id » ou « siret » absente : la première ligne doit nommer les colonnes"
        )
    return layout


def _grid_column_message(question: Question) -> str:
    example = f"{question.code}.{question.rows[0].code}.{question.columns[0].code}"
    return f"question en tableau : une colonne par case, nommée CODE.ligne.colonne (par exemple {example})"


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return restore_formula(value.strip()) if isinstance(value, str) else value  # as the answers export wrote it


def table_rows(path: Path | str, name: str) -> Iterator[tuple[int, list]]:
    """The rows of the file (header first), read by the structure table's reader (UTF-8 CSV or XLSX, its limits of
    rows, columns and workbook size)."""
    return spreadsheet_rows(path, name)


def siret_text(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:014d}"
    return normalize_siret(cell_text(value))


def read_cell(question: Question, column: Column, raw) -> tuple[object, str | None]:
    """A cell read as the form reads an answer; a multiple choice lists options separated by `|`."""
    if column.grid_row is not None:
        spec = next(c for c in question.columns if c.code == column.grid_column)
        return parse_scalar(spec.type, raw, options=spec.options, max_length=255)
    if question.type == "multiple_choice" and isinstance(raw, str):
        raw = [part for part in CHOICE_SEPARATOR.split(raw) if part]
    return parse_scalar(question.type, raw, options=question.options, max_length=question.max_length)
