"""Validate a structure's answers against a questionnaire definition — pure Python, no ORM.

`validate(questionnaire, answers, confirmations)` takes raw answers by question code (form strings, imported
cells or typed values; grids as `{row: {column: value}}`) and returns a `Result`:

- `errors`: blocking problems — unreadable values, values out of the min/max range, violated rules of severity
  "error". Each names its question(s); a rule's issue names every question involved.
- `warnings`: unlikely values and violated rules of severity "warning". A warning disappears (it moves to
  `confirmed`) when `confirmations` holds a non-blank justification under its `key` (the question code, or the
  rule code).
- `missing_required`: codes of required questions that are visible and unanswered.
- `progress_by_section`: answered visible questions / visible questions, per section code.
- `values`: the typed values of the visible, readable answers, out of range or not (what should be stored).

Hidden questions (their condition is false, or the question it depends on is itself hidden) are ignored: no
errors, not required, not counted, and they count as unanswered in conditions and rules. A condition on an
unanswered question is false. On a multiple choice, `equals`/`in` test whether the option is ticked.
A rule compares the sums of its two sides; a side whose questions are all unanswered (or hidden) skips the rule,
otherwise its unanswered parts count as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .questionnaire import NUMERIC_TYPES, Question, Questionnaire, Ref, Rule
from .values import format_exact, grid_cells, is_empty, parse_answer

OPERATOR_TEXT = {
    "==": "doit être égal à",
    "!=": "doit être différent de",
    "<=": "doit être inférieur ou égal à",
    "<": "doit être inférieur à",
    ">=": "doit être supérieur ou égal à",
    ">": "doit être supérieur à",
}


@dataclass(frozen=True)
class Issue:
    key: str  # question code or rule code: what a confirmation refers to
    message: str
    questions: tuple[str, ...]
    rule: str | None = None


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else round(100 * self.answered / self.total)


@dataclass
class Result:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    confirmed: list[Issue] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    progress_by_section: dict[str, Progress] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    visible: set[str] = field(default_factory=set)

    @property
    def can_submit(self) -> bool:
        return not (self.errors or self.warnings or self.missing_required)

    def errors_for(self, code: str) -> list[Issue]:
        return [i for i in self.errors if code in i.questions]

    def warnings_for(self, code: str) -> list[Issue]:
        return [i for i in self.warnings if code in i.questions]

    @property
    def progress(self) -> Progress:
        parts = self.progress_by_section.values()
        return Progress(sum(p.answered for p in parts), sum(p.total for p in parts))


def validate(questionnaire: Questionnaire, answers: dict, confirmations: dict | None = None) -> Result:
    confirmations = {k: v for k, v in (confirmations or {}).items() if isinstance(v, str) and v.strip()}
    parsed, problems = {}, {}
    for question in questionnaire.questions:
        raw = answers.get(question.code)
        if not is_empty(raw):
            parsed[question.code], problems[question.code] = parse_answer(question, raw)
    result = Result()
    visibility = _Visibility(questionnaire, parsed)
    warnings: list[Issue] = []
    for section in questionnaire.sections:
        answered = total = 0
        for question in section.questions:
            if not visibility.visible(question.code):
                continue
            result.visible.add(question.code)
            total += 1
            code = question.code
            if problems.get(code):
                result.errors.append(Issue(code, f"{_name(question)} : {problems[code]}", (code,)))
            elif parsed.get(code) is None:
                if question.required:
                    result.missing_required.append(code)
            else:
                answered += 1
                result.values[code] = parsed[code]
                _check_ranges(question, parsed[code], result.errors, warnings)
        result.progress_by_section[section.code] = Progress(answered, total)
    for rule in questionnaire.rules:
        issue = _check_rule(questionnaire, rule, result.values)
        if issue is not None:
            (warnings if rule.severity == "warning" else result.errors).append(issue)
    for warning in warnings:
        (result.confirmed if warning.key in confirmations else result.warnings).append(warning)
    return result


class _Visibility:
    def __init__(self, questionnaire: Questionnaire, parsed: dict):
        self.questionnaire, self.parsed, self.known = questionnaire, parsed, {}

    def visible(self, code: str) -> bool:
        if code not in self.known:
            self.known[code] = False  # a cycle (rejected by the checker) hides its questions
            condition = self.questionnaire.question(code).condition
            self.known[code] = condition is None or (
                self.visible(condition.question) and _holds(condition, self.parsed.get(condition.question))
            )
        return self.known[code]


def _holds(condition, value) -> bool:
    operator, expected = condition.operator, condition.value
    if value is None:
        return False
    if operator == "answered":
        return True
    if operator in ("is_true", "is_false"):
        return value is (operator == "is_true")
    if operator in ("greater_than", "at_least", "less_than"):
        number, limit = Decimal(value), Decimal(expected)
        return {"greater_than": number > limit, "at_least": number >= limit, "less_than": number < limit}[operator]
    if operator == "in":
        return any(_equals(value, item) for item in expected)
    if operator == "not_equals":
        return not _equals(value, expected)
    return _equals(value, expected)  # equals, contains


def _equals(value, expected) -> bool:
    if isinstance(value, tuple):
        return str(expected) in value
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    if isinstance(value, int | Decimal):
        return Decimal(value) == Decimal(str(expected))
    return value == expected if not isinstance(value, str) else value == str(expected)


def _name(question: Question) -> str:
    """A question as people know it: its label (the code is for files and exports, never for messages)."""
    return f"« {question.label} »"


def _check_ranges(question: Question, value, errors: list, warnings: list) -> None:
    if question.type == "grid":
        for row, column, cell in grid_cells(question, value):
            if column.type in NUMERIC_TYPES:
                where = f"{_name(question)}, {row.label} / {column.label}"
                _check_range(question.code, where, cell, column, errors, warnings)
    elif question.type in NUMERIC_TYPES or question.type == "date":
        _check_range(question.code, _name(question), value, question, errors, warnings)


def _check_range(code: str, where: str, value, spec, errors: list, warnings: list) -> None:
    shown = format_exact(value)
    if spec.min is not None and value < spec.min:
        message = f"{where} : {shown} est inférieur au minimum possible ({format_exact(spec.min)})"
        errors.append(Issue(code, message, (code,)))
    elif spec.max is not None and value > spec.max:
        message = f"{where} : {shown} dépasse le maximum possible ({format_exact(spec.max)})"
        errors.append(Issue(code, message, (code,)))
    elif spec.unlikely_min is not None and value < spec.unlikely_min:
        usual = f"habituellement au moins {format_exact(spec.unlikely_min)}"
        warnings.append(Issue(code, f"{where} : {shown} paraît faible ({usual}) ; confirmez ou corrigez", (code,)))
    elif spec.unlikely_max is not None and value > spec.unlikely_max:
        usual = f"habituellement au plus {format_exact(spec.unlikely_max)}"
        warnings.append(Issue(code, f"{where} : {shown} paraît élevé ({usual}) ; confirmez ou corrigez", (code,)))


def _check_rule(questionnaire: Questionnaire, rule: Rule, values: dict) -> Issue | None:
    left = _side(questionnaire, rule.left, values)
    right = _side(questionnaire, rule.right, values)
    if left is None or right is None:
        return None
    if _compare(left[0], rule.operator, right[0], rule.tolerance):
        return None
    comma = "," if left[1].startswith("la somme de ") else ""  # « la somme de a et b, soit 5, doit être… »
    detail = f"{left[1]}{comma} {OPERATOR_TEXT[rule.operator]} {right[1]}"
    if rule.tolerance:
        detail += f", à {format_exact(rule.tolerance)} près"
    message = f"{rule.message.rstrip(' .')} : {detail}" if rule.message else detail[0].upper() + detail[1:]
    return Issue(rule.code, message, rule.questions, rule.code)


def _compare(left: Decimal, operator: str, right: Decimal, tolerance: Decimal) -> bool:
    gap = left - right
    return {
        "==": abs(gap) <= tolerance,
        "!=": abs(gap) > tolerance,
        "<=": gap <= tolerance,
        "<": gap < tolerance if tolerance else gap < 0,
        ">=": gap >= -tolerance,
        ">": gap > -tolerance if tolerance else gap > 0,
    }[operator]


def _side(questionnaire: Questionnaire, terms, values: dict) -> tuple[Decimal, str] | None:
    """The sum of a side and its description, or None when none of its questions is answered."""
    total, texts, answered, has_refs = Decimal(0), [], False, False
    for term in terms:
        if isinstance(term, Ref):
            has_refs = True
            question = questionnaire.question(term.question)
            number = _ref_value(question, term, values.get(term.question))
            answered = answered or number is not None
            number = number or Decimal(0)
            texts.append(f"{_ref_name(question, term)} ({format_exact(number)})")
        else:
            number = term
            texts.append(format_exact(number))
        total += number
    if has_refs and not answered:
        return None
    text = texts[0] if len(texts) == 1 else f"la somme de {_and(texts)}, soit {format_exact(total)}"
    return total, text


def _ref_value(question: Question, ref: Ref, value) -> Decimal | None:
    if value is None:
        return None
    if question.type != "grid":
        return Decimal(value)
    cells = [
        Decimal(cell)
        for row, column, cell in grid_cells(question, value)
        if column.type in NUMERIC_TYPES and ref.row in (None, "*", row.code) and ref.column in (None, column.code)
    ]
    return sum(cells, Decimal(0)) if cells else None


def _ref_name(question: Question, ref: Ref) -> str:
    parts = [question.label]
    if ref.row not in (None, "*"):
        parts.append(next(r.label for r in question.rows if r.code == ref.row))
    if ref.column is not None:
        parts.append(next(c.label for c in question.columns if c.code == ref.column))
    return f"« {' / '.join(parts)} »"


def _and(texts: list[str]) -> str:
    """« a, b et c »."""
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} et {texts[-1]}"
