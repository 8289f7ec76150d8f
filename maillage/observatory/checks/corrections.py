"""Correspondents' corrections of transmitted answers, and their cleaning rules replayed on late answers.

A correction goes through the questionnaire's blocking rules as filling in and importing do (`broken_rules`): one
that breaks a rule, or leaves broken a rule about a corrected question, is refused with the rule's French message
and the questions to correct in the same step (`CheckError.related`). Each correction is logged as an
`AnswerCorrection`, and the flags are raised again (`checking.raise_flags`).

Cleaning rules. No dedicated table: a cleaning rule *is* the latest `AnswerCorrection` of a response for a
question. `replay_cleaning_rules(response)` applies each rule again when the answer holds the value the
rule corrected (its `old_value`), which is what happens with late answers: a response sent back and transmitted
again with the same figure, or a late import of the same spreadsheet. An answer the structure changed to
anything else is left alone (the flags look at it again), and so are rules that would break a blocking rule
with the new answers. Each replay is itself logged as an `AnswerCorrection` whose reason starts with
`REPLAY_PREFIX`. Keeping the rules in the database, next to the corrections, makes them transactional, visible in
the admin and backed up with the answers, which a JSON file under VAR_DIR would not be.
"""

from __future__ import annotations

from django.db import transaction

from ..definitions.validation import validate
from ..definitions.values import is_empty, parse_answer, to_json
from ..models import AnswerCorrection, Response, ResponseStatus
from .checking import CheckError, issues_text, raise_flags

REPLAY_PREFIX = "Règle de nettoyage rejouée : "
# The structure's own edits of a returned questionnaire (`answers.filling`): logged, never a cleaning rule.
MEMBER_CORRECTION_REASON = "Modifiée par la structure après le renvoi du questionnaire."


def correct_answer(response: Response, code: str, raw, *, acting_user, reason: str) -> AnswerCorrection:
    """Change one answer of a transmitted response: `correct_answers` with a single change."""
    return correct_answers(response, [(code, raw)], acting_user=acting_user, reason=reason)[0]


@transaction.atomic
def correct_answers(response: Response, changes, *, acting_user, reason: str) -> list[AnswerCorrection]:
    """Change answers of a transmitted response in one step (`changes`: (code, raw value) pairs, read like form
    answers; blank pairs are skipped, unchanged values too), log each, and check the flags again.

    The answers must keep the questionnaire's blocking rules, as when a structure transmits or a file is imported:
    a step that breaks one, or leaves broken a rule about a corrected question, is refused with the rule's message
    and the questions to correct with it (the total ETP with the ETP by function and by contract). Each correction
    becomes the cleaning rule of its question for this response (see the module docstring)."""
    definition = response.questionnaire.definition()
    new_values = _read_changes(definition, changes)
    if response.status != ResponseStatus.SUBMITTED:
        raise CheckError("Seules les réponses d'un questionnaire transmis peuvent être corrigées.")
    reason = (reason or "").strip()
    if not reason:
        raise CheckError("Dites pourquoi la valeur est corrigée : la raison est obligatoire.", "reason")
    old_answers = response.answers
    changed = {
        code: value
        for code, value in new_values.items()
        if not _same(definition.question(code), old_answers.get(code), value)
    }
    if not changed:
        raise CheckError("La nouvelle valeur est identique à la réponse actuelle.", "value")
    _refuse_broken_rules(definition, old_answers, changed, response.confirmations)
    corrections = [
        _apply(response, code, old_answers.get(code), value, acting_user=acting_user, reason=reason)
        for code, value in changed.items()
    ]
    raise_flags(response)
    return corrections


def _read_changes(definition, changes) -> dict:
    """Question code → new stored value (None: the answer is removed), or a refusal naming the field."""
    values = {}
    for raw_code, raw in changes:
        code = (raw_code or "").strip().upper()
        if not code:
            if is_empty(raw):
                continue  # a blank line of the form
            raise CheckError("Indiquez le code de la question dont la valeur est corrigée.", "code")
        if code not in definition:
            raise CheckError(f"Le questionnaire n'a pas de question « {code} ».", "code")
        if code in values:
            raise CheckError(f"La question « {definition.question(code).label} » est corrigée deux fois.", "code")
        value, problem = parse_answer(definition.question(code), raw)
        if problem:
            raise CheckError(f"Valeur illisible pour « {definition.question(code).label} » : {problem}.", "value")
        values[code] = to_json(value)
    if not values:
        raise CheckError("Indiquez le code de la question à corriger.", "code")
    return values


def broken_rules(definition, answers: dict, changes: dict, confirmations: dict) -> list:
    """The blocking rules (errors of `validate`) that `answers` changed by `changes` (code → stored value, None
    removes) break while `answers` did not, or that are about a changed question. An error already there that
    the change does not touch is left to the validation, which refuses it."""
    after = {code: value for code, value in {**answers, **changes}.items() if value is not None}
    already = {issue.key for issue in validate(definition, answers, confirmations).errors}
    return [
        issue
        for issue in validate(definition, after, confirmations).errors
        if issue.key not in already or set(changes) & set(issue.questions)
    ]


def _refuse_broken_rules(definition, answers: dict, changes: dict, confirmations: dict) -> None:
    """Refuse a correction whose answers break a blocking rule, naming the questions to correct with it."""
    changed = set(changes)
    broken = broken_rules(definition, answers, changes, confirmations)
    if not broken:
        return
    related = tuple(dict.fromkeys(c for issue in broken for c in issue.questions if c not in changed))
    message = f"Correction refusée : {issues_text(broken)}."
    if related:
        names = ", ".join(f"« {definition.question(code).label} »" for code in related)
        message += f" Corrigez dans la même correction les réponses liées : {names}."
    raise CheckError(message, "value", related)


def _apply(response, code, old_value, new_value, *, acting_user, reason) -> AnswerCorrection:
    answers = dict(response.answers)
    if new_value is None:
        answers.pop(code, None)
    else:
        answers[code] = new_value
    response.answers = answers
    response.save(update_fields=["answers", "updated_at"])
    return AnswerCorrection.objects.create(
        response=response, code=code, old_value=old_value, new_value=new_value, reason=reason, acting_user=acting_user
    )


def _same(question, left, right) -> bool:
    return parse_answer(question, left)[0] == parse_answer(question, right)[0]


def cleaning_rules(response: Response) -> dict[str, AnswerCorrection]:
    """The latest correction of each question of the response by a correspondent (replays and the
    structure's own edits excluded): its cleaning rules."""
    return cleaning_rules_of([response.pk]).get(response.pk, {})


def cleaning_rules_of(response_ids) -> dict[int, dict[str, AnswerCorrection]]:
    """`cleaning_rules` of several responses in one query: response id → question code → rule."""
    rules: dict[int, dict[str, AnswerCorrection]] = {}
    corrections = (
        AnswerCorrection.objects.filter(response_id__in=response_ids)
        .exclude(reason__startswith=REPLAY_PREFIX)
        .exclude(reason=MEMBER_CORRECTION_REASON)
    )
    for correction in corrections.order_by("created_at", "id"):
        rules.setdefault(correction.response_id, {})[correction.code] = correction
    return rules


def replayed_values(definition, answers: dict, rules: dict[str, AnswerCorrection]) -> dict[str, object]:
    """Question code → the value its cleaning rule gives back to `answers` (None: the answer is removed), for the
    answers holding the value a rule corrected."""
    values = {}
    for code, rule in rules.items():
        if code not in definition:
            continue
        question = definition.question(code)
        current = answers.get(code)
        if not _same(question, current, rule.new_value) and _same(question, current, rule.old_value):
            values[code] = rule.new_value
    return values


@transaction.atomic
def replay_cleaning_rules(response: Response, *, acting_user=None) -> list[AnswerCorrection]:
    """Apply the response's cleaning rules again to answers that came back with the corrected value.

    Call it when answers arrive after the check (a new transmission, an import), before `raise_flags`. Rules whose
    values would break a blocking rule of the questionnaire together with the new answers (the total ETP corrected
    back while the structure sent other ETP by function) are not replayed: a correction never does that, and the
    flags look at the answers again."""
    definition = response.questionnaire.definition()
    rules = cleaning_rules(response)
    values = replayed_values(definition, response.answers, rules)
    if values and broken_rules(definition, response.answers, values, response.confirmations):
        return []
    applied = []
    for code, value in values.items():
        reason = f"{REPLAY_PREFIX}{rules[code].reason}"
        current = response.answers.get(code)
        applied.append(_apply(response, code, current, value, acting_user=acting_user, reason=reason))
    return applied
