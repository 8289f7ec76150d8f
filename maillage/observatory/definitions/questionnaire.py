"""Questionnaire definitions: the YAML format, its dataclasses, the loader and its checker.

A questionnaire is a YAML file (see `docs/observatory-questionnaires.md` for a full example)::

    code: CSX_CORE            # stable code of the questionnaire
    version: "2025.1"
    title: Observatoire des centres sociaux
    kind: csx                 # csx or evs: the structures that answer it
    years: [2025]             # campaign year(s)
    include: [thematique_2025.yaml]   # thematic blocks: their sections and rules are appended
    sections:
      - code: RH
        title: Ressources humaines
        help: …
        questions:
          - code: RH_ETP_TOTAL
            label: Nombre total d'ETP
            help: …            # help text for the person answering (required)
            type: decimal      # see QUESTION_TYPES
            unit: ETP
            required: true
            min: 0             # blocking range (numbers and dates); numbers default to min 0
            max: 500
            unlikely: {min: 0.5, max: 80}   # warning range, confirmable with a justification
            show_if: {question: RH_SALARIES, greater_than: 0}   # see CONDITION_OPERATORS
            kinds: [csx]       # only in the questionnaires of these kinds (default: all)
    rules:
      - code: R_ETP
        sum: [RH_ETP_DIRECTION, RH_ETP_ANIMATION, RH_ETP_SUPPORT]   # parts …
        total: RH_ETP_TOTAL                                          # … add up to the total
        tolerance: 0.1
      - code: R_PASSAGES
        check: "PUB_UNIQUES <= PUB_PASSAGES"     # or "sum(A, B, C) == D", "A + B <= C", constants allowed
        severity: warning                        # error (default, blocking) or warning (confirmable)

Grids (`type: grid`) have `rows` and `columns` (`{code, label}`; columns may give their own `type`, `options`,
`min`, `max`, `unlikely`, else the grid's `cell_type`, default integer). Their answer is `{row: {column: value}}`.
Rules reach into grids with `CODE.row.column`, `CODE.row` (the row over all columns), `CODE.*.column` (a column)
or `CODE` (every numeric cell).

An included thematic block holds `sections` and `rules` (and may say `block: true`, which lets
`check_questionnaire` check it alone, all its questions kept). A lighter variant is derived from another
file: `extends: csx_2025.yaml` takes the base (with its includes), keeps the questions whose `kinds` contain
the variant's `kind`, drops the question or section codes listed in `exclude`, then appends its own
`sections`, `include` and `rules`. Base rules that lose a question are dropped
(a sum with a missing part would be wrong); conditions that lose their question are errors.

Loading is all-or-nothing: `builder.load_definition(path)` returns a `Questionnaire` or raises `InvalidDefinition`
whose `errors` each name the file and line, in French. No ORM: models, forms, imports and coherence checks
all read these dataclasses.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

QUESTION_TYPES = {
    "integer": "nombre entier",
    "decimal": "nombre décimal",
    "money": "montant en euros",
    "percentage": "pourcentage",
    "boolean": "oui / non",
    "single_choice": "choix unique",
    "multiple_choice": "choix multiple",
    "short_text": "texte court",
    "long_text": "texte long",
    "date": "date",
    "grid": "grille",
}
NUMERIC_TYPES = frozenset({"integer", "decimal", "money", "percentage"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
CELL_TYPES = NUMERIC_TYPES | {"boolean", "single_choice", "short_text"}
KINDS = ("csx", "evs")
# Each operator of a condition and how it reads in French (« Seulement si « … » vaut non »).
CONDITION_OPERATORS = {
    "equals": "vaut",
    "not_equals": "ne vaut pas",
    "in": "vaut",
    "contains": "comprend",
    "greater_than": "est supérieur à",
    "at_least": "est au moins",
    "less_than": "est inférieur à",
    "is_true": "vaut oui",
    "is_false": "vaut non",
    "answered": "est renseigné",
}
COMPARISON_OPERATORS = ("<=", ">=", "==", "!=", "<", ">")


@dataclass(frozen=True)
class Source:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}, ligne {self.line}"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class GridRow:
    code: str
    label: str


@dataclass(frozen=True)
class GridColumn:
    code: str
    label: str
    type: str = "integer"
    options: tuple[Option, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    unlikely_min: Decimal | None = None
    unlikely_max: Decimal | None = None


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    value: object = None
    source: Source | None = field(default=None, compare=False)

    def describe(self, questionnaire: Questionnaire) -> str:
        """In French, for people, the question named by its label and the value as they would pick or type it:
        « « Nombre de salariés » est supérieur à 0 », « « Type de territoire » vaut « Urbain » ou « Rural » »."""
        question = questionnaire.question(self.question)
        text = f"« {question.label} » {CONDITION_OPERATORS[self.operator]}"
        if self.operator in ("is_true", "is_false", "answered"):
            return text
        values = self.value if isinstance(self.value, list | tuple) else [self.value]
        return f"{text} {' ou '.join(_shown(question, value) for value in values)}"


def _shown(question: Question, value) -> str:
    """A condition's value as a person reads it: an option's label, oui/non, a French number (never a code or a
    Python repr such as `Decimal('0')`)."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | Decimal):
        return format_exact(Decimal(str(value)))
    return f"« {question.option_label(str(value))} »"


def format_exact(value) -> str:
    """An answer as typed back to the person, every decimal kept: 1 200,5 ; a date as 31/12/2025."""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    number = Decimal(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    sign, text = ("-", str(-number)) if number < 0 else ("", str(number))
    whole, _, fraction = text.partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + " ".join(groups) + ("," + fraction if fraction else "")


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    help: str
    type: str
    section: str
    source: Source
    unit: str = ""
    required: bool = False
    min: Decimal | datetime.date | None = None
    max: Decimal | datetime.date | None = None
    unlikely_min: Decimal | datetime.date | None = None
    unlikely_max: Decimal | datetime.date | None = None
    options: tuple[Option, ...] = ()
    rows: tuple[GridRow, ...] = ()
    columns: tuple[GridColumn, ...] = ()
    condition: Condition | None = None
    kinds: tuple[str, ...] = KINDS
    max_length: int | None = None

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES or (
            self.type == "grid" and any(c.type in NUMERIC_TYPES for c in self.columns)
        )

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    help: str
    questions: tuple[Question, ...]
    source: Source


@dataclass(frozen=True)
class Ref:
    """A number a rule reads: a question, or part of a grid (row and/or column, '*' for any row)."""

    question: str
    row: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        return ".".join(p for p in (self.question, self.row, self.column) if p is not None)


@dataclass(frozen=True)
class Rule:
    """`sum(left) <operator> sum(right)`; each side holds question references and constants."""

    code: str
    left: tuple[Ref | Decimal, ...]
    operator: str
    right: tuple[Ref | Decimal, ...]
    source: Source
    tolerance: Decimal = Decimal(0)
    severity: str = "error"
    message: str = ""

    @property
    def questions(self) -> tuple[str, ...]:
        codes = [t.question for t in (*self.left, *self.right) if isinstance(t, Ref)]
        return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class Questionnaire:
    code: str
    version: str
    title: str
    kind: str
    years: tuple[int, ...]
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    source: Source
    _by_code: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for section in self.sections:
            for question in section.questions:
                self._by_code[question.code] = question

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, code: str) -> Question:
        return self._by_code[code]

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)


@dataclass(frozen=True)
class DefinitionError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where} : {self.message}"


class InvalidDefinition(Exception):
    def __init__(self, errors: list[DefinitionError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
