"""Correspondents' export of their departments' questionnaire answers, as CSV or XLSX, streamed.

Rows: one per structure of the check dashboard's list (`checking.campaign_list`: the person's departments,
the same filters état / département, the same order: department, name), answered or not.

Columns: the structure (`IDENTITY`: Maillage id, name, SIRET, kind CSX/EVS, department code, commune, state of
the response, transmitted and validated dates and times), then one column per question code, in questionnaire
order. A campaign with a CSX and an EVS questionnaire gives one table: the union of their codes, CSX order
first, then the codes only the EVS questionnaire asks, in its order; a question a structure's questionnaire
does not ask stays empty. One table rather than one sheet per questionnaire because most codes are shared:
a spreadsheet user compares or pools CSX and EVS by filtering on « Type ».

Values: grids give one column per cell, named `CODE.row.column` (the notation of the questionnaire's rules);
multiple choices give their option values joined with " | ", single choices their option value; yes/no is
`Oui` / `Non`; numbers are numbers in the XLSX and written with a decimal comma (no thousands separator, so
that a French spreadsheet reads them as numbers) in the CSV; dates are date cells in the XLSX and `dd/mm/yyyy`
in the CSV. An answer stored unreadable is given as it was typed.

Files: the CSV has the codes as its header row (UTF-8 with BOM, `;`, CRLF, as the other exports). The XLSX has
a sheet « Réponses » (the same table, header frozen) and a sheet « Questions »: one row per answer column with
its section, question, type, unit, options and questionnaires. Text cells starting like a formula get a
leading apostrophe (`exchange.streams.neutralise_formula`, as in every export); « Réponses » is streamed as
`exchange.streamed_xlsx` does.

Reading runs a fixed number of queries: the questionnaires, the ordered structure ids, then one query per
`BATCH_SIZE` structures (structure and response together).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby, islice

from django.db.models import FilteredRelation, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from maillage.exchange.streamed_xlsx import (
    WorkbookFrame,
    excel_text,
    header_cell,
    row_xml,
    stream_workbook,
    text_cell,
    workbook_frame,
)
from maillage.exchange.streams import LIST_SEPARATOR, csv_rows, encoded
from maillage.structures.models import Structure

from ..definitions.questionnaire import KINDS, NUMERIC_TYPES, QUESTION_TYPES, Option, Question
from ..definitions.questionnaire import Questionnaire as Definition
from ..definitions.values import is_empty, parse_answer, parse_scalar
from ..models import Campaign, ResponseStatus
from . import checking

BATCH_SIZE = 1000
IDENTITY = ("Identifiant", "Structure", "SIRET", "Type", "Département", "Commune", "État", "Transmis le",
            "Validé le")  # fmt: skip
STATUS_LABELS = dict(ResponseStatus.choices)
# Structure and response of the campaign, read together (one query per batch).
FIELDS = ("pk", "name", "siret", "kind", "department__code", "commune", "answer__status", "answer__submitted_at",
          "answer__validated_at", "answer__questionnaire_id", "answer__answers")  # fmt: skip


@dataclass(frozen=True)
class AnswerColumn:
    """One answer column: a question, or one cell of a grid; the rest describes it in the « Questions » sheet."""

    header: str  # CODE, or CODE.row.column for a grid cell
    code: str
    row: str | None
    column: str | None
    section: str
    label: str
    type_label: str
    unit: str
    choices: str
    kinds: str  # the questionnaires that ask it: "CSX, EVS"


@dataclass(frozen=True)
class AnswerExport:
    campaign: Campaign
    definitions: dict[int, Definition]  # by questionnaire id
    kinds: dict[int, str]  # questionnaire id → kind
    columns: tuple[AnswerColumn, ...]
    structure_ids: tuple[int, ...]

    @property
    def header(self) -> list[str]:
        return [*IDENTITY, *(column.header for column in self.columns)]


def prepare(user, campaign: Campaign, *, department_id=None, status=None) -> AnswerExport:
    """What the person may export for the campaign, filtered like the dashboard (two queries, plus the
    person's departments once)."""
    questionnaires = list(campaign.questionnaires.all())
    definitions = {q.pk: q.definition() for q in questionnaires}
    by_kind = {q.kind: definitions[q.pk] for q in questionnaires}
    structures = checking.campaign_list(user, campaign, department_id=department_id, status=status)
    return AnswerExport(
        campaign=campaign,
        definitions=definitions,
        kinds={q.pk: q.kind for q in questionnaires},
        columns=tuple(answer_columns(by_kind)),
        structure_ids=tuple(structures.values_list("pk", flat=True)),
    )


# Columns --------------------------------------------------------------------------------------------------


def answer_columns(definitions: dict[str, Definition]) -> list[AnswerColumn]:
    """The union of the questionnaires' columns: CSX order first, grids cell by cell (union of their cells)."""
    asked: dict[str, list[tuple[str, Question, str]]] = {}
    for kind in KINDS:
        definition = definitions.get(kind)
        if definition is None:
            continue
        titles = {section.code: section.title for section in definition.sections}
        for question in definition.questions:
            asked.setdefault(question.code, []).append((kind, question, titles.get(question.section, "")))
    columns: list[AnswerColumn] = []
    for items in asked.values():
        kinds = ", ".join(kind.upper() for kind, _, _ in items)
        cells: dict[str, AnswerColumn] = {}
        for _, question, section in items:
            for column in _question_columns(question, section, kinds):
                cells.setdefault(column.header, column)
        columns.extend(cells.values())
    return columns


def _question_columns(question: Question, section: str, kinds: str) -> list[AnswerColumn]:
    if question.type != "grid":
        type_label, choices = QUESTION_TYPES[question.type], _choices(question.options)
        return [AnswerColumn(question.code, question.code, None, None, section, question.label, type_label,
                             question.unit, choices, kinds)]  # fmt: skip
    return [
        AnswerColumn(
            f"{question.code}.{row.code}.{column.code}",
            question.code,
            row.code,
            column.code,
            section,
            f"{question.label} — {row.label} — {column.label}",
            QUESTION_TYPES[column.type],
            question.unit if column.type in NUMERIC_TYPES else "",
            _choices(column.options),
            kinds,
        )  # fmt: skip
        for row in question.rows
        for column in question.columns
    ]


def _choices(options: tuple[Option, ...]) -> str:
    return LIST_SEPARATOR.join(f"{option.value} : {option.label}" for option in options)


# Rows -----------------------------------------------------------------------------------------------------


def rows(export: AnswerExport, batch_size: int = BATCH_SIZE) -> Iterator[list]:
    """Typed cells of each structure (int, Decimal, bool, date, datetime, str or None), in the list's order."""
    groups = [(code, list(columns)) for code, columns in groupby(export.columns, key=lambda c: c.code)]
    ids = iter(export.structure_ids)
    while batch := tuple(islice(ids, batch_size)):
        found: dict[int, tuple] = {}
        for row in _read_batch(tuple(export.kinds), batch):
            # A structure whose kind changed may have answered both questionnaires: keep its kind's.
            if row[0] not in found or export.kinds.get(row[-2]) == row[3]:
                found[row[0]] = row
        for pk in batch:
            if pk in found:
                *identity, questionnaire_id, answers = found[pk]
                definition = export.definitions.get(questionnaire_id)
                yield [*_identity(identity), *_answer_cells(definition, answers or {}, groups)]


def _read_batch(questionnaire_ids: tuple[int, ...], ids: tuple[int, ...]):
    answer = FilteredRelation("responses", condition=Q(responses__questionnaire__in=questionnaire_ids))
    return Structure.objects.filter(pk__in=ids).annotate(answer=answer).values_list(*FIELDS)


def _identity(values: list) -> list:
    pk, name, siret, kind, department, commune, status, submitted_at, validated_at = values
    state = STATUS_LABELS[status or ResponseStatus.NOT_STARTED]
    return [pk, name, siret or None, kind.upper(), department, commune or None, state, _local(submitted_at),
            _local(validated_at)]  # fmt: skip


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """French wall-clock time, without a zone (spreadsheets know none)."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def _answer_cells(definition: Definition | None, answers: dict, groups) -> list:
    cells: list = []
    for code, columns in groups:
        if definition is None or code not in definition:
            cells.extend([None] * len(columns))
            continue
        question, raw = definition.question(code), answers.get(code)
        if question.type != "grid":
            cells.append(_typed(question, raw))
        elif isinstance(raw, dict) or is_empty(raw):
            cells.extend(_grid_cell(question, raw or {}, column) for column in columns)
        else:  # unreadable as a grid: given as typed, in its first cell
            cells.extend([_as_text(raw)] + [None] * (len(columns) - 1))
    return cells


def _typed(question: Question, raw):
    value, problem = parse_answer(question, raw)
    if problem:
        return _as_text(raw)
    if isinstance(value, tuple):  # multiple choice
        return LIST_SEPARATOR.join(value)
    return value


def _grid_cell(question: Question, grid: dict, column: AnswerColumn):
    cells = grid.get(column.row)
    raw = cells.get(column.column) if isinstance(cells, dict) else None
    kind = next((c for c in question.columns if c.code == column.column), None)
    if kind is None or is_empty(raw):
        return None
    value, problem = parse_scalar(kind.type, raw, options=kind.options, max_length=255)
    return _as_text(raw) if problem else value


def _as_text(raw) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)


# CSV ------------------------------------------------------------------------------------------------------


def csv_chunks(export: AnswerExport, batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """CSV for French spreadsheets, codes as header (see the module docstring)."""
    lines = ([_csv_cell(value) for value in row] for row in rows(export, batch_size))
    return encoded(csv_rows(export.header, lines))


def _csv_cell(value):
    """Numbers and dates as French spreadsheets read them; `csv_rows` neutralises formulas."""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Decimal | float):
        return _plain_number(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value  # text, int or None: written as is


def _plain_number(value: int | float | Decimal) -> str:
    """Digits without an exponent: `1E+3` is no number for a spreadsheet."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return format(number, "f")


# XLSX -----------------------------------------------------------------------------------------------------

ANSWERS_SHEET = "Réponses"
QUESTIONS_SHEET = "Questions"
QUESTIONS_HEADER = ("Code", "Section", "Question", "Type", "Unité", "Choix possibles", "Questionnaires")
QUESTIONS_WIDTHS = (32, 28, 70, 18, 10, 50, 15)
IDENTITY_WIDTHS = (11, 40, 16, 6, 12, 25, 13, 16, 16)
ANSWER_WIDTH = 14
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


@dataclass(frozen=True)
class _DateStyles:
    """Style ids of the date and date-time cells, registered in the workbook's styles."""

    date: int
    datetime: int


def xlsx_chunks(export: AnswerExport, batch_size: int = BATCH_SIZE) -> Iterator[bytes]:
    """The workbook, sent while its « Réponses » rows are written into the zip."""
    frame, styles = _workbook_frame(export)
    letters = [get_column_letter(index) for index in range(1, len(export.header) + 1)]
    lines = (_xlsx_row(styles, number, letters, row) for number, row in enumerate(rows(export, batch_size), start=2))
    yield from stream_workbook(frame, lines)


def _workbook_frame(export: AnswerExport) -> tuple[WorkbookFrame, _DateStyles]:
    book = Workbook(write_only=True)
    book.properties.creator = "Maillage"
    book.properties.title = f"Observatoire : réponses, {export.campaign.label}"
    answers = book.create_sheet(ANSWERS_SHEET)
    answers.freeze_panes = "C2"  # the header and the structure's id and name stay in view
    widths = [*IDENTITY_WIDTHS, *[ANSWER_WIDTH] * len(export.columns)]
    for index, width in enumerate(widths, start=1):
        answers.column_dimensions[get_column_letter(index)].width = width
    answers.append([header_cell(answers, label) for label in export.header])
    styles = _DateStyles(_style_id(answers, DATE_FORMAT), _style_id(answers, DATETIME_FORMAT))
    questions = book.create_sheet(QUESTIONS_SHEET)
    questions.freeze_panes = "A2"
    for index, width in enumerate(QUESTIONS_WIDTHS, start=1):
        questions.column_dimensions[get_column_letter(index)].width = width
    questions.append([header_cell(questions, label) for label in QUESTIONS_HEADER])
    for c in export.columns:
        values = (c.header, c.section, c.label, c.type_label, c.unit, c.choices, c.kinds)
        questions.append([excel_text(value) if value else None for value in values])
    return workbook_frame(book, answers), styles


def _style_id(sheet, number_format: str) -> int:
    """The index of a cell style with this number format, registered in the workbook's styles."""
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell.style_id


def _xlsx_row(styles: _DateStyles, number: int, letters: list[str], values: list) -> bytes:
    cells = []
    for letter, value in zip(letters, values, strict=True):
        ref = f"{letter}{number}"
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            cells.append(text_cell(ref, "Oui" if value else "Non"))
        elif isinstance(value, int | float | Decimal):
            cells.append(f'<c r="{ref}" t="n"><v>{_plain_number(value)}</v></c>')
        elif isinstance(value, datetime.datetime):
            cells.append(f'<c r="{ref}" s="{styles.datetime}"><v>{to_excel(value)}</v></c>')
        elif isinstance(value, datetime.date):
            cells.append(f'<c r="{ref}" s="{styles.date}"><v>{to_excel(value)}</v></c>')
        else:
            cells.append(text_cell(ref, str(value)))
    return row_xml(number, cells)


# Formats --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    chunks: Callable[[AnswerExport], Iterator[bytes]]
    content_type: str


FORMATS = {
    "csv": ExportFormat(csv_chunks, "text/csv; charset=utf-8"),
    "xlsx": ExportFormat(xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
