"""Import of past campaigns' answers from the web, for national administrators: upload, dry run, confirmation.

The file is kept between the two steps as the structure import keeps it (`exchange.web_import.store_upload`:
outside the public media, under a random name, its content checked as a CSV or XLSX table); the session holds
its token with the campaign year and the « replace » choice, so that the confirmation imports exactly what the
dry run showed, read again and checked again by `observatory.past_import`.
"""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts import perms
from maillage.exchange.reading import ImportFileError
from maillage.exchange.transactions import BUSY_MESSAGE, is_database_busy
from maillage.exchange.web_import import (
    MAX_UPLOAD_BYTES,
    ImportKind,
    PendingImport,
    discard,
    keep_pending,
    store_upload,
    take_pending,
)
from maillage.observatory.answers.past_import import PastImportError, import_past_answers
from maillage.observatory.answers.past_table import PastImportReport, describe_file_error
from maillage.observatory.models import Campaign
from maillage.structures.forms import AccessibleFormMixin

logger = logging.getLogger(__name__)

PENDING_KEY = "pending_observatory_imports"
MAX_PENDING = 5
MAX_LISTED = 200
# Stored and checked as a table (CSV or XLSX), the kind the structure import gives to its tables.
TABLE = ImportKind.STRUCTURE_TABLE


def _require_national_admin(request) -> None:
    if not perms.is_national_admin(request.user):
        raise PermissionDenied("Cette page est réservée aux administrateurs nationaux.")


class PastAnswersForm(AccessibleFormMixin, forms.Form):
    year = forms.TypedChoiceField(
        label="Campagne (année observée)",
        coerce=int,
        error_messages={
            "required": "Choisissez une campagne.",
            "invalid_choice": "Choisissez une campagne de la liste.",
        },
    )
    file = forms.FileField(
        label="Fichier",
        allow_empty_file=True,  # said by `store_upload`, with the file's name
        help_text=(
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} Mo au plus. Tableau CSV encodé en UTF-8 (séparateur ; ou ,) ou "
            "classeur XLSX : une ligne par structure, une colonne id ou siret, puis une colonne par code de question."
        ),
        error_messages={"required": "Choisissez un fichier à importer."},
    )
    replace = forms.BooleanField(
        label="Remplacer aussi les réponses saisies sur le site par les structures",
        required=False,
        help_text="Sans cette case, une structure qui a déjà répondu sur le site pour cette campagne est une erreur.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = Campaign.objects.filter(questionnaires__isnull=False).distinct().order_by("-year")
        self.fields["year"].choices = [("", "Choisissez une campagne"), *((c.year, str(c)) for c in campaigns)]
        self.style_widgets()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a table of past answers and see the dry run of its import."""
    _require_national_admin(request)
    form = PastAnswersForm(request.POST, request.FILES) if request.method == "POST" else PastAnswersForm()
    if request.method == "POST" and form.is_valid():
        try:
            pending = store_upload(form.cleaned_data["file"], kind=TABLE)
        except ImportFileError as error:
            form.add_error("file", describe_file_error(error))
            form.mark_errors()
        else:
            return _dry_run(request, pending, form.cleaned_data["year"], form.cleaned_data["replace"])
    return _upload_page(request, form, status=400 if form.errors else 200)


def _upload_page(request, form: PastAnswersForm, *, status: int = 200, expired: bool = False):
    has_campaigns = len(form.fields["year"].choices) > 1
    context = {"form": form, "has_campaigns": has_campaigns, "expired": expired}
    return render(request, "observatory_import/upload.html", context, status=status)


def _dry_run(request, pending: PendingImport, year: int, replace: bool):
    report, problem = _run(pending, year=year, replace=replace, user=request.user, dry_run=True)
    if report is not None and report.ok:
        keep_pending(request.session, PENDING_KEY, pending, MAX_PENDING, year=year, replace=replace)
    else:
        discard(pending)
    return _render_report(request, pending, report, problem, dry_run=True)


@never_cache
@login_required
@require_POST
def import_confirm(request):
    """Import for real a file whose dry run the person has seen (read and checked again)."""
    _require_national_admin(request)
    found = take_pending(request.session, PENDING_KEY, request.POST.get("token", ""))
    if found is None:
        return _upload_page(request, PastAnswersForm(), status=404, expired=True)
    pending, choices = found
    year, replace = choices["year"], choices["replace"]
    try:
        report, problem = _run(pending, year=year, replace=replace, user=request.user, dry_run=False, request=request)
    finally:
        discard(pending)
    if report is None or not report.ok:
        return _render_report(request, pending, report, problem, dry_run=False)
    messages.success(request, f"Import terminé : {report.summary()}.")
    return redirect("observatory_import:upload")


def _run(pending: PendingImport, *, year: int, replace: bool, user, dry_run: bool, request=None):
    """(report, None), or (None, a French message) when the file or the campaign cannot be imported at all."""
    try:
        report = import_past_answers(pending.path, year=year, replace=replace, dry_run=dry_run, acting_user=user,
                                     display_name=pending.filename, request=request)  # fmt: skip
    except ImportFileError as error:
        return None, describe_file_error(error)
    except PastImportError as error:
        return None, str(error)
    except Exception as error:  # noqa: BLE001 - the transaction is rolled back; details go to the log
        if is_database_busy(error):
            return None, f"{pending.filename} : {BUSY_MESSAGE}"
        logger.exception("Import web des réponses de %s", pending.filename)
        return None, f"{pending.filename} : erreur inattendue pendant l'import ({type(error).__name__})"
    return report, None


def _render_report(request, pending: PendingImport, report: PastImportReport | None, problem: str | None, *,
                   dry_run: bool):  # fmt: skip
    errors = report.errors if report else []
    warnings = report.warnings if report else []
    context = {
        "pending": pending,
        "report": report,
        "problem": problem,
        "dry_run": dry_run,
        "ok": report is not None and report.ok,
        "errors": errors[:MAX_LISTED],
        "more_errors": max(len(errors) - MAX_LISTED, 0),
        "warnings": warnings[:MAX_LISTED],
        "more_warnings": max(len(warnings) - MAX_LISTED, 0),
    }
    status = 200 if context["ok"] else 400
    return render(request, "observatory_import/report.html", context, status=status)
