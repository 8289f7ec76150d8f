"""Build `Questionnaire` dataclasses from YAML files, collecting every error with its file and line.

The first pass reads each file on its own (shape, types, ranges, options, grids, rule syntax); includes and
`extends` are resolved here. `definition_checks` then checks what needs the whole questionnaire (duplicate
codes, conditions and rules that name unknown questions, cycles) and filters a variant.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .definitions import (
    CELL_TYPES,
    CHOICE_TYPES,
    COMPARISON_OPERATORS,
    CONDITION_OPERATORS,
    KINDS,
    NUMERIC_TYPES,
    QUESTION_TYPES,
    Condition,
    DefinitionError,
    GridColumn,
    GridRow,
    Option,
    Question,
    Ref,
    Rule,
    Section,
    Source,
)
from .yaml_marks import MarkedDict, MarkedList, load_marked, yaml_error_line

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
SUBCODE_RE = re.compile(r"^[A-Za-z0-9_]+$")
REF_RE = re.compile(r"^([A-Z][A-Z0-9_]*)(?:\.(\*|[A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?)?$")
TOP_KEYS = {
    "block",
    "code",
    "version",
    "title",
    "kind",
    "years",
    "year",
    "include",
    "extends",
    "exclude",
    "sections",
    "rules",
}
BLOCK_KEYS = {"block", "code", "version", "title", "years", "year", "include", "sections", "rules"}
SECTION_KEYS = {"code", "title", "help", "questions"}
QUESTION_KEYS = {
    "code", "label", "help", "type", "unit", "required", "min", "max", "unlikely", "show_if", "kinds",
    "options", "rows", "columns", "cell_type", "max_length",
}  # fmt: skip
COLUMN_KEYS = {"code", "label", "type", "options", "min", "max", "unlikely"}
RULE_KEYS = {"code", "sum", "total", "check", "tolerance", "severity", "message"}
DEFAULT_MAX_LENGTH = {"short_text": 255, "long_text": 5000}


@dataclass
class Parts:
    """What a file contributes: header values, sections (unfiltered) and rules."""

    header: dict = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    exclude: list[tuple[str, Source]] = field(default_factory=list)
    extended: bool = False


class Builder:
    def __init__(self):
        self.errors: list[DefinitionError] = []

    def error(self, source: Source, message: str) -> None:
        self.errors.append(DefinitionError(source.file, source.line, message))

    # -- files -------------------------------------------------------------------------------------------------

    def read_file(self, path: Path, display: str, stack: tuple[Path, ...], *, block: bool) -> Parts | None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(Source(display, 0), f"fichier illisible ou introuvable ({exc.__class__.__name__})")
            return None
        return self.read_text(text, display, path.parent, (*stack, path.resolve()), block=block)

    def read_text(self, text: str, display: str, base_dir: Path, stack: tuple, *, block: bool) -> Parts | None:
        try:
            data, duplicates = load_marked(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.error(Source(display, yaml_error_line(exc)), f"YAML invalide : {problem}")
            return None
        for line, key in duplicates:
            self.error(Source(display, line), f"clé « {key} » répétée dans le même bloc")
        if not isinstance(data, MarkedDict):
            self.error(
                Source(display, 1), "le fichier doit décrire un questionnaire (des clés « code », « sections »…)"
            )
            return None
        return self.document(data, display, base_dir, stack, block=block)

    def document(self, data: MarkedDict, display: str, base_dir: Path, stack: tuple, *, block: bool) -> Parts:
        parts = Parts()
        src = self.source_for(display, data)
        standalone_block = data.get("block") is True and not block
        block = block or data.get("block") is True
        self.unknown_keys(data, BLOCK_KEYS if block else TOP_KEYS, display, "du questionnaire")
        if "extends" in data and not block:
            base = self.include(data["extends"], src("extends"), base_dir, stack, block=False)
            if base is not None:
                parts.sections, parts.rules = list(base.sections), list(base.rules)
            parts.extended = True
            parts.exclude = [(c, s) for c, s in self.string_list(data, "exclude", display) if c is not None]
        elif "exclude" in data:
            self.error(src("exclude"), "« exclude » n'a de sens qu'avec « extends »")
        parts.header = self.header(data, display, block=block)
        if standalone_block:  # a thematic block checked on its own: every question kept
            parts.header.update(kind="block", years=(), version=parts.header.get("version", ""))
        for index, section in enumerate(self.items(data, "sections", display, required=not parts.extended)):
            if isinstance(section, MarkedDict):
                parts.sections.append(self.section(section, display))
            else:
                self.error(Source(display, data["sections"].line_of(index)), "une section doit être un bloc de clés")
        for index, rule in enumerate(self.items(data, "rules", display)):
            if isinstance(rule, MarkedDict):
                built = self.rule(rule, display)
                if built is not None:
                    parts.rules.append(built)
            else:
                self.error(Source(display, data["rules"].line_of(index)), "une règle doit être un bloc de clés")
        for name, source in self.string_list(data, "include", display):
            included = self.include(name, source, base_dir, stack, block=True)
            if included is not None:
                parts.sections += included.sections
                parts.rules += included.rules
        return parts

    def include(self, name, source: Source, base_dir: Path, stack: tuple, *, block: bool) -> Parts | None:
        if not isinstance(name, str) or not name.strip():
            self.error(source, "nom de fichier attendu")
            return None
        path = base_dir / name
        if path.resolve() in stack:
            self.error(source, f"inclusion circulaire : « {name} » s'inclut lui-même")
            return None
        if not path.is_file():
            self.error(source, f"fichier « {name} » introuvable (chemin relatif au fichier qui l'inclut)")
            return None
        display = str(Path(source.file).parent / name) if Path(source.file).parent != Path(".") else name
        return self.read_file(path, display, stack, block=block)

    def header(self, data: MarkedDict, display: str, *, block: bool) -> dict:
        src = self.source_for(display, data)
        header = {}
        for key in ("code", "version", "title"):
            value = data.get(key)
            if value is None or str(value).strip() == "":
                if not block:
                    self.error(src(key), f"« {key} » manquant pour le questionnaire")
                continue
            header[key] = str(value).strip()
        if not block:
            kind = data.get("kind")
            if kind not in KINDS:
                self.error(src("kind"), f"« kind » doit valoir {' ou '.join(KINDS)}, pas « {kind} »")
            header["kind"] = kind
            years = data.get("years", data.get("year"))
            years = years if isinstance(years, list) else [years]
            if not all(isinstance(y, int) and not isinstance(y, bool) and 2000 <= y <= 2100 for y in years):
                self.error(
                    src("years" if "years" in data else "year"), "« years » : liste d'années attendue (2000–2100)"
                )
            header["years"] = tuple(y for y in years if isinstance(y, int))
        header["source"] = Source(display, data.line)
        return header

    # -- sections and questions --------------------------------------------------------------------------------

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

    # -- rules -------------------------------------------------------------------------------------------------

    def rule(self, data: MarkedDict, display: str) -> Rule | None:
        src = self.source_for(display, data)
        self.unknown_keys(data, RULE_KEYS, display, "de la règle")
        code = self.code(data, display, "la règle")
        what = f"la règle {code}"
        severity = data.get("severity", "error")
        if severity not in ("error", "warning"):
            self.error(src("severity"), f"{what} : « severity » vaut error ou warning, pas « {severity} »")
        tolerance = self.number_value(data.get("tolerance", 0), src("tolerance"), what) or Decimal(0)
        common = dict(code=code, source=src("code"), tolerance=tolerance, severity=severity,
                      message=self.text(data, "message", display, what))  # fmt: skip
        if ("sum" in data) + ("check" in data) != 1 or (("sum" in data) != ("total" in data)):
            self.error(src("code"), f"{what} : donner soit « sum » et « total », soit « check »")
            return None
        if "sum" in data:
            parts = [self.term(t, src("sum"), what) for t in self.items(data, "sum", display)]
            total = self.term(data["total"], src("total"), what)
            if not parts:
                self.error(src("sum"), f"{what} : « sum » sans parts")
            if not parts or None in parts or total is None:
                return None
            return Rule(left=tuple(parts), operator="==", right=(total,), **common)
        return self.expression(data["check"], src("check"), what, common)

    def expression(self, text, source: Source, what: str, common: dict) -> Rule | None:
        text = str(text)
        match = re.search(r"<=|>=|==|!=|<|>", text)
        if match is None or match.group() not in COMPARISON_OPERATORS:
            self.error(source, f"{what} : comparaison attendue (<=, <, >=, >, ==, !=) dans « {text} »")
            return None
        sides = []
        for side in (text[: match.start()], text[match.end() :]):
            side = side.strip()
            inner = re.fullmatch(r"sum\((.*)\)", side)
            terms = inner.group(1).split(",") if inner else side.split("+")
            sides.append([self.term(t.strip(), source, what) for t in terms])
        if any(None in side or not side for side in sides):
            return None
        return Rule(left=tuple(sides[0]), operator=match.group(), right=tuple(sides[1]), **common)

    def term(self, text, source: Source, what: str) -> Ref | Decimal | None:
        if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
            return Decimal(str(text))
        text = str(text).strip()
        match = REF_RE.match(text)
        if match:
            return Ref(*match.groups())
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:
            self.error(source, f"{what} : « {text} » n'est ni un code de question ni un nombre")
            return None

    # -- small readers -----------------------------------------------------------------------------------------

    @staticmethod
    def source_for(display: str, data: MarkedDict):
        return lambda key: Source(display, data.line_of(key))

    def unknown_keys(self, data: MarkedDict, allowed: set, display: str, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error(Source(display, data.line_of(key)), f"clé inconnue « {key} » {what}")

    def code(self, data: MarkedDict, display: str, what: str) -> str:
        code = data.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            rule = "majuscules, chiffres et _, commençant par une lettre"
            self.error(self.source_for(display, data)("code"), f"{what} : code « {code} » invalide ({rule})")
            return str(code)
        return code

    def text(self, data: MarkedDict, key: str, display: str, what: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(self.source_for(display, data)(key), f"{what} : « {key} » manquant")
            return ""
        if not isinstance(value, str | int | float):
            self.error(self.source_for(display, data)(key), f"{what} : « {key} » doit être un texte")
            return ""
        return str(value).strip()

    def boolean(self, data: MarkedDict, key: str, display: str, what: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.error(self.source_for(display, data)(key), f"{what} : « {key} » vaut true ou false")
            return False
        return value

    def kinds(self, data: MarkedDict, display: str, what: str) -> tuple[str, ...]:
        kinds = data.get("kinds", list(KINDS))
        if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
            self.error(self.source_for(display, data)("kinds"), f"{what} : « kinds » est une liste parmi csx, evs")
            return KINDS
        return tuple(kinds)

    def items(self, data: MarkedDict, key: str, display: str, *, required: bool = False) -> MarkedList:
        value = data.get(key)
        if value is None:
            if required:
                self.error(self.source_for(display, data)(key), f"« {key} » manquant (liste attendue)")
            return MarkedList()
        if not isinstance(value, MarkedList):
            self.error(self.source_for(display, data)(key), f"« {key} » doit être une liste")
            return MarkedList()
        return value

    def string_list(self, data: MarkedDict, key: str, display: str) -> list[tuple[str | None, Source]]:
        value = data.get(key)
        if isinstance(value, str):
            return [(value, self.source_for(display, data)(key))]
        items = self.items(data, key, display)
        return [(str(v) if v is not None else None, Source(display, items.line_of(i))) for i, v in enumerate(items)]

    def number_value(self, value, source: Source, what: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.error(source, f"{what} : nombre attendu, pas « {value} »")
            return None
        try:
            return Decimal(str(value).replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            self.error(source, f"{what} : nombre attendu, pas « {value} »")
            return None

    def date_value(self, value, source: Source, what: str) -> datetime.date | None:
        if value is None or isinstance(value, datetime.date):
            return value
        try:
            return datetime.datetime.strptime(str(value), "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            self.error(source, f"{what} : date attendue (jj/mm/aaaa ou aaaa-mm-jj), pas « {value} »")
            return None


def build_from_file(path: Path):
    builder = Builder()
    parts = builder.read_file(path, str(path), (), block=False)
    return _finish(builder, parts)


def build_from_text(text: str, *, name: str, base_dir: Path):
    builder = Builder()
    parts = builder.read_text(text, name, base_dir, (), block=False)
    return _finish(builder, parts)


def _finish(builder: Builder, parts: Parts | None):
    from .definition_checks import assemble

    questionnaire = assemble(builder, parts) if parts is not None else None
    if builder.errors:
        return None, sorted(builder.errors, key=lambda e: (e.file, e.line))
    return questionnaire, []
