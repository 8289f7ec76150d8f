"""The correspondents' check of the observatory questionnaires: campaign dashboard, answers export, and one
structure's answers.

Correspondents see their departments, national administrators everything; a structure outside the person's
scope is not found (404), a person who checks nothing is refused (403). Decisions go through
`maillage.observatory.checking`; a refused one comes back as the page with the French message next to its field.
The export (`observatory.answer_export`) gives the dashboard's list with its filters; a filter it cannot apply
(a department outside the person's scope included) is refused with a French message (400), never ignored.
"""

import datetime
import itertools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from maillage.accounts import perms
from maillage.actions.moderation import is_moderator, moderated_departments
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.french import count_noun
from maillage.observatory.answers import filling
from maillage.observatory.checks import answer_export, checking, corrections, reminders
from maillage.observatory.definitions.values import format_exact, parse_answer
from maillage.observatory.models import Campaign, Flag, FlagStatus, Response, ResponseStatus
from maillage.structures.models import Structure

from . import flag_display
from .throttling import export_limited

PAGE_SIZE = 20
EXPORT_LINKS = (("csv", "CSV", "tableur, séparateur point-virgule"), ("xlsx", "Excel", "XLSX"))
FORM_FIELDS = ("form", "flag_id", "comment", "code", "value", "reason")
CORRECTION_LINES = 3  # blank lines of the correction form: related answers are corrected together
ERROR_KEYS = ("general", "comment", "code", "value", "reason")


def _require_checker(user) -> None:
    if not is_moderator(user):
        raise PermissionDenied("Cette page est réservée aux correspondants et aux administrateurs nationaux.")


class DashboardForm(forms.Form):
    annee = forms.TypedChoiceField(label="Campagne (année observée)", coerce=int, required=False)
    etat = forms.ChoiceField(label="État", choices=[("", "Tous les états"), *ResponseStatus.choices], required=False)
    departement = forms.ModelChoiceField(
        label="Département", queryset=None, to_field_name="code", required=False, empty_label="Tous mes départements"
    )
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, user, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(c.year, str(c)) for c in campaigns]
        self.fields["annee"].error_messages["invalid_choice"] = "Choisissez une campagne de la liste."
        self.fields["etat"].error_messages["invalid_choice"] = "Choisissez un état de la liste."
        self.fields["departement"].queryset = moderated_departments(user)
        self.fields["departement"].error_messages["invalid_choice"] = "Ce département n'est pas dans votre périmètre."

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_bound and self.is_valid() else None


@login_required
def dashboard(request):
    """The campaign at a glance: counts by status (per department) and the structures to check."""
    _require_checker(request.user)
    campaigns = list(Campaign.objects.all())
    form = DashboardForm(request.GET or None, user=request.user, campaigns=campaigns)
    year = form.value("annee")
    campaign = next((c for c in campaigns if c.year == year), campaigns[0] if campaigns else None)
    context = {"form": form, "campaign": campaign, "statuses": ResponseStatus.choices}
    if campaign is not None:
        department = form.value("departement")
        department_id = department.pk if department else None
        totals, departments = checking.status_counts(request.user, campaign, department_id=department_id)
        structures = checking.campaign_list(
            request.user, campaign, department_id=department_id, status=form.value("etat") or None
        )
        page = Paginator(structures, PAGE_SIZE).get_page(form.value("page") or 1)
        query = request.GET.copy()
        query.pop("page", None)
        context |= {
            "totals": [(value, label, totals[value]) for value, label in ResponseStatus.choices],
            "departments": [(d, [d.counts[value] for value, _ in ResponseStatus.choices]) for d in departments],
            "page": page,
            "query": query.urlencode(),
            "exports": _export_links(campaign, department, form.value("etat")),
        }
    return render(request, "observatory_check/dashboard.html", context)


@login_required
@require_POST
def remind(request):
    """E-mail the late structures of the campaign (the person's departments, or the one chosen), at most once a
    week each; back to the dashboard with what was done."""
    _require_checker(request.user)
    campaigns = list(Campaign.objects.all())
    form = DashboardForm(request.POST, user=request.user, campaigns=campaigns)
    if not form.is_valid() or not form.cleaned_data["annee"]:
        messages.error(request, f"Relance impossible. {_form_errors(form) or 'Choisissez une campagne.'}")
        return redirect("observatory_check:dashboard")
    campaign = next(c for c in campaigns if c.year == form.cleaned_data["annee"])
    department = form.cleaned_data["departement"]
    since = timezone.now() - datetime.timedelta(days=reminders.RESEND_AFTER_DAYS)
    outcome = reminders.remind_late(
        campaign, since, user=request.user, department_id=department.pk if department else None
    )
    messages.success(request, _reminder_summary(outcome))
    query = urlencode({"annee": campaign.year, **({"departement": department.code} if department else {})})
    return redirect(reverse("observatory_check:dashboard") + f"?{query}")


def _reminder_summary(outcome: reminders.Outcome) -> str:
    parts = [f"{count_noun(len(outcome.reminded), 'structure relancée', 'structures relancées')} par e-mail"]
    if outcome.without_address:
        names = ", ".join(r.structure.name for r in outcome.without_address)
        parts.append(f"{len(outcome.without_address)} sans adresse e-mail ({names})")
    if outcome.skipped:
        skipped = count_noun(outcome.skipped, "déjà relancée", "déjà relancées")
        parts.append(f"{skipped} depuis moins de {reminders.RESEND_AFTER_DAYS} jours")
    return " ; ".join(parts) + "."


def _export_links(campaign, department, status) -> list[tuple[str, str, str]]:
    """Links to the export of the list shown (the filters applied, not those typed: an invalid one is not)."""
    params = {"annee": campaign.year, "etat": status or "", "departement": department.code if department else ""}
    suffix = "?" + urlencode({key: value for key, value in params.items() if value})
    return [
        (label, reverse("observatory_check:export", kwargs={"fmt": fmt}) + suffix, help_text)
        for fmt, label, help_text in EXPORT_LINKS
    ]


@login_required
@require_safe
@export_limited
def export(request, fmt: str):
    """The answers of the dashboard's list (same filters) as a CSV or XLSX file, streamed; logged in the audit."""
    _require_checker(request.user)
    export_format = answer_export.FORMATS.get(fmt)
    if export_format is None:
        return _refused(f"Format « {fmt} » inconnu : choisissez csv ou xlsx.")
    campaigns = list(Campaign.objects.all())
    data = request.GET.copy()
    data.pop("page", None)  # a page of the dashboard: the export gives the whole list
    form = DashboardForm(data, user=request.user, campaigns=campaigns)
    if not form.is_valid():
        return _refused(_form_errors(form))
    year = form.cleaned_data["annee"]
    campaign = next((c for c in campaigns if c.year == year), campaigns[0] if campaigns else None)
    if campaign is None:
        raise Http404("Aucune campagne n'a encore été ouverte.")
    department, status = form.cleaned_data["departement"], form.cleaned_data["etat"] or None
    chunks = iter(())  # a HEAD (link checkers) gets the headers without reading the answers
    if request.method == "GET":
        prepared = answer_export.prepare(
            request.user, campaign, department_id=department.pk if department else None, status=status
        )
        log_event(
            AuditAction.EXPORT_PERSONAL_DATA, request=request, target=campaign, export="observatory_answers",
            format=fmt, department=department.code if department else "", status=status or "",
            structures=len(prepared.structure_ids),
        )  # fmt: skip
        chunks = export_format.chunks(prepared)
    where = f"-{department.code}" if department else ""
    name = f"observatoire-reponses-{campaign.slug}{where}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response = StreamingHttpResponse(chunks, content_type=export_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Accel-Buffering"] = "no"  # proxies (nginx) would hold the file back until it is complete
    return response


def _form_errors(form) -> str:
    """« Label : message. » for each refused filter."""
    fields = form.fields
    return " ".join(
        f"{fields[name].label if name in fields else 'Filtres'} : {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


def _refused(message: str) -> HttpResponse:
    """Plain text, as the action exports: the link is followed to download a file."""
    return HttpResponse(f"Export impossible. {message}\n", status=400, content_type="text/plain; charset=utf-8")


def _checked(request, year: int, structure_id: int):
    """The campaign, structure and response (or None) the person may check; 404 outside their scope."""
    _require_checker(request.user)
    campaign = get_object_or_404(Campaign, year=year)
    structure = get_object_or_404(Structure.objects.select_related("department"), pk=structure_id)
    if not perms.can_moderate_department(request.user, structure.department_id):
        raise Http404("Structure hors de votre périmètre.")
    response = (
        Response.objects.filter(questionnaire__campaign=campaign, structure=structure)
        .select_related("questionnaire__campaign", "structure__department", "validated_by")
        .first()
    )
    return campaign, structure, response


def _display(question, raw) -> str:
    """An answer as read by a person (French numbers, option labels, oui / non)."""
    value, problem = parse_answer(question, raw)
    if problem:
        return f"{raw} (illisible : {problem})"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if question.type == "single_choice":
        return question.option_label(value)
    if question.type == "multiple_choice":
        return ", ".join(question.option_label(v) for v in value)
    if question.type == "grid":
        rows = {r.code: r.label for r in question.rows}
        columns = {c.code: c.label for c in question.columns}
        return " ; ".join(
            f"{rows[r]} / {columns[c]} : {_scalar(v)}" for r, cells in value.items() for c, v in cells.items()
        )
    text = _scalar(value)
    return f"{text} {question.unit}".strip() if question.unit else text


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str):
        return value
    return format_exact(value)


def _sections(definition, answers: dict, justifications: list) -> list:
    """Each section with its questions: (question, answer as read, the structure's justifications about it)."""
    return [
        (section, [(q, _display(q, answers.get(q.code)), checking.justifications_about(justifications, [q.code]))
                   for q in section.questions])
        for section in definition.sections
    ]  # fmt: skip


def _correction_rows(response, definition, values: dict, related=()) -> list[dict]:
    """The lines of the correction form: those posted, then the related questions of a refused correction (their
    current value to change), then blank lines up to `CORRECTION_LINES`."""
    rows = [{"code": code, "value": value} for code, value in values.get("rows", ()) if code.strip() or value.strip()]
    posted = {row["code"].strip().upper() for row in rows}
    for code in related:
        question = definition.question(code)
        if code not in posted and question.is_numeric and question.type != "grid":
            current = parse_answer(question, response.answers.get(code))[0]
            rows.append({"code": code, "value": "" if current is None else format_exact(current)})
    rows += [{"code": "", "value": ""} for _ in range(CORRECTION_LINES - len(rows))]
    return [{**row, "number": number} for number, row in enumerate(rows, start=1)]


def _question_label(definition, code: str) -> str:
    return f"« {definition.question(code).label} »" if code in definition else code


def _corrections(definition, response) -> list:
    """The corrections, each with its question's label and its values as read (French numbers, option labels)."""
    found = list(response.corrections.select_related("acting_user"))
    for correction in found:
        question = definition.question(correction.code) if correction.code in definition else None
        correction.label = question.label if question else correction.code
        correction.old_shown = _display(question, correction.old_value) if question else correction.old_value
        correction.new_shown = _display(question, correction.new_value) if question else correction.new_value
    return found


def _render_detail(request, campaign, structure, response, errors=None, values=None, status=200, related=()):
    context = {
        "campaign": campaign,
        "structure": structure,
        "response": response,
        "errors": dict.fromkeys(ERROR_KEYS, "") | (errors or {}),
        "values": dict.fromkeys(FORM_FIELDS, "") | (values or {}),
    }
    if response is not None:
        definition = response.questionnaire.definition()
        flags = list(response.flags.select_related("decided_by"))
        justifications = checking.justifications(definition, response.confirmations)
        last = filling.previous_response(response)
        previous = last.answers if last is not None else None
        for flag in flags:
            flag.justifications = checking.justifications_about(justifications, flag.codes)
            flag.question_labels = [_question_label(definition, code) for code in flag.codes]
            flag.figures = flag_display.figures(definition, flag, response.answers, previous, _display)
            flag.score = flag_display.score_in_words(definition, flag)
        context |= {
            "sections": _sections(definition, response.answers, justifications),
            "correction_rows": _correction_rows(response, definition, values or {}, related),
            "question_groups": flag_display.question_groups(definition),
            "flags": flags,
            "open_flags": sum(1 for f in flags if f.status in checking.UNRESOLVED),
            "corrections": _corrections(definition, response),
            "events": list(response.events.select_related("acting_user")),
            "can_decide": response.status == ResponseStatus.SUBMITTED,
            "flag_open": FlagStatus.OPEN,
        }
    return render(request, "observatory_check/response.html", context, status=status)


@login_required
def response_detail(request, year: int, structure_id: int):
    campaign, structure, response = _checked(request, year, structure_id)
    return _render_detail(request, campaign, structure, response)


def _post(request, year, structure_id, act, success: str):
    """Run a decision on the response; on refusal, the page again with the message next to its field."""
    campaign, structure, response = _checked(request, year, structure_id)
    if response is None:
        raise Http404("Pas de réponse à ce questionnaire.")
    try:
        act(response)
    except checking.CheckError as error:
        field = error.field or "general"
        values = {key: request.POST.get(key, "") for key in FORM_FIELDS} | {"rows": _posted_rows(request)}
        status = 400 if error.field else 409
        return _render_detail(request, campaign, structure, response, {field: error.message}, values, status,
                              error.related)  # fmt: skip
    messages.success(request, success)
    return redirect(reverse("observatory_check:response", args=[year, structure_id]))


def _flag(response, flag_id) -> Flag:
    return get_object_or_404(Flag, pk=flag_id, response=response)


@login_required
@require_POST
def flag_comment(request, year: int, structure_id: int, flag_id: int):
    def act(response):
        checking.comment_flag(_flag(response, flag_id), acting_user=request.user, comment=request.POST.get("comment"))

    return _post(request, year, structure_id, act, "Commentaire enregistré.")


@login_required
@require_POST
def flag_accept(request, year: int, structure_id: int, flag_id: int):
    def act(response):
        flag = _flag(response, flag_id)
        checking.accept_flag(flag, acting_user=request.user, justification=request.POST.get("comment"))

    return _post(request, year, structure_id, act, "Valeur acceptée avec sa justification.")


@login_required
@require_POST
def return_to_structure(request, year: int, structure_id: int):
    def act(response):
        comment = request.POST.get("comment")
        checking.return_response(response, acting_user=request.user, comment=comment, request=request)

    return _post(
        request, year, structure_id, act, "Questionnaire renvoyé à la structure, qui a été prévenue par e-mail."
    )


def _posted_rows(request) -> list[tuple[str, str]]:
    """The (code, value) lines of the correction form, in order."""
    post = request.POST
    return list(itertools.zip_longest(post.getlist("code"), post.getlist("value"), fillvalue=""))


@login_required
@require_POST
def correct(request, year: int, structure_id: int):
    """One or several answers corrected in one step (related answers together), with one reason."""

    def act(response):
        rows = _posted_rows(request)
        flag_display.check_choices(response.questionnaire.definition(), rows)
        corrections.correct_answers(response, rows, acting_user=request.user, reason=request.POST.get("reason"))

    return _post(request, year, structure_id, act, "Valeur corrigée ; la correction est consignée.")


@login_required
@require_POST
def validate(request, year: int, structure_id: int):
    def act(response):
        checking.validate_response(response, acting_user=request.user, request=request)

    return _post(request, year, structure_id, act, "Questionnaire validé.")


@login_required
@require_POST
def recompute(request, year: int, structure_id: int):
    def act(response):
        if response.status != ResponseStatus.SUBMITTED:
            raise checking.CheckError("Les signalements ne se recalculent que sur un questionnaire transmis.")
        checking.raise_flags(response)

    return _post(request, year, structure_id, act, "Signalements recalculés.")
