"""The correspondents' coherence check of transmitted questionnaires: flags, decisions, validation.

Every function here is a service: it takes the acting user, runs in one transaction, logs what it did
(changes of state through `states.move`, which writes the `ResponseEvent` and the audit log; `AnswerCorrection`
for changed values) and sends its e-mails on commit. Views only parse the request and call them.

Flags are computed by `anomalies.py` (pure functions) from the answers of the response's peers for the same
questionnaire this year (its department's, or its region's or the nation's when the department has too few) and
the structure's answers of last year; `raise_flags` stores them, keeping the decisions already taken on flags
that are still raised. Validation refuses answers that break a blocking rule of the questionnaire. Corrections of
values and their cleaning rules are in `corrections.py`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.accounts import perms
from maillage.french import count_noun
from maillage.jobs.mail import queue_each

from ..definitions.validation import validate
from ..definitions.values import is_empty, parse_answer, to_json
from ..figures import tasks as figures_tasks
from ..models import Campaign, Flag, FlagStatus, Response, ResponseEvent, ResponseStatus
from . import anomalies, states

logger = logging.getLogger(__name__)

REMINDER_COMMENT = "Relance par e-mail"
UNRESOLVED = (FlagStatus.OPEN, FlagStatus.SENT_BACK)
ANSWERED = (ResponseStatus.SUBMITTED, ResponseStatus.RETURNED, ResponseStatus.VALIDATED)
THEMATIC_PREFIX = "THEME"  # sections of the yearly thematic block (see thematique_YYYY.yaml)

# Codes of the 2025 questionnaires (csx_2025.yaml, evs_2025.yaml); `anomalies.py` defaults use older names for
# three of them, so the rules are given explicitly here.
JUMP_CODES = {
    "FIN_CHARGES_TOTAL": Decimal(20000),
    "FIN_PRODUITS_TOTAL": Decimal(20000),
    "RH_ETP_TOTAL": Decimal(2),
    "PAR_BENEVOLES_ACTIVITE": Decimal(10),
}
OUTLIER_CODES = ("FIN_CHARGES_TOTAL", "RH_ETP_TOTAL", "PAR_BENEVOLES_ACTIVITE")
_RENAMED = {
    anomalies.UNIQUE_PARTICIPANTS: "PUB_PARTICIPANTS_UNIQUES",
    anomalies.ATTENDANCES: "PUB_PASSAGES_CUMULES",
    anomalies.VOLUNTEERS: "PAR_BENEVOLES_ACTIVITE",
}
RATIO_RULES = tuple(
    replace(
        rule,
        numerator=_RENAMED.get(rule.numerator, rule.numerator),
        denominator=_RENAMED.get(rule.denominator, rule.denominator),
    )
    for rule in anomalies.DEFAULT_RATIO_RULES
)


class CheckError(ValueError):
    """A refused decision; `message` is French, `field` names the form field it is about (or ""), `related` the
    questions to correct together with those of a refused correction."""

    def __init__(self, message: str, field: str = "", related: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.related = related


# --- Reading the campaign -----------------------------------------------------------------------------------


def expected_structures(campaign: Campaign, user=None):
    """Structures that answer the campaign (their kind has a questionnaire), in the person's departments."""
    from maillage.structures.models import Structure

    structures = Structure.objects.filter(kind__in=campaign.questionnaires.values("kind"))
    if user is not None and not perms.is_national_admin(user):
        structures = structures.filter(department_id__in=perms.department_ids(user))
    return structures


def with_status(structures, campaign: Campaign):
    """Annotate `response_status` (not started when there is no response yet)."""
    responses = Response.objects.filter(questionnaire__campaign=campaign, structure=OuterRef("pk"))
    status = Coalesce(Subquery(responses.values("status")[:1]), Value(ResponseStatus.NOT_STARTED))
    return structures.annotate(response_status=status)


def campaign_list(user, campaign: Campaign, *, department_id=None, status=None):
    """The structures of the check list: status, number of unresolved flags, department; by department and name."""
    structures = expected_structures(campaign, user)
    if department_id is not None:
        structures = structures.filter(department_id=department_id)
    structures = with_status(structures, campaign)
    if status:
        structures = structures.filter(response_status=status)
    flags = (
        Flag.objects.filter(response__questionnaire__campaign=campaign, response__structure=OuterRef("pk"))
        .filter(status__in=UNRESOLVED)
        .values("response__structure")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return (
        structures.annotate(open_flags=Coalesce(Subquery(flags), Value(0)))
        .select_related("department")
        .order_by("department__code", "name", "pk")
    )


@dataclass
class DepartmentCounts:
    code: str
    name: str
    counts: dict  # status → number of structures

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_counts(user, campaign: Campaign, *, department_id=None) -> tuple[dict, list[DepartmentCounts]]:
    """Numbers of structures by status, overall and per department (one query)."""
    structures = expected_structures(campaign, user)
    if department_id is not None:
        structures = structures.filter(department_id=department_id)
    rows = (
        with_status(structures, campaign)
        .values("department__code", "department__name", "response_status")
        .annotate(n=Count("id"))
        .order_by("department__code")
    )
    totals = dict.fromkeys(ResponseStatus.values, 0)
    departments: dict[str, DepartmentCounts] = {}
    for row in rows:
        code = row["department__code"] or ""
        entry = departments.setdefault(
            code, DepartmentCounts(code, row["department__name"] or "", dict.fromkeys(ResponseStatus.values, 0))
        )
        entry.counts[row["response_status"]] += row["n"]
        totals[row["response_status"]] += row["n"]
    return totals, list(departments.values())


# --- Flags -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedCodes:
    jump: dict
    outliers: tuple
    ratios: tuple
    thematic: tuple
    thematic_label: str

    @property
    def all(self) -> set[str]:
        ratio_codes = {c for rule in self.ratios for c in (rule.numerator, rule.denominator)}
        return {*self.jump, *self.outliers, *ratio_codes, *self.thematic}


def checked_codes(definition) -> CheckedCodes:
    """The rules that apply to a questionnaire: those whose questions it asks."""
    thematic = [s for s in definition.sections if s.code.startswith(THEMATIC_PREFIX)]
    return CheckedCodes(
        jump={code: minimum for code, minimum in JUMP_CODES.items() if code in definition},
        outliers=tuple(code for code in OUTLIER_CODES if code in definition),
        ratios=tuple(r for r in RATIO_RULES if r.numerator in definition and r.denominator in definition),
        thematic=tuple(q.code for s in thematic for q in s.questions),
        thematic_label=" / ".join(s.title for s in thematic),
    )


def typed_answers(definition, answers: dict, codes) -> dict:
    """The typed values of `codes` (unreadable or empty answers are left out)."""
    typed = {}
    for code in codes:
        raw = answers.get(code)
        if code in definition and not is_empty(raw):
            value, problem = parse_answer(definition.question(code), raw)
            if problem is None and value is not None:
                typed[code] = value
    return typed


def compute_flags(response: Response) -> list[anomalies.Flag]:
    """The flags of one response against its peers (same questionnaire) and its last year's answers.

    Outliers are judged within the department, or, when it has fewer than `min_group` answers, the region, then
    the nation (`peer_groups`): a few queries, reading only the figures compared (definitions are cached)."""
    definition = response.questionnaire.definition()
    codes = checked_codes(definition)
    mine = {response.structure_id: typed_answers(definition, response.answers, codes.all)}
    previous = {}
    last = (
        Response.objects.filter(structure_id=response.structure_id)
        .filter(questionnaire__campaign__year=response.questionnaire.campaign.year - 1)
        .select_related("questionnaire")
        .first()
    )
    if last is not None:
        previous[response.structure_id] = typed_answers(last.questionnaire.definition(), last.answers, codes.jump)
    thresholds = anomalies.Thresholds(labels={q.code: q.label for q in definition.questions})
    groups = peer_groups(response, definition, codes.outliers, mine[response.structure_id], thresholds.min_group)
    flags = [
        *anomalies.year_over_year_jumps(mine, previous, codes.jump, thresholds),
        *anomalies.scoped_outliers(response.structure_id, groups, codes.outliers, thresholds),
        *anomalies.impossible_ratios(mine, codes.ratios),
    ]
    if codes.thematic:
        flags += anomalies.missing_blocks(mine, codes.thematic, codes.thematic_label)
    order = list(anomalies.FlagKind)
    flags = [f for f in flags if f.structure == response.structure_id]
    return sorted(flags, key=lambda f: (order.index(f.kind), f.codes))


def peer_groups(response: Response, definition, codes, mine: dict, min_group: int) -> list[anomalies.PeerGroup]:
    """The answers the response's figures are compared with: its department's, then (only while some figure has
    fewer than `min_group` answers to be judged against) its region's and the nation's; each includes `mine`."""
    department = response.structure.department
    answered = Response.objects.filter(questionnaire_id=response.questionnaire_id, status__in=ANSWERED).exclude(
        pk=response.pk
    )
    levels = []
    if department is not None:
        code = department.code
        levels.append(("department", code, f"du département {code}", f"le département {code}",
                       answered.filter(structure__department_id=department.pk)))  # fmt: skip
        region = department.region
        levels.append(("region", region.code, f"de la région {region.name}", f"la région {region.name}",
                       answered.filter(structure__department__region_id=region.pk)))  # fmt: skip
    levels.append(("nation", "France", "nationale", "la France entière", answered))
    groups, short = [], [code for code in codes if code in mine]
    for scope, code, name, place, query in levels:
        if not short:
            break
        answers = {**_peer_answers(definition, query, short), response.structure_id: mine}
        groups.append(anomalies.PeerGroup(scope, code, name, place, answers))
        short = [c for c in short if sum(1 for a in answers.values() if c in a) < min_group]
    return groups


def _peer_answers(definition, responses, codes) -> dict:
    """Structure id → typed answers to `codes`, reading only those keys of the stored answers."""
    keys = {f"k{index}": KeyTransform(code, "answers") for index, code in enumerate(codes)}
    rows = responses.annotate(**keys).values_list("structure_id", *keys)
    return {row[0]: typed_answers(definition, dict(zip(codes, row[1:], strict=True)), codes) for row in rows}


@transaction.atomic
def raise_flags(response: Response) -> list[Flag]:
    """Store the flags of a transmitted response; call it when the response is submitted (and from the button).

    A flag still raised keeps its decision (accepted stays accepted), but one that was sent back is opened again
    (the structure transmitted without settling it). Unresolved flags no longer raised are marked corrected."""
    found = {(f.kind.value, tuple(f.codes)): f for f in compute_flags(response)}
    now = timezone.now()
    kept = []
    for stored in Flag.objects.filter(response=response).select_for_update():
        flag = found.pop((stored.kind, tuple(stored.codes)), None)
        if flag is None:
            if stored.status in UNRESOLVED:
                stored.status, stored.decided_at, stored.decided_by = FlagStatus.RESOLVED, now, None
                stored.save(update_fields=["status", "decided_at", "decided_by"])
            continue
        stored.values, stored.explanation = to_json(flag.values), flag.explanation
        if stored.status in (FlagStatus.SENT_BACK, FlagStatus.RESOLVED):
            stored.status = FlagStatus.OPEN
        stored.save(update_fields=["values", "explanation", "status"])
        kept.append(stored)
    created = Flag.objects.bulk_create(
        Flag(
            response=response,
            kind=f.kind.value,
            codes=list(f.codes),
            values=to_json(f.values),
            explanation=f.explanation,
        )  # fmt: skip
        for f in found.values()
    )
    return kept + created


@dataclass(frozen=True)
class Justification:
    """The structure's justification of an unusual value or of a warning rule (`Response.confirmations`)."""

    key: str  # the question or rule code the structure confirmed
    about: str  # French: the question's label or the rule's message
    text: str
    questions: tuple[str, ...]  # the questions it is about


def justifications(definition, confirmations: dict) -> list[Justification]:
    """The justifications the structure gave when it transmitted, in the order of the questionnaire."""
    found = []
    for rule in definition.rules:
        text = _text_of(confirmations.get(rule.code))
        if text:
            found.append(Justification(rule.code, rule.message or rule.code, text, rule.questions))
    for question in definition.questions:
        text = _text_of(confirmations.get(question.code))
        if text:
            found.append(Justification(question.code, question.label, text, (question.code,)))
    return sorted(found, key=lambda j: (_position(definition, j.questions), j.questions != (j.key,)))


def justifications_about(found: list[Justification], codes) -> list[Justification]:
    """Those about one of `codes` (question codes, or grid cells `CODE.row.column`)."""
    wanted = {code.split(".")[0] for code in codes}
    return [j for j in found if wanted & set(j.questions)]


def _text_of(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _position(definition, codes) -> int:
    order = {q.code: index for index, q in enumerate(definition.questions)}
    return min((order[c] for c in codes if c in order), default=len(order))


def open_flag_count(response: Response) -> int:
    return response.flags.filter(status__in=UNRESOLVED).count()


def _decide(flag: Flag, status: str | None, *, acting_user, comment: str, required: str) -> Flag:
    comment = (comment or "").strip()
    if not comment:
        raise CheckError(required, "comment")
    if flag.response.status != ResponseStatus.SUBMITTED:
        raise CheckError("Ce questionnaire n'est pas en attente de vérification : ses signalements sont figés.")
    flag.comment = comment
    fields = ["comment"]
    if status is not None:
        flag.status, flag.decided_by, flag.decided_at = status, acting_user, timezone.now()
        fields += ["status", "decided_by", "decided_at"]
    flag.save(update_fields=fields)
    return flag


@transaction.atomic
def comment_flag(flag: Flag, *, acting_user, comment: str) -> Flag:
    """Write the correspondent's comment on a flag (shown to the structure if the questionnaire is sent back)."""
    return _decide(flag, None, acting_user=acting_user, comment=comment, required="Écrivez un commentaire.")


@transaction.atomic
def accept_flag(flag: Flag, *, acting_user, justification: str) -> Flag:
    """Accept a flagged value as it is, with the reason why it is right."""
    return _decide(
        flag,
        FlagStatus.ACCEPTED,
        acting_user=acting_user,
        comment=justification,
        required="Une justification est obligatoire pour accepter une valeur signalée.",
    )


# --- Changes of state ----------------------------------------------------------------------------------------


@transaction.atomic
def return_response(response: Response, *, acting_user, comment: str, request=None) -> ResponseEvent:
    """Send the questionnaire back to the structure, with what to review; its unresolved flags go with it."""
    comment = (comment or "").strip()
    if not comment:
        raise CheckError("Dites à la structure ce qu'elle doit revoir : le commentaire est obligatoire.", "comment")
    if response.status != ResponseStatus.SUBMITTED:
        raise CheckError("Seul un questionnaire transmis peut être renvoyé à la structure.")
    response.flags.filter(status=FlagStatus.OPEN).update(
        status=FlagStatus.SENT_BACK, decided_by=acting_user, decided_at=timezone.now()
    )
    event = states.move(response, ResponseStatus.RETURNED, acting_user=acting_user, comment=comment, request=request)
    transaction.on_commit(lambda: notify_returned(event))
    return event


def structure_recipients(structure) -> list[str]:
    emails = {e for e in structure.memberships.values_list("user__email", flat=True) if e}
    return sorted(emails) or ([structure.email] if structure.email else [])


def notify_returned(event: ResponseEvent) -> int:
    response = event.response
    recipients = structure_recipients(response.structure)
    if not recipients:
        return 0
    flags = list(response.flags.filter(status=FlagStatus.SENT_BACK))
    context = {"event": event, "response": response, "flags": flags, "site_url": settings.SITE_URL}
    subject = f"{response.questionnaire.campaign.label} : des réponses sont à revoir"
    body = render_to_string("observatory_check/email/returned.txt", context)
    return queue_each(subject, body, recipients)


@transaction.atomic
def validate_response(response: Response, *, acting_user, request=None) -> ResponseEvent:
    """Validate the questionnaire as a whole: only a transmitted one whose answers keep the questionnaire's
    blocking rules (as a transmission or an import requires) and whose flags are all settled."""
    if response.status != ResponseStatus.SUBMITTED:
        raise CheckError("Seul un questionnaire transmis peut être validé.")
    errors = validate(response.questionnaire.definition(), response.answers, response.confirmations).errors
    if errors:
        raise CheckError(
            f"Le questionnaire ne peut pas être validé : {issues_text(errors)}. Corrigez ces réponses (les "
            "réponses liées ensemble, dans une même correction) ou renvoyez le questionnaire à la structure."
        )
    remaining = open_flag_count(response)
    if remaining:
        left = count_noun(remaining, "signalement reste", "signalements restent")
        raise CheckError(
            f"Le questionnaire ne peut pas être validé : {left} à traiter. "
            "Acceptez-les avec une justification, corrigez la valeur ou renvoyez le questionnaire à la structure."
        )
    response.validated_by, response.validated_at = acting_user, timezone.now()
    event = states.move(response, ResponseStatus.VALIDATED, acting_user=acting_user, request=request,
                        also_save=("validated_by", "validated_at"))  # fmt: skip
    refresh_aggregates(response.questionnaire.campaign.year)
    return event


def refresh_aggregates(year: int) -> None:
    """Have the worker recompute the year's public figures once the validation is committed (debounced: one
    refresh per year waits at most), never in the request."""
    figures_tasks.schedule_refresh(year)


def issues_text(issues) -> str:
    """The issues' French messages in one sentence (each ends without a full stop)."""
    return " ; ".join(issue.message.rstrip(".") for issue in issues)


# --- Reminders ----------------------------------------------------------------------------------------------


def reminded_since(responses, since: datetime.datetime) -> set[int]:
    """Ids of the responses already reminded since `since`."""
    return set(
        ResponseEvent.objects.filter(response__in=responses, comment=REMINDER_COMMENT, created_at__gte=since)
        .filter(Q(source=ResponseStatus.NOT_STARTED) | Q(source=ResponseStatus.IN_PROGRESS))
        .values_list("response_id", flat=True)
    )


def send_reminder(response: Response) -> int:
    """E-mail the structure that its questionnaire is awaited, and log the reminder as an event (no change of
    state: source and target are the same)."""
    recipients = structure_recipients(response.structure)
    if not recipients:
        return 0
    campaign = response.questionnaire.campaign
    context = {"response": response, "campaign": campaign, "site_url": settings.SITE_URL}
    subject = f"Observatoire, {campaign.label} : votre réponse est attendue"
    body = render_to_string("observatory_check/email/reminder.txt", context)
    sent = queue_each(subject, body, recipients)
    states.note_reminder(response, REMINDER_COMMENT)
    return sent
