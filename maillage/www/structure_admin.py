"""Structure pages of the personal space: identity sheet, new structures, imports from files.

Members are managed on the team page (`account:team`); the old members URL redirects there.

Who may do what is asked of `accounts.perms` (and `structures.editing` for this area's predicates);
changes go through `structures.editing`, and imports run as background jobs (`exchange.import_jobs`, their
page in `www/import_jobs.py`).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from maillage.accounts import perms
from maillage.accounts.client import client_address
from maillage.exchange import structure_template, table_templates, text_templates
from maillage.exchange.import_jobs import start_job
from maillage.exchange.reading import ImportFileError
from maillage.exchange.structure_json import STRUCTURE_RELATIONS
from maillage.exchange.table_templates import TableTemplate
from maillage.exchange.web_import import MAX_UPLOAD_BYTES, ImportKind, store_upload
from maillage.structures.editing import StructureConflict, create_structure, save_structure
from maillage.structures.forms import AccessibleFormMixin, StructureForm
from maillage.structures.models import Structure

CONFLICT_MESSAGE = (
    "Quelqu'un d'autre a modifié cette structure depuis que vous avez ouvert la page : vos changements n'ont pas "
    "été enregistrés, pour ne pas effacer les siens. Rechargez la page pour voir la version actuelle, puis "
    "refaites vos changements (ceux que vous aviez saisis sont gardés ci-dessous pour que vous puissiez les copier)."
)


def _editable_structure(request, pk: int) -> Structure:
    structure = get_object_or_404(Structure.objects.select_related(*STRUCTURE_RELATIONS), pk=pk)
    if not perms.can_edit_structure(request.user, structure):
        raise PermissionDenied
    return structure


# Identity sheet


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def structure_edit(request, pk: int):
    structure = _editable_structure(request, pk)
    form = StructureForm(request.POST if request.method == "POST" else None, instance=structure, user=request.user)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            result = save_structure(
                structure,
                form.structure_values(),
                version=form.cleaned_data["version"],
                acting_user=request.user,
                request=request,
            )
        except StructureConflict:
            conflict = True
        else:
            text = "Fiche d'identité enregistrée." if result.changed else "Aucun changement à enregistrer."
            messages.success(request, text)
            return redirect("structure_admin:structure-edit", pk=structure.pk)
    context = {
        "form": form,
        "structure": structure,
        "conflict": conflict,
        "conflict_message": CONFLICT_MESSAGE,
        "may_manage_members": perms.can_manage_members(request.user, structure),
    }
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, "structure_admin/structure_form.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def structure_create(request):
    if not perms.can_create_structure(request.user):
        raise PermissionDenied
    form = StructureForm(request.POST if request.method == "POST" else None, instance=Structure(), user=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.structure_values()
        structure = create_structure(values, acting_user=request.user, request=request)
        messages.success(request, f"La structure « {structure.name} » a été créée.")
        return redirect("structure_admin:structure-edit", pk=structure.pk)
    context = {"form": form, "structure": None, "conflict": False, "conflict_message": ""}
    return render(request, "structure_admin/structure_form.html", context, status=400 if form.errors else 200)


# Members: managed on the team page of the personal space


def structure_members_moved(request, pk: int):
    """The old members page: a permanent redirect for bookmarks and e-mails (the team page checks who may see it)."""
    return redirect("account:team", structure_pk=pk, permanent=True)


# Imports


class ImportForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Contenu du fichier",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez ce que contient le fichier.",
            "invalid_choice": "Choisissez un type de fichier de la liste.",
        },
    )
    file = forms.FileField(
        label="Fichier",
        allow_empty_file=True,  # said by `store_upload`, with the file's name
        help_text=(
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} Mo au plus. Texte encodé en UTF-8 pour les exports texte et le CSV ; "
            "classeur XLSX (une ligne par structure, colonnes nommées comme les clés de l'export : name, postcode, …)."
        ),
        error_messages={"required": "Choisissez un fichier à importer."},
    )
    draft = forms.BooleanField(
        label="Importer les fiches actions en brouillon (sans les publier)",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


def _require_importer(request) -> None:
    if not perms.can_import(request.user):
        raise PermissionDenied


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a file: it is kept, checked at once for what can be (size, type by content), and its dry run starts
    as a background job whose page follows it."""
    _require_importer(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        kind, draft = form.cleaned_data["kind"], form.cleaned_data["draft"]
        try:
            pending = store_upload(form.cleaned_data["file"], kind=kind, draft=draft)
        except ImportFileError as error:
            form.add_error("file", str(error))
            form.mark_errors()
        else:
            options = {"draft": True} if draft and kind == ImportKind.ACTIONS else {}
            job = start_job(
                user=request.user, kind=kind, pending=pending, options=options, client_address=client_address(request)
            )
            return redirect("structure_admin:import-job", pk=job.pk)
    allowed = structure_template.allowed_values()
    columns = [(column, allowed.get(column.key, [])) for column in structure_template.COLUMNS]
    context = {"form": form, "columns": columns}
    return render(request, "structure_admin/import_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD"])
def import_template(request, fmt: str):
    """The model table of a structure import: header row and one example row."""
    _require_importer(request)
    return template_download(structure_template.table_template(), fmt, "modele-import-structures")


# The example files of the text imports, by the name in their URL.
TEXT_TEMPLATES = {"fiches": text_templates.actions_text, "annuaire": text_templates.structures_text}


@login_required
@require_http_methods(["GET", "HEAD"])
def import_text_template(request, name: str):
    """An example file of a text import (one action sheet, or one structure of the directory), as the old
    exports wrote them."""
    _require_importer(request)
    if name not in TEXT_TEMPLATES:
        raise Http404("Modèle inconnu.")
    response = HttpResponse(TEXT_TEMPLATES[name](), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modele-{name}.txt"'
    return response


def template_download(template: TableTemplate, fmt: str, stem: str) -> HttpResponse:
    """A table to fill in, as a CSV or XLSX attachment named `stem.fmt`; 404 for another format."""
    if fmt not in table_templates.FORMATS:
        raise Http404("Format de modèle inconnu.")
    write, content_type = table_templates.FORMATS[fmt]
    response = HttpResponse(write(template), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
