"""Structures fill in their yearly questionnaire (« Mon espace › Observatoire »).

Views parse input, ask `observatory.filling` (who may see or fill, save, copy, submit) and render. A structure,
campaign or section the person may not see answers 404. Members of the structure fill it in until it is
transmitted; its correspondents and national administrators read it (their corrections belong to the
coherence check).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.accounts import perms
from maillage.observatory.answers import filling
from maillage.observatory.forms import SectionForm
from maillage.observatory.models import Campaign, Questionnaire, Response, ResponseStatus
from maillage.structures.models import Structure


@dataclass
class Context:
    structure: Structure
    campaign: Campaign
    response: Response
    definition: object
    editable: bool


def _load(request, year: int, structure_id: int) -> Context:
    structure = Structure.objects.select_related("department").filter(pk=structure_id).first()
    if structure is None or not perms.can_view_observatory_answers(request.user, structure):
        raise Http404("Structure introuvable.")
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None or not filling.campaign_has_opened(campaign):
        raise Http404("Campagne introuvable.")
    questionnaire = filling.questionnaire_for(campaign, structure)
    if questionnaire is None:
        raise Http404("Pas de questionnaire pour cette structure dans cette campagne.")
    response = filling.response_for(questionnaire, structure)
    editable = perms.can_fill_response(request.user, response)
    return Context(structure, campaign, response, questionnaire.definition(), editable)


def _section(ctx: Context, code: str):
    for index, section in enumerate(ctx.definition.sections):
        if section.code == code:
            following = ctx.definition.sections[index + 1] if index + 1 < len(ctx.definition.sections) else None
            return section, following
    raise Http404("Section introuvable.")


@login_required
def home(request):
    """My structures, their campaigns (open ones, and those they answered) and the state of each questionnaire."""
    structures = list(
        Structure.objects.filter(pk__in=perms.structure_ids(request.user)).select_related("department").order_by("name")
    )
    today = timezone.localdate()
    campaigns = list(Campaign.objects.filter(opens_on__lte=today))
    questionnaires = {
        (q.campaign_id, q.kind): q
        for q in Questionnaire.objects.filter(campaign__in=campaigns).select_related("campaign")
    }
    responses = {
        (r.questionnaire_id, r.structure_id): r
        for r in Response.objects.filter(structure__in=structures, questionnaire__campaign__in=campaigns)
    }
    blocks = []
    for structure in structures:
        rows = []
        for campaign in campaigns:
            questionnaire = questionnaires.get((campaign.pk, structure.kind))
            response = responses.get((questionnaire.pk, structure.pk)) if questionnaire else None
            is_open = campaign.closes_on >= today
            if not is_open and response is None:
                continue
            if response is not None:
                response.questionnaire = questionnaire
            rows.append({
                "campaign": campaign,
                "questionnaire": questionnaire,
                "is_open": is_open,
                "status": filling.display_status(response) if response else ResponseStatus.NOT_STARTED.label,
            })  # fmt: skip
        blocks.append({"structure": structure, "rows": rows})
    return render(request, "observatory_fill/home.html", {"blocks": blocks})


@login_required
def summary(request, year: int, structure_id: int):
    ctx = _load(request, year, structure_id)
    result = filling.check(ctx.response)
    sections = []
    for section in ctx.definition.sections:
        codes = {q.code for q in section.questions}
        sections.append({
            "section": section,
            "progress": result.progress_by_section[section.code],
            "errors": sum(1 for i in result.errors if codes & set(i.questions)),
            "warnings": sum(1 for i in result.warnings if codes & set(i.questions)),
            "missing": sum(1 for code in result.missing_required if code in codes),
        })  # fmt: skip
    previous = filling.previous_response(ctx.response)
    events = list(ctx.response.events.select_related("acting_user")) if ctx.response.pk else []
    return render(request, "observatory_fill/summary.html", {
        "ctx": ctx,
        "result": result,
        "sections": sections,
        "status": filling.display_status(ctx.response, result),
        "resume": filling.resume_section(ctx.definition, result),
        "previous_status": previous.get_status_display() if previous else "",
        "events": events,
        "points": filling.points_to_review(ctx.response, ctx.definition),
    })  # fmt: skip


@login_required
def section_page(request, year: int, structure_id: int, section: str):
    ctx = _load(request, year, structure_id)
    current, following = _section(ctx, section)
    if request.method == "POST":
        if not ctx.editable:
            raise PermissionDenied("Ce questionnaire ne peut pas être modifié.")
        return _save(request, ctx, current, following)
    result = filling.check(ctx.response)
    previous = filling.previous_response(ctx.response)
    form = SectionForm(ctx.definition, current, answers=ctx.response.answers,
                       confirmations=ctx.response.confirmations, result=result,
                       previous=previous.answers if previous else None)  # fmt: skip
    return render(request, "observatory_fill/section.html", {
        "ctx": ctx,
        "section": current,
        "following": following,
        "form": form,
        "progress": result.progress_by_section[current.code],
        "has_previous": previous is not None,
        "section_errors": [(item, e) for item in form.items for e in item.errors],
        "position": list(ctx.definition.sections).index(current) + 1,
        "section_count": len(ctx.definition.sections),
        "campaign_closed": ctx.campaign.closes_on < timezone.localdate(),
        "points": [p for p in filling.points_to_review(ctx.response, ctx.definition) if current in p.sections],
    })  # fmt: skip


def _posted_form(request, ctx: Context, section) -> SectionForm:
    result = filling.check(ctx.response)
    return SectionForm(ctx.definition, section, answers=ctx.response.answers, confirmations={}, result=result,
                       data=request.POST)  # fmt: skip


def _save(request, ctx: Context, section, following):
    form = _posted_form(request, ctx, section)
    try:
        outcome = filling.save_section(ctx.response, section.code, form.raw_answers(), form.raw_confirmations(),
                                       acting_user=request.user, request=request)  # fmt: skip
    except filling.FillingRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(_section_url(ctx, section.code))
    codes = {q.code for q in section.questions}
    errors = [i for i in outcome.result.errors if codes & set(i.questions)]
    warnings = [i for i in outcome.result.warnings if codes & set(i.questions)]
    if errors or warnings:
        messages.warning(request, _problems_message(len(errors), len(warnings)))
        return redirect(_section_url(ctx, section.code) + "#erreurs")
    messages.success(request, "Vos réponses sont enregistrées.")
    if "next" in request.POST:
        if following is not None:
            return redirect(_section_url(ctx, following.code))
        return redirect("observatory_fill:summary", year=ctx.campaign.year, structure_id=ctx.structure.pk)
    return redirect(_section_url(ctx, section.code))


def _problems_message(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(f"{errors} erreur{'s' if errors > 1 else ''} à corriger")
    if warnings:
        parts.append(f"{warnings} valeur{'s' if warnings > 1 else ''} inhabituelle{'s' if warnings > 1 else ''} "
                     "à confirmer par une justification")  # fmt: skip
    return "Vos réponses sont enregistrées, mais cette section a " + " et ".join(parts) + "."


def _section_url(ctx: Context, code: str) -> str:
    return reverse("observatory_fill:section", kwargs={"year": ctx.campaign.year, "structure_id": ctx.structure.pk,
                                                       "section": code})  # fmt: skip


@login_required
@require_POST
def autosave(request, year: int, structure_id: int, section: str):
    """Save the section in the background (questionnaire.js); answers JSON, never a page."""
    ctx = _load(request, year, structure_id)
    current, _ = _section(ctx, section)
    if not ctx.editable:
        return JsonResponse({"saved": False, "message": "Ce questionnaire ne peut plus être modifié."}, status=403)
    form = _posted_form(request, ctx, current)
    try:
        outcome = filling.save_section(ctx.response, current.code, form.raw_answers(), form.raw_confirmations(),
                                       acting_user=request.user, request=request)  # fmt: skip
    except filling.FillingRefused as refusal:
        return JsonResponse({"saved": False, "message": str(refusal)}, status=403)
    progress = outcome.result.progress_by_section[current.code]
    saved_at = timezone.localtime().strftime("%H h %M")
    return JsonResponse({
        "saved": True,
        "message": f"Enregistré à {saved_at}",
        "saved_at": saved_at,
        "progress": progress.percent,
        "answered": progress.answered,
        "total": progress.total,
    })  # fmt: skip


@login_required
@require_POST
def copy_last_year(request, year: int, structure_id: int, section: str):
    ctx = _load(request, year, structure_id)
    current, _ = _section(ctx, section)
    if not ctx.editable:
        raise PermissionDenied("Ce questionnaire ne peut pas être modifié.")
    try:
        copied = filling.copy_last_year(ctx.response, current.code, acting_user=request.user, request=request)
    except filling.FillingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if copied:
            plural = "s" if copied > 1 else ""
            messages.success(request, f"{copied} réponse{plural} de l'an dernier reprise{plural} ; vérifiez-les. "
                             "Les réponses déjà saisies sont gardées.")  # fmt: skip
        else:
            messages.info(request, "Aucune réponse à reprendre : les questions sont déjà remplies, ou l'an dernier "
                          "elles étaient sans réponse.")  # fmt: skip
    return redirect(_section_url(ctx, current.code))


@login_required
@require_POST
def submit(request, year: int, structure_id: int):
    ctx = _load(request, year, structure_id)
    if not ctx.editable:
        raise PermissionDenied("Ce questionnaire ne peut pas être transmis.")
    try:
        filling.submit(ctx.response, acting_user=request.user, request=request)
    except filling.FillingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Le questionnaire est transmis. Merci ! Votre correspondant va le vérifier.")
    return redirect("observatory_fill:summary", year=ctx.campaign.year, structure_id=ctx.structure.pk)
