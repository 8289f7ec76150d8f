"""Reading the sections and questions of a definition file: types, ranges, options, grids and `show_if`
conditions (`QuestionReader`, a part of `builder.Builder`)."""

from __future__ import annotations

import re
from decimal import Decimal

from .fields import FieldReader
from .questionnaire import (
    CELL_TYPES,
    CHOICE_TYPES,
    CONDITION_OPERATORS,
    NUMERIC_TYPES,
    QUESTION_TYPES,
    Condition,
    GridColumn,
    GridRow,
    Option,
    Question,
    Section,
    Source,
)
from .yaml_marks import MarkedDict

SUBCODE_RE = re.compile(r"^[A-Za-z0-9_]+$")
SECTION_KEYS = {"code", "title", "help", "questions"}
QUESTION_KEYS = {
    "code", "label", "help", "type", "unit", "required", "min", "max", "unlikely", "show_if", "kinds",
    "options", "rows", "columns", "cell_type", "max_length",
}  # fmt: skip
COLUMN_KEYS = {"code", "label", "type", "options", "min", "max", "unlikely"}
DEFAULT_MAX_LENGTH = {"short_text": 255, "long_text": 5000}


class QuestionReader(FieldReader):
    def section(self, data: MarkedDict, display: str) -> Section:
        src = self.source_for(display, data)
        self.unknown_keys(data, SECTION_KEYS, display, "de la section")
        code = self.code(data, display, "la section")
        title = self.text(data, "title", display, "la section", required=True)
        questions = []
        for index, item in enumerate(self.items(data, "questions", display, required=True)):
            if isinstance(item, MarkedDict):
                questions.append(self.question(item, display, code))
            else:
                self.error(Source(display, data["questions"].line_of(index)), "une question doit être un bloc de clés")
        return Section(code, title, self.text(data, "help", display, ""), tuple(questions), src("code"))

    def question(self, data: MarkedDict, display: str, section: str) -> Question:
        src = self.source_for(display, data)
        self.unknown_keys(data, QUESTION_KEYS, display, "de la question")
        code = self.code(data, display, "la question")
        what = f"la question {code}"
        qtype = data.get("type")
        if qtype not in QUESTION_TYPES:
            self.error(src("type"), f"{what} : type inconnu « {qtype} » (types : {', '.join(QUESTION_TYPES)})")
        values = dict(
            code=code,
            label=self.text(data, "label", display, what, required=True),
            help=self.text(data, "help", display, what, required=True),
            type=str(qtype),
            section=section,
            source=src("code"),
            unit=self.text(data, "unit", display, what),
            required=self.boolean(data, "required", display, what),
            kinds=self.kinds(data, display, what),
            condition=self.condition(data["show_if"], src("show_if"), what) if "show_if" in data else None,
        )
        values.update(self.ranges(data, display, what, qtype))
        if qtype in CHOICE_TYPES:
            values["options"] = self.options(data, display, what)
        elif "options" in data:
            self.error(src("options"), f"{what} : « options » réservé aux types single_choice et multiple_choice")
        if qtype == "grid":
            values["rows"], values["columns"] = self.grid(data, display, what)
        if qtype in DEFAULT_MAX_LENGTH:
            length = data.get("max_length", DEFAULT_MAX_LENGTH[qtype])
            if not isinstance(length, int) or isinstance(length, bool) or length < 1:
                self.error(src("max_length"), f"{what} : « max_length » doit être un entier positif")
                length = DEFAULT_MAX_LENGTH[qtype]
            values["max_length"] = length
        return Question(**values)

    def ranges(self, data: MarkedDict, display: str, what: str, qtype) -> dict:
        """min/max (blocking) and unlikely min/max (warnings); numbers default to min 0, percentages to 0–100."""
        src = self.source_for(display, data)
        has_range = any(k in data for k in ("min", "max", "unlikely"))
        if qtype not in NUMERIC_TYPES and qtype != "date":
            if has_range and qtype != "grid":
                self.error(src("min" if "min" in data else "max" if "max" in data else "unlikely"),
                           f"{what} : bornes réservées aux nombres et aux dates")  # fmt: skip
            return {}
        parse = self.date_value if qtype == "date" else self.number_value
        result = {"min": parse(data.get("min"), src("min"), what), "max": parse(data.get("max"), src("max"), what)}
        if qtype in NUMERIC_TYPES and "min" not in data:
            result["min"] = Decimal(0)
        if qtype == "percentage" and "max" not in data:
            result["max"] = Decimal(100)
        unlikely = data.get("unlikely")
        if unlikely is not None and not isinstance(unlikely, MarkedDict):
            self.error(src("unlikely"), f"{what} : « unlikely » doit être un bloc {{min: …, max: …}}")
        elif unlikely is not None:
            self.unknown_keys(unlikely, {"min", "max"}, display, "de « unlikely »")
            usrc = self.source_for(display, unlikely)
            result["unlikely_min"] = parse(unlikely.get("min"), usrc("min"), what)
            result["unlikely_max"] = parse(unlikely.get("max"), usrc("max"), what)
            self.check_order(result["unlikely_min"], result["unlikely_max"], src("unlikely"), f"{what} : « unlikely »")
        self.check_order(result["min"], result["max"], src("max"), what)
        return result

    def check_order(self, low, high, source: Source, what: str) -> None:
        if low is not None and high is not None and low > high:
            self.error(source, f"{what} : minimum ({low}) supérieur au maximum ({high})")

    def options(self, data: MarkedDict, display: str, what: str) -> tuple[Option, ...]:
        items = self.items(data, "options", display)
        if not items:
            self.error(self.source_for(display, data)("options"), f"{what} : choix sans options")
        options, seen = [], set()
        for index, item in enumerate(items):
            source = Source(display, items.line_of(index))
            if isinstance(item, MarkedDict) and "value" in item:
                option = Option(str(item["value"]), str(item.get("label", item["value"])))
            elif isinstance(item, str | int) and not isinstance(item, bool):
                option = Option(str(item), str(item))
            else:
                self.error(source, f"{what} : option attendue (texte ou {{value: …, label: …}})")
                continue
            if option.value in seen:
                self.error(source, f"{what} : option « {option.value} » en double")
            seen.add(option.value)
            options.append(option)
        return tuple(options)

    def grid(self, data: MarkedDict, display: str, what: str) -> tuple[tuple[GridRow, ...], tuple[GridColumn, ...]]:
        src = self.source_for(display, data)
        cell_type = data.get("cell_type", "integer")
        if cell_type not in CELL_TYPES:
            self.error(src("cell_type"), f"{what} : type de cellule inconnu « {cell_type} »")
            cell_type = "integer"
        defaults = {k: data[k] for k in ("min", "max", "unlikely", "options") if k in data}
        rows, columns = [], []
        for key, target in (("rows", rows), ("columns", columns)):
            items = self.items(data, key, display)
            if not items:
                self.error(src(key), f"{what} : grille sans {'lignes' if key == 'rows' else 'colonnes'} (« {key} »)")
            for index, item in enumerate(items):
                source = Source(display, items.line_of(index))
                if not isinstance(item, MarkedDict) or not SUBCODE_RE.match(str(item.get("code", ""))):
                    self.error(
                        source, f"{what} : « {key} » attend des blocs {{code: …, label: …}} (code en A-Z, 0-9, _)"
                    )
                    continue
                if any(other.code == str(item["code"]) for other in target):
                    self.error(source, f"{what} : code « {item['code']} » en double dans « {key} »")
                if key == "rows":
                    target.append(GridRow(str(item["code"]), str(item.get("label", item["code"]))))
                else:
                    target.append(self.column(item, defaults, cell_type, display, what))
        return tuple(rows), tuple(columns)

    def column(self, item: MarkedDict, defaults: dict, cell_type: str, display: str, what: str) -> GridColumn:
        self.unknown_keys(item, COLUMN_KEYS, display, "de la colonne")
        merged = MarkedDict({**defaults, **item})
        merged.line, merged.key_lines = item.line, item.key_lines
        ctype = item.get("type", cell_type)
        if ctype not in CELL_TYPES:
            self.error(self.source_for(display, item)("type"), f"{what} : type de colonne inconnu « {ctype} »")
            ctype = "integer"
        what = f"{what}, colonne {item['code']}"
        ranges = self.ranges(merged, display, what, ctype) if ctype in NUMERIC_TYPES else {}
        options = self.options(merged, display, what) if ctype == "single_choice" else ()
        return GridColumn(str(item["code"]), str(item.get("label", item["code"])), ctype, options, **ranges)

    def condition(self, data, source: Source, what: str) -> Condition | None:
        if not isinstance(data, MarkedDict) or "question" not in data:
            self.error(source, f"{what} : « show_if » attend {{question: CODE, <opérateur>: valeur}}")
            return None
        operators = [k for k in data if k != "question"]
        if len(operators) != 1 or operators[0] not in CONDITION_OPERATORS:
            self.error(source, f"{what} : condition avec un opérateur parmi {', '.join(CONDITION_OPERATORS)}")
            return None
        operator = operators[0]
        value = data[operator]
        if operator == "in" and not isinstance(value, list):
            self.error(source, f"{what} : « in » attend une liste de valeurs")
            return None
        if operator in ("greater_than", "at_least", "less_than"):
            value = self.number_value(value, source, what)
        return Condition(str(data["question"]), operator, tuple(value) if isinstance(value, list) else value, source)
