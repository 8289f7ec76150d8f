"""Moderation pages for correspondents and national administrators, and the history page of a sheet.

Views parse the request, call `actions.moderation`, `actions.history` or `actions.workflow`, and render.
A sheet outside the person's scope is not found (404); a person who does not moderate at all is refused (403).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.accounts import perms
from maillage.actions import editing, history, moderation
from maillage.actions.models import Action, ActionState
from maillage.actions.workflow import TransitionError, allowed_moves, transition
from maillage.exchange.action_json import action_records
from maillage.parameters import MAX_ID, positive_int

PAGE_SIZE = 20
QUEUE_STATES = [
    (ActionState.SUBMITTED, "Soumises"),
    (ActionState.RETURNED, "Renvoyées"),
    (ActionState.PUBLISHED, "Publiées"),
    (ActionState.ARCHIVED, "Archivées"),
]


def _require_moderator(user) -> None:
    if not moderation.is_moderator(user):
        raise PermissionDenied("Cette page est réservée aux correspondants et aux administrateurs nationaux.")


class QueueForm(forms.Form):
    etat = forms.ChoiceField(label="État", choices=QUEUE_STATES, required=False)
    departement = forms.ModelChoiceField(
        label="Département", queryset=None, to_field_name="code", required=False, empty_label="Tous mes départements"
    )
    structure = forms.IntegerField(label="Structure (numéro)", min_value=1, required=False)
    doublon = forms.BooleanField(label="Doublon probable seulement", required=False)
    a_actualiser = forms.BooleanField(label="À actualiser seulement (publiées il y a plus de deux ans)", required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = moderation.moderated_departments(user)
        self.fields["departement"].error_messages["invalid_choice"] = "Ce département n'est pas dans votre périmètre."
        self.fields["etat"].error_messages["invalid_choice"] = "Choisissez un état de la liste."

    def filters(self) -> moderation.QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("departement")
        return moderation.QueueFilters(
            state=data.get("etat") or ActionState.SUBMITTED,
            department_id=department.pk if department else None,
            structure_id=data.get("structure"),
            duplicates=bool(data.get("doublon")),
            stale=bool(data.get("a_actualiser")),
        )


@login_required
def queue(request):
    """Sheets to review in the person's departments, oldest first, with filters."""
    _require_moderator(request.user)
    form = QueueForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else moderation.QueueFilters()
    now = timezone.now()
    sheets = moderation.moderation_queue(request.user, filters, now)
    page = Paginator(sheets, PAGE_SIZE).get_page(form.cleaned_data.get("page") if form.is_bound else 1)
    moderation.mark_stale(page.object_list, now)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "state_label": ActionState(filters.state).label,
        "tab": "stale" if filters.stale else "queue",
    }
    return render(request, "moderation/queue.html", context, status=400 if form.is_bound and form.errors else 200)


@login_required
def sheet(request, pk: int):
    """A sheet as it will be published, its transitions, and the moves the person may make."""
    _require_moderator(request.user)
    action = get_object_or_404(
        perms.moderated_actions(request.user).select_related("structure__department", "probable_duplicate_of"), pk=pk
    )
    error, comment = "", ""
    if request.method == "POST":
        comment = request.POST.get("comment", "")
        try:
            transition(action, request.POST.get("target", ""), acting_user=request.user, comment=comment,
                       request=request)  # fmt: skip
        except TransitionError as exc:
            error = str(exc)
        else:
            action.refresh_from_db()
            moderation.forget_tab_counts(request.user)
            messages.success(request, f"La fiche est maintenant {action.get_state_display()}.")
            return redirect("moderation:sheet", pk=action.pk)
    moderation.mark_stale([action])
    context = {
        "action": action,
        "record": action_records([action.pk])[action.pk],
        "transitions": action.transitions.select_related("acting_user"),
        "moves": allowed_moves(request.user, action),
        "since_return": history.changes_since_return(action),
        "error": error,
        "comment": comment,
    }
    return render(request, "moderation/sheet.html", context, status=400 if error else 200)


@login_required
def duplicates(request):
    """Probable duplicates in the person's departments: importer flags and similar titles."""
    _require_moderator(request.user)
    pairs = moderation.probable_duplicates(request.user)
    return render(request, "moderation/duplicates.html", {"pairs": pairs, "tab": "duplicates"})


def _pair(request, *keys: str) -> tuple[Action, Action]:
    """The two sheets named by the parameters `keys`: 400 when one is no number, 404 when not moderated here."""
    params = request.POST if request.method == "POST" else request.GET
    ids = [positive_int(params.get(key, ""), key, maximum=MAX_ID, what="un numéro de fiche") for key in keys]
    scope = perms.moderated_actions(request.user).select_related("structure__department")
    return get_object_or_404(scope, pk=ids[0]), get_object_or_404(scope, pk=ids[1])


@login_required
def merge(request):
    """GET: both sheets side by side, field by field, differences marked — nothing happens yet;
    POST: the merge, once confirmed (the other sheet is deleted, its history kept). Sheets of two
    structures need the box « Fusionner quand même » ticked (see `moderation.merge_actions`)."""
    _require_moderator(request.user)
    kept, removed = _pair(request, "garder", "supprimer")
    error = ""
    if request.method == "POST":
        allow = request.POST.get("structures_differentes") == "on"
        try:
            moderation.merge_actions(kept, removed, acting_user=request.user, allow_across_structures=allow,
                                     request=request)  # fmt: skip
        except moderation.MergeError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Les fiches ont été fusionnées : la fiche n° {kept.pk} est conservée.")
            return redirect("moderation:sheet", pk=kept.pk)
    context = {
        "kept": kept,
        "removed": removed,
        "fields": moderation.compare_sheets(kept, removed),
        "across_structures": moderation.across_structures(kept, removed),
        "error": error,
        "tab": "duplicates",
    }
    return render(request, "moderation/merge_confirm.html", context, status=400 if error else 200)


@login_required
@require_POST
def dismiss(request):
    _require_moderator(request.user)
    action, other = _pair(request, "fiche", "autre")
    try:
        moderation.dismiss_duplicate(action, other, acting_user=request.user, request=request)
    except moderation.MergeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Le signalement de doublon a été ignoré.")
    return redirect("moderation:duplicates")


@login_required
def orphans(request):
    """Structures of the person's departments without any member."""
    _require_moderator(request.user)
    page = Paginator(moderation.orphan_structures(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/orphans.html", {"page": page, "tab": "orphans"})


@login_required
def pending_list(request):
    """Changes proposed to published sheets, awaiting approval."""
    _require_moderator(request.user)
    page = Paginator(moderation.pending_revisions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/pending_list.html", {"page": page, "tab": "pending"})


@login_required
def pending_detail(request, pk: int):
    """What a proposal changes on the published sheet; approve it, or reject it with a comment."""
    _require_moderator(request.user)
    pending = get_object_or_404(moderation.pending_revisions(request.user), pk=pk)
    error, comment = "", ""
    if request.method == "POST":
        comment = request.POST.get("comment", "")
        try:
            if request.POST.get("decision") == "approve":
                editing.approve_pending_revision(pending, request.user, request=request)
                messages.success(request, "La modification est validée : la fiche publiée est à jour.")
            else:
                editing.reject_pending_revision(pending, request.user, comment, request=request)
                messages.success(request, "La modification est refusée ; son auteur en est informé.")
        except editing.EditRefused as exc:
            error = str(exc)
        else:
            moderation.forget_tab_counts(request.user)
            return redirect("moderation:pending")
    record = action_records([pending.action_id])[pending.action_id]
    context = {
        "pending": pending,
        "action": pending.action,
        "changes": history.diff_records(record, moderation.proposed_record(pending)),
        "error": error,
        "comment": comment,
        "tab": "pending",
    }
    return render(request, "moderation/pending_detail.html", context, status=400 if error else 200)


# History of a sheet ---------------------------------------------------------------------------------


def _sheet_for_history(request, pk: int) -> Action:
    """The sheet, if the person may edit it; otherwise not found, as an unknown one (its existence is no hint)."""
    action = get_object_or_404(Action.objects.select_related("structure__department"), pk=pk)
    if not perms.can_edit_action(request.user, action):
        raise Http404("Fiche introuvable.")
    return action


@login_required
def sheet_history(request, pk: int):
    """Every transition and every previous version of a sheet, with what changed."""
    action = _sheet_for_history(request, pk)
    context = {
        "action": action,
        "transitions": action.transitions.select_related("acting_user"),
        "versions": history.sheet_versions(action),
        "can_restore": history.can_restore(request.user, action),
        "can_moderate": perms.can_moderate_action(request.user, action),
    }
    return render(request, "moderation/history.html", context)


@login_required
@require_POST
def restore(request, pk: int, revision_id: int):
    action = _sheet_for_history(request, pk)
    revision = get_object_or_404(history.Revision.objects.for_object(action), pk=revision_id)
    try:
        history.restore_version(action, revision, request.user, request=request)
    except history.RestoreError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "La version a été restaurée ; la version remplacée reste dans l'historique.")
    return redirect(reverse("moderation:history", kwargs={"pk": action.pk}))
