"""Every message a structure or a correspondent reads about the questionnaire names the question by its French
label and writes the value in French, never a code (« (PUB_AGES) = 406 », « RH_SALARIES est supérieur à 0 »).
The shipped questionnaires are walked: every rule is broken on purpose, every bound exceeded, every condition
described, and each text is searched for a code."""

import re
from decimal import Decimal

import pytest

from maillage.observatory.definitions.builder import shipped_definition
from maillage.observatory.definitions.questionnaire import NUMERIC_TYPES, Ref
from maillage.observatory.definitions.validation import validate
from maillage.observatory.forms import condition_text

CODE = re.compile(r"\b[A-Z][A-Z0-9]+_[A-Z0-9_]+\b")  # RH_SALARIES, PUB_AGES, R_AGES, TH25_FRANCE_SERVICES
SHIPPED = ["csx_2025.yaml", "evs_2025.yaml"]
BIG, SMALL = Decimal(123_456), Decimal(1)


@pytest.fixture(scope="module", params=SHIPPED)
def definition(request):
    return shipped_definition(request.param)


def _fill(definition, ref: Ref, number: Decimal, answers: dict) -> None:
    question = definition.question(ref.question)
    if question.type != "grid":
        answers[ref.question] = str(number)
        return
    column = ref.column or next(c.code for c in question.columns if c.type in NUMERIC_TYPES)
    rows = [r.code for r in question.rows if ref.row in (None, "*", r.code)]
    answers[ref.question] = {row: {column: str(number)} for row in rows[:1]}


def _breaking(definition, rule) -> dict:
    """Answers that break `rule`: the side that must be smaller gets the big number."""
    left, right = (BIG, SMALL) if rule.operator in ("==", "<=", "<") else (SMALL, BIG)
    if rule.operator == "!=":
        left = right = BIG
    answers = {}
    for terms, number in ((rule.left, left), (rule.right, right)):
        for term in terms:
            if isinstance(term, Ref):
                _fill(definition, term, number, answers)
    for question in definition.questions:  # make every condition of the questions involved hold
        if question.code in answers and question.condition is not None:
            condition = question.condition
            holding = {"is_true": "oui", "greater_than": "5", "in": (condition.value or [None])[0]}
            answers.setdefault(condition.question, holding.get(condition.operator, condition.value))
    return answers


def test_every_rule_speaks_french_with_labels(definition):
    assert definition.rules
    for rule in definition.rules:
        issues = [issue for r in [validate(definition, _breaking(definition, rule))] for issue in r.errors + r.warnings]
        [issue] = [issue for issue in issues if issue.rule == rule.code]
        assert CODE.findall(issue.message) == [], issue.message
        for code in rule.questions:
            assert f"« {definition.question(code).label}" in issue.message, (rule.code, issue.message)
        assert "123 456" in issue.message or "123456" not in issue.message  # a French number


def test_the_age_grid_agrees_with_its_rule():
    definition = shipped_definition("csx_2025.yaml")
    ages = definition.question("PUB_AGES")
    assert "laissez vide" in ages.help.lower() and "jamais supérieur" in ages.help
    known = {"PUB_PARTICIPANTS_UNIQUES": "400", "PUB_AGES": {"a0_6": {"nombre": "100"}, "a26_59": {"nombre": "250"}}}
    assert [i for i in validate(definition, known).errors if i.rule == "R_AGES"] == []  # unknown ages left empty
    too_many = {**known, "PUB_AGES": {"a0_6": {"nombre": "156"}, "a26_59": {"nombre": "250"}}}
    [issue] = [i for i in validate(definition, too_many).errors if i.rule == "R_AGES"]
    assert issue.message == (
        "Les participants par tranche d'âge ne peuvent pas dépasser les participants uniques (les âges inconnus "
        "restent vides) : « Participants uniques par tranche d'âge » (406) doit être inférieur ou égal à "
        "« Participants uniques sur l'année » (400)"
    )


def test_every_bound_is_named_by_its_label(definition):
    for question in definition.questions:
        if question.type in NUMERIC_TYPES and question.max is not None:
            result = validate(definition, {question.code: str(question.max + 1)})
            for issue in result.errors_for(question.code):
                assert CODE.findall(issue.message) == [], issue.message
                assert issue.message.startswith(f"« {question.label} » : ")


def test_every_condition_is_described_with_labels(definition):
    described = 0
    for question in definition.questions:
        if question.condition is None:
            continue
        target = definition.question(question.condition.question)
        for text in (question.condition.describe(definition), condition_text(definition, question.condition)):
            assert CODE.findall(text) == [], text
            assert f"« {target.label} »" in text
        described += 1
    assert described >= 5
    salaries = next(q for q in definition.questions if q.condition and q.condition.question == "RH_SALARIES")
    assert salaries.condition.describe(definition) == "« Nombre de salariés » est supérieur à 0"
