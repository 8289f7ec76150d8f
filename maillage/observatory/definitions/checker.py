"""Checks that need the whole questionnaire: duplicate codes, exclusions, conditions, cycles and rule references.

Also filters a variant: questions whose `kinds` lack the questionnaire's kind and codes listed in `exclude`
leave it; rules that lose a question leave with them, conditions that lose theirs are errors.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

from .questionnaire import CHOICE_TYPES, NUMERIC_TYPES, QUESTION_TYPES, Question, Questionnaire, Ref, Rule, Source


def assemble(builder, parts) -> Questionnaire | None:
    header = parts.header
    all_questions = _check_duplicates(builder, parts)
    excluded = _check_exclusions(builder, parts, all_questions)
    kind = header.get("kind")
    sections = []
    for section in parts.sections:
        if section.code in excluded:
            continue
        kept = tuple(q for q in section.questions if kind in (*q.kinds, "block") and q.code not in excluded)
        if kept:
            sections.append(replace(section, questions=kept))
    kept_codes = {q.code: q for s in sections for q in s.questions}
    for question in kept_codes.values():
        _check_condition(builder, question, all_questions, kept_codes)
    _check_cycles(builder, kept_codes)
    rules = [r for r in parts.rules if _check_rule(builder, r, all_questions, kept_codes)]
    if builder.errors or kind is None:
        return None
    return Questionnaire(
        code=header["code"],
        version=header["version"],
        title=header["title"],
        kind=kind,
        years=header["years"],
        sections=tuple(sections),
        rules=tuple(rules),
        source=header["source"],
    )


def _check_duplicates(builder, parts) -> dict[str, Question]:
    seen: dict[str, Source] = {}

    def claim(code: str, source: Source, what: str) -> None:
        if code in seen:
            builder.error(source, f"code {what} « {code} » déjà utilisé ({seen[code]})")
        else:
            seen[code] = source

    questions: dict[str, Question] = {}
    for section in parts.sections:
        claim(section.code, section.source, "de section")
        for question in section.questions:
            claim(question.code, question.source, "de question")
            questions.setdefault(question.code, question)
    for rule in parts.rules:
        claim(rule.code, rule.source, "de règle")
    return questions


def _check_exclusions(builder, parts, questions: dict[str, Question]) -> set[str]:
    section_codes = {s.code for s in parts.sections}
    for code, source in parts.exclude:
        if code not in questions and code not in section_codes:
            builder.error(
                source, f"« exclude » : aucune question ni section de code « {code} » dans le questionnaire de base"
            )
    return {code for code, _ in parts.exclude}


def _check_condition(builder, question: Question, questions: dict, kept: dict) -> None:
    condition = question.condition
    if condition is None:
        return
    what = f"la question {question.code}"
    source = condition.source or question.source
    target = questions.get(condition.question)
    if target is None:
        builder.error(source, f"{what} : la condition porte sur une question inconnue « {condition.question} »")
        return
    if condition.question == question.code:
        builder.error(source, f"{what} : la condition porte sur la question elle-même")
        return
    if condition.question not in kept:
        builder.error(source, f"{what} : la condition porte sur {target.code}, absente de ce questionnaire")
        return
    problem = _condition_problem(condition, target)
    if problem:
        builder.error(source, f"{what} : condition sur {target.code} ({target.type}) : {problem}")


def _condition_problem(condition, target: Question) -> str | None:
    operator, value = condition.operator, condition.value
    if operator == "answered":
        return None
    if target.type == "grid":
        return "seul l'opérateur « answered » s'applique à une grille"
    if operator in ("is_true", "is_false"):
        return None if target.type == "boolean" else f"« {operator} » réservé aux questions oui / non"
    if operator in ("greater_than", "at_least", "less_than"):
        return None if target.type in NUMERIC_TYPES else f"« {operator} » réservé aux nombres"
    if operator == "contains" and target.type != "multiple_choice":
        return "« contains » réservé aux choix multiples"
    values = value if operator == "in" else (value,)
    for item in values:
        problem = _value_problem(item, target)
        if problem:
            return problem
    return None


def _value_problem(value, target: Question) -> str | None:
    if target.type in CHOICE_TYPES:
        if str(value) not in {o.value for o in target.options}:
            return f"« {value} » ne fait pas partie des options"
    elif target.type == "boolean" and not isinstance(value, bool):
        return "valeur true ou false attendue"
    elif target.type in NUMERIC_TYPES and (isinstance(value, bool) or not isinstance(value, int | float | Decimal)):
        return f"nombre attendu, pas « {value} »"
    elif target.type == "date" and not isinstance(value, datetime.date):
        return f"date attendue, pas « {value} »"
    return None


def _check_cycles(builder, kept: dict[str, Question]) -> None:
    """Each question has at most one condition: follow the chain from every question."""
    reported: set[str] = set()
    for start in kept:
        chain, code = [], start
        while code in kept and kept[code].condition is not None and code not in chain:
            chain.append(code)
            code = kept[code].condition.question
        if code in chain:
            cycle = chain[chain.index(code) :]
            if not reported.intersection(cycle):
                reported.update(cycle)
                names = " → ".join([*cycle, code])
                builder.error(kept[cycle[0]].source, f"cycle dans les conditions d'affichage : {names}")


def _check_rule(builder, rule: Rule, questions: dict, kept: dict) -> bool:
    """Report bad references; return whether the rule stays in this questionnaire."""
    valid = True
    for term in (*rule.left, *rule.right):
        if isinstance(term, Ref):
            problem = _ref_problem(term, questions.get(term.question))
            if problem:
                builder.error(rule.source, f"la règle {rule.code} : {problem}")
                valid = False
    return valid and all(code in kept for code in rule.questions)


def _ref_problem(ref: Ref, question: Question | None) -> str | None:
    if question is None:
        return f"question inconnue « {ref.question} »"
    if question.type not in QUESTION_TYPES:
        return None  # already reported as an unknown type
    if question.type != "grid":
        if ref.row is not None:
            return f"« {ref} » : {question.code} n'est pas une grille"
        return None if question.type in NUMERIC_TYPES else f"« {ref} » : {question.code} n'est pas un nombre"
    if ref.row not in (None, "*") and ref.row not in {r.code for r in question.rows}:
        return f"« {ref} » : ligne « {ref.row} » inconnue dans la grille {question.code}"
    columns = {c.code: c for c in question.columns}
    if ref.column is not None:
        if ref.column not in columns:
            return f"« {ref} » : colonne « {ref.column} » inconnue dans la grille {question.code}"
        if columns[ref.column].type not in NUMERIC_TYPES:
            return f"« {ref} » : la colonne « {ref.column} » n'est pas numérique"
    elif not any(c.type in NUMERIC_TYPES for c in question.columns):
        return f"« {ref} » : la grille {question.code} n'a pas de colonne numérique"
    return None
