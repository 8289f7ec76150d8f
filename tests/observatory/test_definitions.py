"""The questionnaire format: loading, includes, variants, and every checker error with its file and line."""

import datetime
import textwrap
from decimal import Decimal

import pytest

from maillage.observatory.definitions.builder import (
    check_definition,
    check_definition_text,
    load_definition,
    load_definition_text,
)
from maillage.observatory.definitions.questionnaire import InvalidDefinition, Ref

HEADER = """\
code: TEST
version: "1"
title: Test
kind: csx
years: [2025]
"""


def definition(body: str, header: str = HEADER) -> str:
    return header + textwrap.dedent(body)


def errors_of(text: str, **kwargs) -> list[tuple[int, str]]:
    questionnaire, errors = check_definition_text(text, **kwargs)
    assert questionnaire is None
    return [(e.line, e.message) for e in errors]


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


VALID = definition(
    """\
    sections:
      - code: S
        title: Section
        help: Aide de section
        questions:
          - {code: A, label: A, help: aide, type: integer, required: true, max: 100, unlikely: {max: 50}}
          - {code: B, label: B, help: aide, type: decimal, show_if: {question: A, greater_than: 0}}
          - {code: C, label: C, help: aide, type: single_choice, options: [x, {value: y, label: Why}]}
          - {code: D, label: D, help: aide, type: date, min: 01/01/2000}
          - code: G
            label: Grille
            help: aide
            type: grid
            rows: [{code: r1, label: R1}, {code: r2, label: R2}]
            columns: [{code: n, label: N}, {code: ok, label: OK, type: boolean}]
    rules:
      - {code: R1, sum: [B, G.r1], total: A, tolerance: 0.5}
      - {code: R2, check: "sum(G.*.n, 2) <= A", severity: warning}
    """
)


def test_valid_definition_builds_dataclasses():
    questionnaire = load_definition_text(VALID)
    assert (questionnaire.code, questionnaire.kind, questionnaire.years) == ("TEST", "csx", (2025,))
    assert len(questionnaire) == 5
    a = questionnaire.question("A")
    assert (a.required, a.min, a.max, a.unlikely_max) == (True, Decimal(0), Decimal(100), Decimal(50))
    assert questionnaire.question("B").condition.operator == "greater_than"
    assert [o.label for o in questionnaire.question("C").options] == ["x", "Why"]
    assert questionnaire.question("D").min == datetime.date(2000, 1, 1)
    grid = questionnaire.question("G")
    assert [c.type for c in grid.columns] == ["integer", "boolean"]
    r1, r2 = questionnaire.rules
    assert r1.left == (Ref("B"), Ref("G", "r1")) and r1.right == (Ref("A"),) and r1.tolerance == Decimal("0.5")
    assert r2.left == (Ref("G", "*", "n"), Decimal(2)) and r2.operator == "<=" and r2.severity == "warning"
    assert r1.questions == ("B", "G", "A")


def test_percentage_defaults_to_0_100_and_numbers_to_min_0():
    text = definition(
        """\
        sections:
          - code: S
            title: S
            questions:
              - {code: P, label: P, help: h, type: percentage}
              - {code: M, label: M, help: h, type: money, min: -10}
        """
    )
    questionnaire = load_definition_text(text)
    assert (questionnaire.question("P").min, questionnaire.question("P").max) == (0, 100)
    assert questionnaire.question("M").min == -10


def question_text(question: str, extra: str = "") -> str:
    return definition(
        f"""\
        sections:
          - code: S
            title: Section
            questions:
              - {{code: A, label: A, help: h, type: integer}}
              - {question}
        {extra}"""
    )


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("{code: X, label: X, help: h, type: number}", "type inconnu « number »"),
        ("{code: A, label: X, help: h, type: integer}", "code de question « A » déjà utilisé"),
        ("{code: x-1, label: X, help: h, type: integer}", "code « x-1 » invalide"),
        ("{code: X, label: X, type: integer}", "« help » manquant"),
        ("{code: X, label: X, help: h, type: single_choice}", "choix sans options"),
        ("{code: X, label: X, help: h, type: multiple_choice, options: [a, a]}", "option « a » en double"),
        ("{code: X, label: X, help: h, type: integer, min: 10, max: 5}", "minimum (10) supérieur au maximum (5)"),
        ("{code: X, label: X, help: h, type: integer, unlikely: {min: 9, max: 2}}", "minimum (9) supérieur"),
        ("{code: X, label: X, help: h, type: short_text, min: 1}", "bornes réservées aux nombres et aux dates"),
        ("{code: X, label: X, help: h, type: grid, columns: [{code: n, label: N}]}", "grille sans lignes"),
        ("{code: X, label: X, help: h, type: grid, rows: [{code: r, label: R}]}", "grille sans colonnes"),
        ("{code: X, label: X, help: h, type: integer, requird: true}", "clé inconnue « requird »"),
        ("{code: X, label: X, help: h, type: integer, required: oui}", "« required » vaut true ou false"),
        ("{code: X, label: X, help: h, type: integer, kinds: [cs]}", "« kinds » est une liste parmi csx, evs"),
        ("{code: X, label: X, help: h, type: integer, show_if: {question: Z, equals: 1}}", "question inconnue « Z »"),
        ("{code: X, label: X, help: h, type: integer, show_if: {question: X, equals: 1}}", "la question elle-même"),
        ("{code: X, label: X, help: h, type: integer, show_if: {question: A, near: 1}}", "opérateur parmi"),
        (
            "{code: X, label: X, help: h, type: integer, show_if: {question: A, is_true: true}}",
            "réservé aux questions oui",
        ),
        ("{code: X, label: X, help: h, type: date, min: 31/02/2020}", "date attendue"),
    ],
)
def test_each_question_error_names_its_line(question, message):
    text = question_text(question)
    errors = errors_of(text)
    assert any(message in m and line == line_of(text, question[:20]) for line, m in errors), errors


def test_condition_value_must_fit_the_target():
    text = definition(
        """\
        sections:
          - code: S
            title: S
            questions:
              - {code: C, label: C, help: h, type: single_choice, options: [a, b]}
              - {code: X, label: X, help: h, type: integer, show_if: {question: C, equals: z}}
        """
    )
    assert errors_of(text) == [
        (
            line_of(text, "code: X"),
            "la question X : condition sur C (single_choice) : « z » ne fait pas partie des options",
        )
    ]


def test_cycle_in_conditions():
    text = definition(
        """\
        sections:
          - code: S
            title: S
            questions:
              - {code: A, label: A, help: h, type: boolean, show_if: {question: B, is_true: true}}
              - {code: B, label: B, help: h, type: boolean, show_if: {question: A, is_true: true}}
        """
    )
    [(line, message)] = errors_of(text)
    assert line == line_of(text, "code: A") and "cycle dans les conditions d'affichage : A → B → A" in message


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{code: R, sum: [A, Z], total: A}", "question inconnue « Z »"),
        ("{code: R, check: 'A <= T'}", "« T » : T n'est pas un nombre"),
        ("{code: R, check: 'A.r1 <= A'}", "A n'est pas une grille"),
        ("{code: R, check: 'G.zz <= A'}", "ligne « zz » inconnue"),
        ("{code: R, check: 'G.*.zz <= A'}", "colonne « zz » inconnue"),
        ("{code: R, check: 'G.*.ok <= A'}", "n'est pas numérique"),
        ("{code: R, check: 'A ~ 3'}", "comparaison attendue"),
        ("{code: R, check: 'A <= b-c'}", "« b-c » n'est ni un code de question ni un nombre"),
        ("{code: R, sum: [A]}", "soit « sum » et « total », soit « check »"),
        ("{code: R, check: 'A <= 3', severity: fatal}", "« severity » vaut error ou warning"),
        ("{code: S, check: 'A <= 3'}", "code de règle « S » déjà utilisé"),
    ],
)
def test_each_rule_error_names_its_line(rule, message):
    grid = (
        "{code: G, label: G, help: h, type: grid, rows: [{code: r1}], columns: [{code: n}, {code: ok, type: boolean}]}"
    )
    text = definition(
        "sections:\n  - code: S\n    title: S\n    questions:\n"
        "      - {code: A, label: A, help: h, type: integer}\n"
        "      - {code: T, label: T, help: h, type: short_text}\n"
        f"      - {grid}\n"
        f"rules:\n  - {{code: R0, check: 'A >= 0'}}\n  - {rule}\n"
    )
    errors = errors_of(text)
    assert any(message in m and line == line_of(text, rule[:15]) for line, m in errors), errors


def test_header_errors():
    text = "code: T\ntitle: T\nkind: cs\nyears: [1990]\nsections: []\n"
    messages = [m for _, m in errors_of(text)]
    assert "« version » manquant pour le questionnaire" in messages
    assert "« kind » doit valoir csx ou evs, pas « cs »" in messages
    assert "« years » : liste d'années attendue (2000–2100)" in messages


def test_yaml_syntax_error_and_duplicate_key_have_lines():
    assert errors_of("code: [\n") == [(2, "YAML invalide : expected the node content in flow context")] or (
        errors_of("code: [\n")[0][1].startswith("YAML invalide")
    )
    text = definition("sections: []\nsections: []\n")
    assert (7, "clé « sections » répétée dans le même bloc") in errors_of(text)


def test_loading_is_all_or_nothing(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(question_text("{code: X, label: X, help: h, type: number}"), encoding="utf-8")
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(path)
    assert str(excinfo.value).startswith(f"{path}, ligne 11 : la question X : type inconnu")


def test_missing_file():
    questionnaire, [error] = check_definition("/nonexistent/q.yaml")
    assert questionnaire is None and "introuvable" in error.message


BLOCK = """\
code: BLOC
title: Bloc
sections:
  - code: T
    title: Thème
    questions:
      - {code: T1, label: T1, help: h, type: integer}
      - {code: T2, label: T2, help: h, type: integer, show_if: {question: A, answered: true}}
rules:
  - {code: RT, check: "T1 <= A"}
"""


def test_include_appends_sections_and_rules(tmp_path):
    (tmp_path / "bloc.yaml").write_text(BLOCK, encoding="utf-8")
    (tmp_path / "main.yaml").write_text(
        question_text("{code: B, label: B, help: h, type: integer}") + "include: [bloc.yaml]\n"
    )
    questionnaire = load_definition(tmp_path / "main.yaml")
    assert [s.code for s in questionnaire.sections] == ["S", "T"]
    assert [r.code for r in questionnaire.rules] == ["RT"]


def test_include_errors_name_the_included_file(tmp_path):
    (tmp_path / "bloc.yaml").write_text(BLOCK.replace("T1, label", "A, label"), encoding="utf-8")
    (tmp_path / "self.yaml").write_text("sections: []\ninclude: [self.yaml]\n", encoding="utf-8")
    main = (
        question_text("{code: B, label: B, help: h, type: integer}") + "include: [bloc.yaml, missing.yaml, self.yaml]\n"
    )
    (tmp_path / "main.yaml").write_text(main, encoding="utf-8")
    _, errors = check_definition(tmp_path / "main.yaml")
    texts = [str(e) for e in errors]
    assert any(
        t.startswith(f"{tmp_path / 'bloc.yaml'}, ligne 7 : code de question « A » déjà utilisé") for t in texts
    ), texts
    assert any("« missing.yaml » introuvable" in t for t in texts)
    assert any("inclusion circulaire" in t for t in texts)


def test_extends_filters_by_kind_and_exclude(tmp_path):
    base = definition(
        "sections:\n  - code: S\n    title: S\n    questions:\n"
        "      - {code: A, label: A, help: h, type: integer}\n"
        "      - {code: B, label: B, help: h, type: integer, kinds: [csx]}\n"
        "      - {code: E, label: E, help: h, type: integer, kinds: [evs]}\n"
        "rules:\n  - {code: RB, check: 'B <= A'}\n  - {code: RA, check: 'A >= 0'}\n"
    )
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    assert [q.code for q in load_definition(tmp_path / "base.yaml").questions] == ["A", "B"]
    variant = HEADER.replace("csx", "evs").replace("TEST", "VAR") + "extends: base.yaml\nexclude: [E]\n"
    (tmp_path / "variant.yaml").write_text(variant, encoding="utf-8")
    questionnaire = load_definition(tmp_path / "variant.yaml")
    assert (questionnaire.code, [q.code for q in questionnaire.questions]) == ("VAR", ["A"])
    assert [r.code for r in questionnaire.rules] == ["RA"]  # RB lost B: dropped


def test_extends_errors(tmp_path):
    base = question_text("{code: B, label: B, help: h, type: integer, show_if: {question: A, greater_than: 1}}")
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    variant = HEADER + "extends: base.yaml\nexclude: [A, NOPE]\n"
    (tmp_path / "variant.yaml").write_text(variant, encoding="utf-8")
    _, errors = check_definition(tmp_path / "variant.yaml")
    messages = [e.message for e in errors]
    assert "« exclude » : aucune question ni section de code « NOPE » dans le questionnaire de base" in messages
    assert "la question B : la condition porte sur A, absente de ce questionnaire" in messages
    assert errors_of(HEADER + "sections: []\nexclude: [A]\n")[0][1] == "« exclude » n'a de sens qu'avec « extends »"
