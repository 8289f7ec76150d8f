"""The contributors' area (« Mon espace »): their structures' sheets, the sheet form, autosave and
attachment downloads. Views parse input, ask `accounts.perms` and call `actions.editing`.

A sheet or attachment the person may not see answers 404, never its content nor a hint that it exists.
"""

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.accounts import perms
from maillage.actions import editing
from maillage.actions import files as attachments
from maillage.actions.forms import SheetForm
from maillage.actions.models import Action, ActionFile, ActionState, PendingRevision
from maillage.actions.workflow import (
    RETURN_FIELDS,
    TransitionError,
    allowed_moves,
    latest_returns,
    transition,
    with_last_return,
)
from maillage.parameters import MAX_ID, positive_int, whole_number
from maillage.structures.models import Structure

STATE_ORDER = [ActionState.DRAFT, ActionState.RETURNED, ActionState.SUBMITTED, ActionState.PUBLISHED,
               ActionState.ARCHIVED]  # fmt: skip


@login_required
def home(request):
    """My structures and their sheets by state."""
    structures = list(
        Structure.objects.filter(memberships__user=request.user).select_related("department").order_by("name")
    )
    sheets = (
        with_last_return(Action.objects.filter(structure__in=structures))
        .order_by("-updated_at", "-id")
        .values("id", "title", "state", "structure_id", "updated_at", *RETURN_FIELDS)
    )
    pending_ids = set(
        PendingRevision.objects.filter(action__structure__in=structures).values_list("action_id", flat=True)
    )
    by_structure = defaultdict(list)
    for sheet in sheets:
        sheet["has_pending"] = sheet["id"] in pending_ids
        by_structure[sheet["structure_id"]].append(sheet)
    blocks = [_structure_block(structure, by_structure[structure.pk]) for structure in structures]
    return render(request, "contribute/home.html", {"blocks": blocks})


def _structure_block(structure: Structure, sheets: list[dict]) -> dict:
    counts = Counter(sheet["state"] for sheet in sheets)
    groups = [
        {"state": state, "label": ActionState(state).label, "sheets": [s for s in sheets if s["state"] == state]}
        for state in STATE_ORDER
        if counts[state]
    ]
    return {
        "structure": structure,
        "total": len(sheets),
        "counts": [(ActionState(state).label, counts[state]) for state in STATE_ORDER if counts[state]],
        "groups": groups,
    }


@login_required
def sheet_new(request):
    structure = _editable_structure(request, request.GET.get("structure", ""))
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = editing.create_sheet(
                structure, form.content(), acting_user=request.user, files=form.file_changes(), request=request
            )
        except editing.EditRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "La fiche est créée ; elle est en brouillon.")
            if _apply_move(request, action):
                return redirect("contribute:home")
            return redirect("contribute:sheet-edit", pk=action.pk)
    context = {"form": form, "structure": structure, "action": None, "moves": [], "pending": None,
               "returned": None, "duplicates": [], "attachment_rows": []}  # fmt: skip
    return render(request, "contribute/sheet_form.html", context, status=400 if form.errors else 200)


@login_required
def sheet_edit(request, pk: int):
    action = _editable_action(request, pk)
    pending = editing.pending_of(action)
    form = SheetForm(
        request.POST or None,
        request.FILES or None,
        content=editing.editable_content(action, pending),
        attached=editing.attachments_shown(action, pending),
        initial={"version": editing.edit_version(action, pending)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = editing.save_sheet(
                action,
                form.content(),
                version=form.cleaned_data["version"],
                acting_user=request.user,
                files=form.file_changes(),
                request=request,
            )
        except editing.EditRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _say_saved(request, outcome)
            if _apply_move(request, outcome.action):
                return redirect("contribute:home")
            return redirect("contribute:sheet-edit", pk=action.pk)
    context = {
        "form": form,
        "structure": action.structure,
        "action": action,
        "pending": pending,
        "returned": latest_returns([action.pk]).get(action.pk) if action.state == ActionState.RETURNED else None,
        "moves": _form_moves(request.user, action),
        "attachment_rows": _attachment_rows(form),
        "duplicates": editing.similar_sheets(action.structure_id, action.title, action.summary, exclude_pk=action.pk),
    }
    return render(request, "contribute/sheet_form.html", context, status=400 if form.errors else 200)


def _attachment_rows(form: SheetForm) -> list[dict]:
    rows = []
    for (key, name, has_file), remove in zip(form.attached, form["remove_files"].subwidgets, strict=True):
        pk = whole_number(key, maximum=MAX_ID) if has_file else None
        url = reverse("contribute:member-file", kwargs={"pk": pk}) if pk is not None else ""
        rows.append({"name": name, "has_file": has_file, "url": url, "remove": remove})
    return rows


def _say_saved(request, outcome: editing.SaveOutcome) -> None:
    if outcome.pending is not None:
        messages.success(
            request,
            "Vos modifications sont enregistrées et attendent la validation d'un correspondant : "
            "la version publiée reste en ligne d'ici là.",
        )
    elif outcome.changed:
        messages.success(request, "La fiche est enregistrée.")
    else:
        messages.info(request, "Aucune modification à enregistrer.")


def _form_moves(user, action: Action) -> list:
    """Workflow buttons offered next to « Enregistrer »: not on published sheets (their edits are
    proposals), and not the moves that need a comment (they belong to the moderation queue)."""
    if action.state == ActionState.PUBLISHED:
        return []
    return [move for move in allowed_moves(user, action) if not move.comment_required]


def _apply_move(request, action: Action) -> bool:
    """After a save, make the transition of the button pressed (`move`), if any."""
    target = request.POST.get("move", "")
    if not target:
        return False
    if target not in {move.target for move in _form_moves(request.user, action)}:
        messages.error(request, "Ce changement d'état n'est pas possible pour cette fiche.")
        return False
    try:
        transition(action, target, acting_user=request.user, request=request)
    except (TransitionError, PermissionDenied) as error:
        messages.error(request, str(error))
        return False
    messages.success(request, f"La fiche est maintenant {ActionState(target).label}.")
    return True


@login_required
@require_POST
def sheet_autosave(request, pk: int):
    """Background save of a draft (JSON answer); attachments and workflow buttons are ignored."""
    action = _editable_action(request, pk)
    if action.state != ActionState.DRAFT:
        return JsonResponse({"error": "Seuls les brouillons sont enregistrés automatiquement."}, status=409)
    pending = editing.pending_of(action)
    form = SheetForm(request.POST, content=editing.editable_content(action, pending),
                     attached=editing.attachments_shown(action, pending))  # fmt: skip
    form.is_valid()
    errors = form.autosave_errors()
    if errors:
        return JsonResponse({"error": "Brouillon non enregistré : corrigez les champs signalés.", "fields": errors},
                            status=400)  # fmt: skip
    try:
        version = editing.autosave_draft(
            action, form.content(), version=form.cleaned_data["version"], acting_user=request.user, request=request
        )
    except editing.EditRefused as refusal:
        return JsonResponse({"error": str(refusal)}, status=409)
    saved_at = timezone.localtime().strftime("%H:%M")
    return JsonResponse({"version": version, "saved_at": saved_at, "message": f"Brouillon enregistré à {saved_at}"})


def file_download(request, pk: int):
    """An attachment, if the person may see its sheet (published sheets: everyone)."""
    if not _is_id(pk):
        raise Http404("Fichier introuvable.")
    attached = ActionFile.objects.select_related("action__structure").filter(pk=pk).exclude(file="").first()
    if attached is None or not perms.can_view_action(request.user, attached.action):
        raise Http404("Fichier introuvable.")
    file_type = attachments.type_of_stored(attached.file.name)
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("Fichier introuvable.") from missing
    response = FileResponse(handle, content_type=file_type.mime if file_type else "application/octet-stream")
    response["Content-Disposition"] = attachments.content_disposition(attached.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if attached.action.state != ActionState.PUBLISHED:
        response["Cache-Control"] = "private, no-store"
    return response


member_file_download = login_required(file_download)


def _editable_structure(request, value: str) -> Structure:
    """The structure of `?structure=`: 400 when it is no number, 404 when it is not one the person may edit."""
    pk = positive_int(value, "structure", maximum=MAX_ID, what="un numéro de structure")
    structure = Structure.objects.filter(pk=pk).first()
    if structure is None or not perms.can_edit_structure(request.user, structure):
        raise Http404("Structure introuvable.")
    return structure


def _editable_action(request, pk: int) -> Action:
    if not _is_id(pk):
        raise Http404("Fiche introuvable.")
    action = get_object_or_404(Action.objects.select_related("structure__department"), pk=pk)
    if not perms.can_edit_action(request.user, action):
        raise Http404("Fiche introuvable.")
    return action


def _is_id(value) -> bool:
    """A primary key the database can compare (huge numbers overflow SQLite's integers)."""
    return bool(whole_number(str(value), maximum=MAX_ID))
