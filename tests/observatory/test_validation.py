"""Validation of answers: parsing raw input of every type, conditions, rules, required, warnings, progress."""

import datetime
from decimal import Decimal

import pytest

from maillage.observatory.definitions.builder import load_definition_text
from maillage.observatory.definitions.validation import validate

QUESTIONNAIRE = load_definition_text(
    """\
code: T
version: "1"
title: T
kind: csx
years: [2025]
sections:
  - code: S1
    title: Un
    questions:
      - {code: INT, label: Entier, help: h, type: integer, max: 1000, unlikely: {max: 100}}
      - {code: DEC, label: Décimal, help: h, type: decimal}
      - {code: EUR, label: Montant, help: h, type: money}
      - {code: PCT, label: Part, help: h, type: percentage}
      - {code: YN, label: Oui non, help: h, type: boolean, required: true}
      - {code: ONE, label: Choix, help: h, type: single_choice, options: [{value: a, label: Alpha}, b]}
      - {code: MANY, label: Choix multiples, help: h, type: multiple_choice, options: [x, y, z]}
      - {code: TXT, label: Texte, help: h, type: short_text, max_length: 5}
      - {code: LONG, label: Long, help: h, type: long_text}
      - {code: DAY, label: Date, help: h, type: date, min: 01/01/2000, max: 31/12/2024}
      - code: GRID
        label: Âges
        help: h
        type: grid
        rows: [{code: a0_6, label: 0-6 ans}, {code: a7_10, label: 7-10 ans}]
        columns: [{code: n, label: Nombre, unlikely: {max: 50}}, {code: ok, label: OK, type: boolean}]
  - code: S2
    title: Deux
    questions:
      - {code: TOTAL, label: Total, help: h, type: decimal}
      - {code: P1, label: Part 1, help: h, type: decimal}
      - {code: P2, label: Part 2, help: h, type: decimal, show_if: {question: YN, is_true: true}}
      - {code: IF_EQ, label: Si a, help: h, type: integer, required: true, show_if: {question: ONE, equals: a}}
      - {code: IF_NE, label: Si pas a, help: h, type: integer, show_if: {question: ONE, not_equals: a}}
      - {code: IF_IN, label: Si x ou y, help: h, type: integer, show_if: {question: ONE, in: [a, b]}}
      - {code: IF_HAS, label: Si z coché, help: h, type: integer, show_if: {question: MANY, contains: z}}
      - {code: IF_GT, label: Si > 10, help: h, type: integer, show_if: {question: INT, greater_than: 10}}
      - {code: IF_GE, label: Si >= 10, help: h, type: integer, show_if: {question: INT, at_least: 10}}
      - {code: IF_LT, label: Si < 10, help: h, type: integer, show_if: {question: INT, less_than: 10}}
      - {code: IF_NO, label: Si non, help: h, type: integer, show_if: {question: YN, is_false: true}}
      - {code: IF_ANS, label: Si daté, help: h, type: integer, show_if: {question: DAY, answered: true}}
      - {code: CHAIN, label: En chaîne, help: h, type: integer, show_if: {question: IF_EQ, answered: true}}
rules:
  - {code: R_SUM, sum: [P1, P2], total: TOTAL, tolerance: 0.1}
  - {code: R_GRID, check: "GRID.*.n <= INT"}
  - {code: R_WARN, check: "DEC <= EUR", severity: warning}
"""
)


def check(answers, confirmations=None):
    return validate(QUESTIONNAIRE, {"YN": "oui", **answers}, confirmations)


def error_messages(result):
    return [issue.message for issue in result.errors]


@pytest.mark.parametrize(
    ("code", "raw", "value"),
    [
        ("INT", "1 200", None),  # over the max: checked below
        ("INT", "12", 12),
        ("INT", "1.000", 1000),
        ("INT", 7, 7),
        ("DEC", "12,5", Decimal("12.5")),
        ("DEC", "1.25", Decimal("1.25")),
        ("DEC", "1\u202f200,75", Decimal("1200.75")),
        ("EUR", "1 200 €", Decimal(1200)),
        ("EUR", "1.200,50", Decimal("1200.50")),
        ("PCT", "12,5 %", Decimal("12.5")),
        ("YN", "Non", False),
        ("YN", "o", True),
        ("YN", True, True),
        ("ONE", "a", "a"),
        ("ONE", "alpha", "a"),
        ("MANY", ["z", "x"], ("x", "z")),
        ("MANY", "y", ("y",)),
        ("TXT", "  abc ", "abc"),
        ("LONG", "Un long texte", "Un long texte"),
        ("DAY", "05/03/2024", datetime.date(2024, 3, 5)),
        ("DAY", "2024-03-05", datetime.date(2024, 3, 5)),
        ("GRID", {"a0_6": {"n": "12", "ok": "oui"}, "a7_10": {"n": ""}}, {"a0_6": {"n": 12, "ok": True}}),
    ],
)
def test_valid_raw_input_of_each_type(code, raw, value):
    result = check({code: raw})
    if value is None:
        assert result.errors
        return
    assert not result.errors, result.errors
    assert result.values[code] == value


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("INT", "douze", "« Entier » : nombre attendu, pas « douze »"),
        ("INT", "12,5", "« Entier » : nombre entier attendu, pas « 12,5 »"),
        ("INT", True, "nombre attendu, pas une réponse oui / non"),
        ("DEC", "1,2,3", "nombre attendu"),
        ("EUR", "12,345", "au plus deux décimales"),
        ("PCT", "120", "« Part » : 120 dépasse le maximum possible (100)"),
        ("INT", "-3", "« Entier » : -3 est inférieur au minimum possible (0)"),
        ("INT", "1 200", "1 200 dépasse le maximum possible (1 000)"),
        ("YN", "peut-être", "« Oui non » : répondre par oui ou non, pas « peut-être »"),
        ("ONE", "c", "« Choix » : « c » ne fait pas partie des choix proposés"),
        ("ONE", ["a", "b"], "un seul choix attendu"),
        ("MANY", ["x", "w"], "« w » ne fait pas partie des choix proposés"),
        ("TXT", "abcdef", "texte trop long (6 caractères pour 5 au plus)"),
        ("DAY", "31/02/2024", "date attendue au format jj/mm/aaaa, pas « 31/02/2024 »"),
        ("DAY", "01/01/1999", "est inférieur au minimum possible (01/01/2000)"),
        ("GRID", {"a0_6": {"n": "x"}}, "« Âges » : 0-6 ans / Nombre : nombre attendu, pas « x »"),
        ("GRID", {"zz": {"n": "1"}}, "ligne inconnue « zz »"),
        ("GRID", {"a0_6": {"zz": "1"}}, "colonne inconnue « zz »"),
        ("GRID", "12", "tableau attendu"),
        ("GRID", {"a0_6": {"n": "-1"}}, "« Âges », 0-6 ans / Nombre : -1 est inférieur au minimum possible (0)"),
    ],
)
def test_invalid_raw_input_is_a_blocking_error_naming_the_question(code, raw, message):
    result = check({code: raw})
    assert any(message in m for m in error_messages(result)), error_messages(result)
    assert all(code in issue.questions for issue in result.errors)
    # unreadable values are dropped; readable values out of range are kept (the form shows them back)
    assert (code in result.values) == ("possible" in message)


@pytest.mark.parametrize(
    ("answers", "visible", "hidden"),
    [
        ({"ONE": "a"}, {"IF_EQ", "IF_IN"}, {"IF_NE"}),
        ({"ONE": "b"}, {"IF_NE", "IF_IN"}, {"IF_EQ"}),
        ({}, set(), {"IF_EQ", "IF_NE", "IF_IN"}),  # unanswered: conditions are false
        ({"MANY": ["z"]}, {"IF_HAS"}, set()),
        ({"MANY": ["x"]}, set(), {"IF_HAS"}),
        ({"INT": "11"}, {"IF_GT", "IF_GE"}, {"IF_LT"}),
        ({"INT": "10"}, {"IF_GE"}, {"IF_GT", "IF_LT"}),
        ({"INT": "9"}, {"IF_LT"}, {"IF_GT", "IF_GE"}),
        ({"YN": "non"}, {"IF_NO"}, {"P2"}),
        ({"YN": "oui"}, {"P2"}, {"IF_NO"}),
        ({"DAY": "01/01/2020"}, {"IF_ANS"}, set()),
        ({"DAY": "pas une date"}, set(), {"IF_ANS"}),  # unreadable counts as unanswered
        ({"ONE": "a", "IF_EQ": "1"}, {"CHAIN"}, set()),
        ({"ONE": "b", "IF_EQ": "1"}, set(), {"CHAIN", "IF_EQ"}),  # depends on a hidden question
    ],
)
def test_each_condition_kind(answers, visible, hidden):
    result = check(answers)
    assert visible <= result.visible
    assert not hidden & result.visible


def test_hidden_questions_are_ignored():
    result = check({"ONE": "b", "IF_EQ": "pas un nombre"})
    assert result.errors == [] and "IF_EQ" not in result.values


def test_required_only_when_visible():
    assert "IF_EQ" in check({"ONE": "a"}).missing_required
    assert "IF_EQ" not in check({"ONE": "b"}).missing_required
    assert check({"YN": ""}).missing_required == ["YN"]


def test_sum_rule_violated_names_every_question():
    result = check({"TOTAL": "10", "P1": "4", "P2": "5"})
    [issue] = result.errors
    assert (issue.key, issue.rule, issue.questions) == ("R_SUM", "R_SUM", ("P1", "P2", "TOTAL"))
    assert "La somme de « Part 1 » (4) et « Part 2 » (5), soit 9, doit être égal à" in issue.message
    assert "doit être égal à « Total » (10), à 0,1 près" in issue.message


def test_sum_rule_satisfied_within_tolerance():
    assert check({"TOTAL": "10", "P1": "4,95", "P2": "5"}).errors == []


def test_sum_rule_hidden_part_counts_as_zero():
    assert check({"YN": "non", "TOTAL": "4", "P1": "4", "P2": "6"}).errors == []
    assert check({"YN": "non", "TOTAL": "10", "P1": "4", "P2": "6"}).errors[0].key == "R_SUM"


def test_rule_skipped_while_a_side_is_unanswered():
    assert check({"TOTAL": "10"}).errors == []
    assert check({"P1": "3"}).errors == []


def test_grid_comparison_rule():
    grid = {"a0_6": {"n": "30"}, "a7_10": {"n": "25"}}
    [issue] = check({"GRID": grid, "INT": "50"}).errors
    assert (
        issue.key == "R_GRID"
        and "« Âges / Nombre » (55) doit être inférieur ou égal à « Entier » (50)" in issue.message
    )
    assert check({"GRID": grid, "INT": "55"}).errors == []


def test_unlikely_value_warns_until_justified():
    result = check({"INT": "150"})
    assert result.errors == []
    [warning] = result.warnings
    assert warning.key == "INT" and "150 paraît élevé (habituellement au plus 100)" in warning.message
    assert not result.can_submit
    assert check({"INT": "150"}, {"INT": "   "}).warnings  # a blank justification does not count
    confirmed = check({"INT": "150"}, {"INT": "Nouvelle salle ouverte en mars"})
    assert confirmed.warnings == [] and confirmed.confirmed == [warning]


def test_unlikely_grid_cell_and_warning_rule():
    result = check({"GRID": {"a7_10": {"n": "60"}}, "INT": "100", "DEC": "10", "EUR": "5"})
    assert {w.key for w in result.warnings} == {"GRID", "R_WARN"}
    result = check(
        {"GRID": {"a7_10": {"n": "60"}}, "INT": "100", "DEC": "10", "EUR": "5"}, {"R_WARN": "ok", "GRID": "ok"}
    )
    assert result.warnings == [] and result.errors == []


def test_progress_by_section():
    result = check({"INT": "5", "DEC": "bad", "ONE": "a", "TOTAL": "1", "P1": "1"})
    assert result.progress_by_section["S1"].answered == 3  # YN, INT, ONE; DEC is unreadable
    assert result.progress_by_section["S1"].total == 11
    s2 = result.progress_by_section["S2"]
    # visible in S2: TOTAL, P1, P2 (YN oui), IF_EQ, IF_IN (ONE a), IF_LT (INT 5)
    assert (s2.answered, s2.total, s2.percent) == (2, 6, 33)
    assert result.progress.total == 17


def test_complete_answers_can_be_submitted():
    result = check({"TOTAL": "9", "P1": "4", "P2": "5"})
    assert result.can_submit
