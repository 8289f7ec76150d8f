"""The form of one questionnaire section, built from its definition.

Each question type gets its field and widget (numbers as text inputs that accept « 12,5 » and « 1 200 », yes/no
and short choice lists as radio buttons, multiple choices as checkboxes, dates as date inputs, grids as one input
per cell named `CODE__row__column`). The form does not judge the answers: `raw_answers()` hands the inputs to
`filling.save_section`, which validates them; the result (errors, warnings) comes back to the form to be shown
next to the fields, linked by `aria-describedby`.

Questions with a condition are always rendered (pages work without JavaScript) with a note « Seulement si … »;
`questionnaire.js` hides them while their condition is false.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation

from django import forms

from .definitions.questionnaire import NUMERIC_TYPES, Condition, GridColumn, Question, Section
from .definitions.questionnaire import Questionnaire as Definition
from .definitions.validation import Issue, Result
from .definitions.values import format_exact

RADIO_LIMIT = 8  # single choices with more options use a drop-down list
YES_NO = [("oui", "Oui"), ("non", "Non")]
CONFIRM_PREFIX = "confirm__"


def cell_name(question: Question, row: str, column: str) -> str:
    return f"{question.code}__{row}__{column}"


def confirm_name(key: str) -> str:
    return CONFIRM_PREFIX + key


# --- values shown ------------------------------------------------------------------------------------------------


def input_text(kind: str, value) -> object:
    """A stored value as the form shows it back: « 12,5 », « oui », ISO dates for date inputs, lists for choices."""
    if value is None:
        return ""
    if kind == "boolean" and isinstance(value, bool):
        return "oui" if value else "non"
    number = _number(kind, value)
    if number is not None:
        text = str(number.quantize(Decimal(1)) if number == number.to_integral_value() else number)
        return text.replace(".", ",")
    if kind == "multiple_choice":
        return list(value) if isinstance(value, list | tuple) else [value]
    return value


def _number(kind: str, value) -> Decimal | None:
    """A stored number (int, or exact text such as "12.5") as a Decimal; None for anything else."""
    if kind not in NUMERIC_TYPES or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, int | float | str | Decimal) else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def display_value(kind: str, value, options=()) -> str:
    """A stored value in French for reading (« L'an dernier : 1 200 »)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    number = _number(kind, value)
    if number is not None:
        return format_exact(number)
    if kind == "date" and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    labels = {o.value: o.label for o in options}
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def condition_text(definition: Definition, condition: Condition) -> str:
    """« Seulement si « Adhérent à la fédération » vaut non »."""
    return f"Seulement si {condition.describe(definition)}"


# --- the form -------------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    field: forms.BoundField
    label: str
    previous: str | None


@dataclass
class Item:
    """What the template needs to render one question."""

    question: Question
    template: str
    field: forms.BoundField | None = None
    grid_rows: list = dataclass_field(default_factory=list)  # [(row, [Cell, …])]
    errors: list = dataclass_field(default_factory=list)  # [(id, message)]
    warnings: list = dataclass_field(default_factory=list)  # [(id, Issue, confirm BoundField, confirmed)]
    previous: str | None = None
    condition: str = ""
    condition_data: str = ""
    visible: bool = True
    help_id: str = ""

    @property
    def describedby(self) -> str:
        ids = [self.help_id]
        if self.previous is not None:
            ids.append(f"prev-{self.question.code}")
        ids += [i for i, _ in self.errors] + [w[0] for w in self.warnings]
        if self.condition:
            ids.append(f"cond-{self.question.code}")
        return " ".join(ids)


class SectionForm(forms.Form):
    """The inputs of one section; `items` lays them out with their errors, warnings and last year's values."""

    def __init__(self, definition: Definition, section: Section, *, answers: dict, confirmations: dict,
                 result: Result, previous: dict | None = None, data=None):  # fmt: skip
        super().__init__(data=data)
        self.definition, self.section, self.result = definition, section, result
        self.previous = previous
        for question in section.questions:
            self._add_question(question, answers.get(question.code))
        self.section_warnings = self._warnings(confirmations)
        self.items = [self._item(question) for question in section.questions]
        self.rule_warnings = [w for w in self.section_warnings if w[1].rule is not None]

    # building fields

    def _add_question(self, question: Question, value) -> None:
        if question.type == "grid":
            value = value if isinstance(value, dict) else {}
            for row in question.rows:
                for column in question.columns:
                    cell = value.get(row.code, {}) if isinstance(value.get(row.code), dict) else {}
                    name = cell_name(question, row.code, column.code)
                    self.fields[name] = _cell_field(column, f"{row.label} / {column.label}")
                    self.initial[name] = input_text(column.type, cell.get(column.code))
            return
        self.fields[question.code] = _question_field(question)
        self.initial[question.code] = input_text(question.type, value)

    def _warnings(self, confirmations: dict) -> list:
        codes = {q.code for q in self.section.questions}
        found, seen = [], set()
        issues = [(i, False) for i in self.result.warnings] + [(i, True) for i in self.result.confirmed]
        for issue, confirmed in issues:
            if issue.key in seen or not codes & set(issue.questions):
                continue
            seen.add(issue.key)
            name = confirm_name(issue.key)
            self.fields[name] = forms.CharField(
                label="Justification de cette valeur", required=False, max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control", "aria-describedby": f"warn-{issue.key}"}),
            )  # fmt: skip
            self.initial[name] = confirmations.get(issue.key, "")
            found.append((f"warn-{issue.key}", issue, self[name], confirmed))
        return found

    def _item(self, question: Question) -> Item:
        code = question.code
        item = Item(question, template=_template(question), help_id=f"help-{code}")
        item.errors = [(f"err-{code}-{n}", i.message) for n, i in enumerate(self.result.errors_for(code))]
        item.warnings = [w for w in self.section_warnings if w[1].rule is None and w[1].key == code]
        item.visible = code in self.result.visible
        if question.condition is not None:
            item.condition = condition_text(self.definition, question.condition)
            item.condition_data = json.dumps(
                {"question": question.condition.question, "operator": question.condition.operator,
                 "value": _json_value(question.condition.value), "visible": item.visible}
            )  # fmt: skip
        previous = self.previous
        if question.type == "grid":
            old = previous.get(code) if previous else None
            old = old if isinstance(old, dict) else {}
            for row in question.rows:
                cells = []
                for column in question.columns:
                    old_cell = old.get(row.code, {}).get(column.code) if isinstance(old.get(row.code), dict) else None
                    shown = display_value(column.type, old_cell, column.options) if previous is not None else None
                    cells.append(Cell(self[cell_name(question, row.code, column.code)], column.label, shown))
                item.grid_rows.append((row, cells))
        else:
            item.field = self[code]
            if previous is not None:
                item.previous = display_value(question.type, previous.get(code), question.options)
            if item.template == "input":
                attrs = item.field.field.widget.attrs
                attrs["aria-describedby"] = item.describedby
                if item.errors:
                    attrs["aria-invalid"] = "true"
                    attrs["class"] = attrs.get("class", "") + " is-invalid"
        return item

    # reading inputs

    def raw_answers(self) -> dict:
        """The inputs of the section by question code (grids as {row: {column: text}}), for `save_section`."""
        answers = {}
        for question in self.section.questions:
            if question.type == "grid":
                answers[question.code] = {
                    row.code: {c.code: self[cell_name(question, row.code, c.code)].data or "" for c in question.columns}
                    for row in question.rows
                }
            else:
                answers[question.code] = self[question.code].data
        return answers

    def raw_confirmations(self) -> dict:
        """Justifications typed in this form, including those of warnings raised by values posted with them."""
        if self.data is None:
            return {}
        return {
            name[len(CONFIRM_PREFIX) :]: value
            for name, value in self.data.items()
            if name.startswith(CONFIRM_PREFIX) and isinstance(value, str)
        }


def _template(question: Question) -> str:
    if question.type == "grid":
        return "grid"
    if question.type in ("boolean", "multiple_choice") or (
        question.type == "single_choice" and len(question.options) <= RADIO_LIMIT
    ):
        return "group"
    return "input"


def _number_attrs(kind: str) -> dict:
    mode = "numeric" if kind == "integer" else "decimal"
    return {"class": "form-control", "inputmode": mode, "autocomplete": "off"}


def _question_field(question: Question) -> forms.Field:
    kind, label = question.type, question.label
    if kind in NUMERIC_TYPES:
        return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=_number_attrs(kind)))
    if kind == "boolean":
        return forms.ChoiceField(label=label, required=False, choices=YES_NO,
                                 widget=forms.RadioSelect(attrs={"class": "form-check-input"}))  # fmt: skip
    choices = [(o.value, o.label) for o in question.options]
    if kind == "single_choice":
        if len(choices) <= RADIO_LIMIT:
            widget = forms.RadioSelect(attrs={"class": "form-check-input"})
        else:
            widget, choices = forms.Select(attrs={"class": "form-select"}), [("", "— choisir —"), *choices]
        return forms.ChoiceField(label=label, required=False, choices=choices, widget=widget)
    if kind == "multiple_choice":
        widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
        return forms.MultipleChoiceField(label=label, required=False, choices=choices, widget=widget)
    if kind == "long_text":
        attrs = {"class": "form-control", "rows": 4}
        if question.max_length:
            attrs["maxlength"] = question.max_length
        return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs=attrs))
    if kind == "date":
        return forms.CharField(label=label, required=False,
                               widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}))  # fmt: skip
    attrs = {"class": "form-control", "maxlength": question.max_length or 255}
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


def _cell_field(column: GridColumn, label: str) -> forms.Field:
    if column.type in NUMERIC_TYPES:
        attrs = _number_attrs(column.type) | {"class": "form-control form-control-sm"}
        return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))
    if column.type in ("boolean", "single_choice"):
        options = YES_NO if column.type == "boolean" else [(o.value, o.label) for o in column.options]
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *options],
                                 widget=forms.Select(attrs={"class": "form-select form-select-sm"}))  # fmt: skip
    attrs = {"class": "form-control form-control-sm", "maxlength": 255}
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


__all__ = ["Issue", "SectionForm", "cell_name", "condition_text", "confirm_name", "display_value", "input_text"]
