"""What the correspondent reads of a coherence flag, and the questions offered for a correction.

A flag is stored with question codes and raw figures (`observatory.checks.anomalies`); the page shows instead:
each question's label with this year's answer, last year's and the change side by side (`figures`), the score in
words (`score_in_words`: « 21 fois l'écart habituel » rather than a robust z of 21.49…). Corrections pick their
question from a list of the questionnaire's questions by label, grouped by section (`question_groups`); a choice
outside the list is refused with a French message naming the field (`check_choices`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from maillage.observatory.checks import checking
from maillage.observatory.checks.anomalies import FlagKind, Thresholds
from maillage.observatory.definitions.values import format_exact, is_empty, parse_answer

NBSP = "\u00a0"
CHOICE_ERROR = "Question à corriger{where} : choisissez une question de la liste."


@dataclass(frozen=True)
class FigureRow:
    label: str
    this_year: str
    last_year: str
    change: str


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool | list | dict):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def rounded(value: Decimal) -> str:
    """A multiple or a score, rounded as one says it: 21,49 → « 21 », 4,26 → « 4,3 », 2,0 → « 2 »."""
    value = abs(value)
    return format_exact(value.quantize(Decimal(1) if value >= 10 else Decimal("0.1"), rounding=ROUND_HALF_UP))


def _number(question, raw) -> Decimal | None:
    if question is None or not question.is_numeric or question.type == "grid":
        return None
    value, problem = parse_answer(question, raw)
    return None if problem or value is None or isinstance(value, bool) else Decimal(str(value))


def _shown(question, raw, display) -> str:
    if question is None:
        return "—"
    return display(question, raw) or "—"


def _change(now: Decimal | None, before: Decimal | None, unit: str) -> str:
    """« +250 000 € (+63 %) », « −2 (−18 %) », « inchangé »; « — » when a year is missing."""
    if now is None or before is None:
        return "—"
    difference = now - before
    if difference == 0:
        return "inchangé"
    sign = "+" if difference > 0 else "−"
    text = f"{sign}{format_exact(abs(difference))}"
    if unit:
        text += f"{NBSP}{unit}"
    if before > 0:
        percent = (abs(difference) / before * 100).quantize(Decimal(1))
        text += f" ({sign}{format_exact(percent)}{NBSP}%)"
    return text


def figures(definition, flag, answers: dict, previous: dict | None, display) -> list[FigureRow]:
    """One row per question of the flag: its label, this year's answer, last year's, and the change. A missing
    thematic block lists none (its questions are all empty: the card says how many)."""
    if flag.kind == FlagKind.MISSING_BLOCK:
        return []
    rows = []
    for code in flag.codes:
        question = definition.question(code) if code in definition else None
        if question is None:
            continue
        before_raw = previous.get(code) if previous is not None else None
        now, before = _number(question, answers.get(code)), _number(question, before_raw)
        last_year = "pas de réponse l'an dernier" if previous is None else _shown(question, before_raw, display)
        rows.append(FigureRow(question.label, _shown(question, answers.get(code), display), last_year,
                              _change(now, before, question.unit or "")))  # fmt: skip
    return rows


def _ratio_rule(definition, flag):
    codes = tuple(flag.codes)
    return next((r for r in checking.checked_codes(definition).ratios if (r.numerator, r.denominator) == codes), None)


def score_in_words(definition, flag) -> str:
    """How far the figure is from what is expected, in words, for each kind of flag."""
    values = flag.values or {}
    if flag.kind == FlagKind.OUTLIER:
        # The explanation already gives the score (« 33,8 fois l'écart habituel »): here, the value against the
        # median, as one would say it.
        value, median = _decimal(values.get("value")), _decimal(values.get("median"))
        if value is None or not median or value <= 0 or median < 0:
            return ""
        peers = f"la médiane des structures comparables ({format_exact(median)})"
        if value >= median:
            return f"Soit {rounded(value / median)} fois {peers}."
        return f"Soit {rounded(median / value)} fois moins que {peers}."
    if flag.kind == FlagKind.JUMP:
        now, before = _decimal(values.get("current")), _decimal(values.get("previous"))
        if now is None or not before:
            return ""
        if now == 0:
            return "Évolution : la valeur est tombée à zéro en un an."
        factor = now / before
        moved = f"multipliée par {rounded(factor)}" if factor >= 1 else f"divisée par {rounded(1 / factor)}"
        limit = (Thresholds().jump * 100).quantize(Decimal(1))
        return f"Évolution : valeur {moved} en un an. Un écart de plus de {limit} % est signalé."
    if flag.kind == FlagKind.IMPOSSIBLE_RATIO:
        rule = _ratio_rule(definition, flag)
        ratio = _decimal(values.get("ratio"))
        if rule is None:
            return ""
        numerator, denominator = (definition.question(c).label for c in flag.codes)
        if ratio is None:
            return f"Rapport : « {numerator} » est positif alors que « {denominator} » vaut 0."
        shown = format_exact(ratio.quantize(Decimal("0.01")).normalize())
        if rule.minimum is not None and rule.maximum is not None:
            expected = f"entre {format_exact(rule.minimum)} et {format_exact(rule.maximum)}"
        elif rule.maximum is not None:
            expected = f"au plus {format_exact(rule.maximum)}"
        else:
            expected = f"au moins {format_exact(rule.minimum)}"
        return f"Rapport : « {numerator} » vaut {shown} fois « {denominator} » ; il doit être {expected}."
    if flag.kind == FlagKind.MISSING_BLOCK:
        count = len(flag.codes)
        return f"Aucune des {count} questions du bloc n'a de réponse." if count > 1 else "La question est sans réponse."
    return ""


def question_labels(definition, codes) -> list[str]:
    return [definition.question(code).label for code in codes if code in definition]


def correctable(question) -> bool:
    """Questions whose answer is typed in one field (a grid is corrected in the questionnaire itself)."""
    return question.type != "grid"


def question_groups(definition) -> list[tuple[str, list[tuple[str, str]]]]:
    """The questions a correction may pick, by section: (section title, [(code, label)])."""
    groups = []
    for section in definition.sections:
        choices = [(q.code, q.label) for q in section.questions if correctable(q)]
        if choices:
            groups.append((section.title, choices))
    return groups


def check_choices(definition, rows) -> None:
    """Refuse, naming the field, a posted line whose question is not one of the list (`question_groups`), a value
    given without its question, and a form without any question chosen."""
    allowed = {code for _, choices in question_groups(definition) for code, _ in choices}
    lines = [(number, (code or "").strip(), value) for number, (code, value) in enumerate(rows, start=1)]
    for number, code, value in lines:
        where = "" if len(lines) == 1 else f" (ligne {number})"
        if code and code not in allowed:
            raise checking.CheckError(CHOICE_ERROR.format(where=where), "code")
        if not code and not is_empty(value):
            raise checking.CheckError(f"Question à corriger{where} : choisissez la question de cette valeur.", "code")
    if not any(code for _, code, _ in lines):
        raise checking.CheckError(CHOICE_ERROR.format(where=""), "code")
