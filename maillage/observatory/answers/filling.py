"""Structures filling in their yearly questionnaire: saving sections, autosave, last year's answers, submission.

Every save goes through `validate`: answers are stored as typed JSON values (numbers, booleans, ISO dates, lists,
grids `{row: {column: value}}`), except unreadable inputs, which are kept as typed so that the person sees them
again with their error (`can_submit` stays false until they are fixed). Answers of hidden questions are dropped.

States: non commencé → en cours (first save) → transmis (`submit`, only when `can_submit`); a response sent back
(renvoyé) by a correspondent is edited again and resubmitted. Each change of state goes through `states.move`,
which writes a `ResponseEvent` and the audit log. Values the structure changes after its questionnaire was
returned are logged in `AnswerCorrection` (who, old, new, why: `corrections.MEMBER_CORRECTION_REASON`); correspondents'
corrections are `corrections.correct_answers`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from maillage.accounts import perms

from ..checks import states
from ..checks.checking import raise_flags
from ..checks.corrections import MEMBER_CORRECTION_REASON, replay_cleaning_rules
from ..definitions.questionnaire import Questionnaire as Definition
from ..definitions.questionnaire import Section
from ..definitions.validation import Result, validate
from ..definitions.values import is_empty, parse_answer, to_json
from ..models import AnswerCorrection, Campaign, FlagStatus, Questionnaire, Response, ResponseStatus


class FillingRefused(Exception):
    """An action on a questionnaire that is not allowed now; the message is in French."""


# --- who may do what ---------------------------------------------------------------------------------------


def campaign_has_opened(campaign: Campaign, today: datetime.date | None = None) -> bool:
    """Answers are accepted from the opening date on; late answers (after closing) are still accepted."""
    return campaign.opens_on <= (today or timezone.localdate())


# --- reading -------------------------------------------------------------------------------------------------


def questionnaire_for(campaign: Campaign, structure) -> Questionnaire | None:
    """The campaign's questionnaire of the structure's kind (CSX or EVS), if loaded."""
    return Questionnaire.objects.filter(campaign=campaign, kind=structure.kind).select_related("campaign").first()


def response_for(questionnaire: Questionnaire, structure) -> Response:
    """The structure's response, or an unsaved empty one (nothing is written before the first save)."""
    found = Response.objects.filter(questionnaire=questionnaire, structure=structure).first()
    if found is None:
        found = Response(questionnaire=questionnaire, structure=structure)
    found.questionnaire = questionnaire
    found.structure = structure
    return found


def previous_response(response: Response) -> Response | None:
    """The structure's response of the year before (any questionnaire), for « L'an dernier »."""
    year = response.questionnaire.campaign.year - 1
    return (
        Response.objects.filter(structure_id=response.structure_id, questionnaire__campaign__year=year)
        .select_related("questionnaire")
        .first()
    )


@dataclass(frozen=True)
class PointToReview:
    """A flag the correspondent sent back with the questionnaire, and the sections holding its questions."""

    explanation: str
    comment: str
    sections: tuple[Section, ...]


def points_to_review(response: Response, definition: Definition) -> list[PointToReview]:
    """What the correspondent asked to look at again, while the questionnaire is back with the structure."""
    if not response.pk or response.status != ResponseStatus.RETURNED:
        return []
    section_of = {q.code: section for section in definition.sections for q in section.questions}
    points = []
    for flag in response.flags.filter(status=FlagStatus.SENT_BACK).order_by("pk"):
        codes = {section_of[code.split(".")[0]].code for code in flag.codes if code.split(".")[0] in section_of}
        ordered = tuple(s for s in definition.sections if s.code in codes)
        points.append(PointToReview(flag.explanation, flag.comment, ordered))
    return points


def check(response: Response) -> Result:
    return validate(response.questionnaire.definition(), response.answers, response.confirmations)


def display_status(response: Response, result: Result | None = None) -> str:
    """« non commencé », « en cours (40 %) », « transmis », « renvoyé », « validé »."""
    if response.status == ResponseStatus.IN_PROGRESS:
        result = result or check(response)
        return f"en cours ({result.progress.percent} %)"
    return ResponseStatus(response.status).label


def resume_section(definition: Definition, result: Result) -> Section:
    """Where to resume: the first section with an error, a missing required answer, or unanswered questions."""
    for section in definition.sections:
        codes = {q.code for q in section.questions}
        if codes & set(result.missing_required) or any(codes & set(i.questions) for i in result.errors):
            return section
    for section in definition.sections:
        progress = result.progress_by_section[section.code]
        if progress.answered < progress.total:
            return section
    return definition.sections[0]


# --- stored values --------------------------------------------------------------------------------------------


def _stored_answers(definition: Definition, answers: dict, result: Result) -> dict:
    """Typed values of the visible answers, plus the unreadable inputs as typed (so their error stays)."""
    stored = {code: to_json(value) for code, value in result.values.items()}
    unreadable = {code for issue in result.errors for code in issue.questions if issue.rule is None}
    for code in unreadable:
        if code not in stored and code in result.visible and not is_empty(answers.get(code)):
            stored[code] = answers[code]
    return {q.code: stored[q.code] for q in definition.questions if q.code in stored}


def _kept_confirmations(confirmations: dict, result: Result) -> dict:
    keys = {issue.key for issue in (*result.warnings, *result.confirmed)}
    return {k: v.strip() for k, v in confirmations.items() if k in keys and isinstance(v, str) and v.strip()}


# --- writing ---------------------------------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    response: Response
    result: Result


@transaction.atomic
def save_section(response: Response, section_code: str, raw_answers: dict, confirmations: dict, *,
                 acting_user, request=None) -> SaveOutcome:  # fmt: skip
    """Replace the answers of one section (blank inputs remove answers) and the justifications posted with it."""
    if not perms.can_fill_response(acting_user, response):
        raise FillingRefused("Ce questionnaire ne peut pas être modifié.")
    definition = response.questionnaire.definition()
    section = _section(definition, section_code)
    response = _locked(response)
    answers = dict(response.answers)
    for question in section.questions:
        raw = raw_answers.get(question.code)
        if is_empty(raw):
            answers.pop(question.code, None)
        else:
            answers[question.code] = raw
    merged_confirmations = {**response.confirmations, **confirmations}
    result = validate(definition, answers, merged_confirmations)
    _store(response, definition, answers, result, merged_confirmations, acting_user=acting_user, request=request)
    return SaveOutcome(response, result)


@transaction.atomic
def copy_last_year(response: Response, section_code: str, *, acting_user, request=None) -> int:
    """Copy last year's answers of a section into the questions still unanswered; returns how many were copied."""
    if not perms.can_fill_response(acting_user, response):
        raise FillingRefused("Ce questionnaire ne peut pas être modifié.")
    previous = previous_response(response)
    if previous is None:
        raise FillingRefused("Il n'y a pas de réponses de l'an dernier à reprendre.")
    definition = response.questionnaire.definition()
    section = _section(definition, section_code)
    response = _locked(response)
    answers, copied = dict(response.answers), 0
    for question in section.questions:
        old = previous.answers.get(question.code)
        if is_empty(old) or not is_empty(answers.get(question.code)):
            continue
        value, problem = parse_answer(question, old)
        if problem is None and value is not None:
            answers[question.code] = to_json(value)
            copied += 1
    if copied:
        result = validate(definition, answers, response.confirmations)
        _store(response, definition, answers, result, response.confirmations, acting_user=acting_user, request=request)
    return copied


@transaction.atomic
def submit(response: Response, *, acting_user, request=None) -> Result:
    """Transmit the questionnaire: only when nothing blocks (`can_submit`)."""
    if not perms.can_fill_response(acting_user, response) or response.pk is None:
        raise FillingRefused("Ce questionnaire ne peut pas être transmis.")
    response = _locked(response)
    result = check(response)
    if not result.can_submit:
        raise FillingRefused(_refusal(result))
    response.submitted_at = timezone.now()
    states.move(response, ResponseStatus.SUBMITTED, acting_user=acting_user, request=request,
                also_save=("submitted_at",))  # fmt: skip
    replay_cleaning_rules(response, acting_user=acting_user)  # the correspondents' check starts here
    raise_flags(response)
    return result


def _store(response, definition, answers, result, confirmations, *, acting_user, request) -> None:
    stored = _stored_answers(definition, answers, result)
    if response.status == ResponseStatus.RETURNED:
        _log_member_corrections(response, response.answers, stored, acting_user)
    response.answers = stored
    response.confirmations = _kept_confirmations(confirmations, result)
    if response.status == ResponseStatus.NOT_STARTED:
        states.move(response, ResponseStatus.IN_PROGRESS, acting_user=acting_user, request=request,
                    also_save=("answers", "confirmations"))  # fmt: skip
    else:
        response.save()


def _log_member_corrections(response: Response, before: dict, after: dict, acting_user) -> None:
    """One correction row per question changed since the response was returned (updated by later saves)."""
    returned_at = response.events.filter(target=ResponseStatus.RETURNED).order_by("-created_at", "-id").first()
    since = returned_at.created_at if returned_at else response.submitted_at
    corrections = response.corrections.filter(reason=MEMBER_CORRECTION_REASON)
    if since is not None:
        corrections = corrections.filter(created_at__gte=since)
    existing = {c.code: c for c in corrections}
    for code in set(before) | set(after):
        old, new = before.get(code), after.get(code)
        if old == new:
            continue
        correction = existing.get(code)
        if correction is None:
            AnswerCorrection.objects.create(response=response, code=code, old_value=old, new_value=new,
                                            reason=MEMBER_CORRECTION_REASON, acting_user=acting_user)  # fmt: skip
        elif correction.old_value == new:
            correction.delete()
        else:
            correction.new_value, correction.acting_user = new, acting_user
            correction.save(update_fields=["new_value", "acting_user"])


def _locked(response: Response) -> Response:
    """The response row locked for the transaction (created on the first save)."""
    if response.pk is None:
        Response.objects.get_or_create(questionnaire=response.questionnaire, structure=response.structure)
        locked = Response.objects.select_for_update().get(questionnaire=response.questionnaire,
                                                          structure=response.structure)  # fmt: skip
    else:
        locked = Response.objects.select_for_update().get(pk=response.pk)
    locked.questionnaire, locked.structure = response.questionnaire, response.structure
    return locked


def _section(definition: Definition, code: str) -> Section:
    for section in definition.sections:
        if section.code == code:
            return section
    raise FillingRefused("Section inconnue.")


def _refusal(result: Result) -> str:
    parts = []
    if result.errors:
        parts.append(f"{len(result.errors)} erreur{'s' if len(result.errors) > 1 else ''} à corriger")
    if result.missing_required:
        count = len(result.missing_required)
        parts.append(f"{count} question{'s' if count > 1 else ''} obligatoire{'s' if count > 1 else ''} sans réponse")
    if result.warnings:
        count = len(result.warnings)
        parts.append(f"{count} valeur{'s' if count > 1 else ''} inhabituelle{'s' if count > 1 else ''} à confirmer")
    return "Le questionnaire ne peut pas encore être transmis : " + ", ".join(parts) + "."
