"""Import of past campaigns' answers from the web, for national administrators: upload, then a background job.

The file is kept as the structure import keeps it (`exchange.web_import.store_upload`: outside the public media,
under a random name, its content checked as a CSV or XLSX table); the job (`exchange.import_jobs`, run by
`observatory.answers.past_job`) keeps the campaign year and the « replace » choice, so that the confirmation —
a second job on the same file, from the job's page (`www/import_jobs.py`) — imports exactly what the dry run
showed, read again and checked again by `observatory.past_import`.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from maillage.accounts import perms
from maillage.accounts.client import client_address
from maillage.exchange.import_jobs import start_job
from maillage.exchange.models import JobKind
from maillage.exchange.reading import ImportFileError
from maillage.exchange.web_import import MAX_UPLOAD_BYTES, ImportKind, store_upload
from maillage.observatory.answers.past_table import describe_file_error
from maillage.observatory.answers.past_template import past_template
from maillage.observatory.definitions.wording import campaign_slug
from maillage.observatory.models import Campaign
from maillage.structures.forms import AccessibleFormMixin

from .structure_admin import template_download

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
        self.campaigns = list(_campaigns())
        self.fields["year"].choices = [("", "Choisissez une campagne"), *((c.year, str(c)) for c in self.campaigns)]
        self.style_widgets()


def _campaigns():
    """The campaigns whose questionnaire is loaded: answers can be imported into them."""
    return Campaign.objects.filter(questionnaires__isnull=False).distinct().order_by("-year")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a table of past answers: its dry run starts as a background job, whose page follows it."""
    _require_national_admin(request)
    form = PastAnswersForm(request.POST, request.FILES) if request.method == "POST" else PastAnswersForm()
    if request.method == "POST" and form.is_valid():
        try:
            pending = store_upload(form.cleaned_data["file"], kind=TABLE)
        except ImportFileError as error:
            form.add_error("file", describe_file_error(error))
            form.mark_errors()
        else:
            options = {"year": form.cleaned_data["year"], "replace": form.cleaned_data["replace"]}
            job = start_job(
                user=request.user,
                kind=JobKind.PAST_ANSWERS,
                pending=pending,
                options=options,
                client_address=client_address(request),
            )
            return redirect("structure_admin:import-job", pk=job.pk)
    context = {"form": form, "campaigns": form.campaigns}
    return render(request, "observatory_import/upload.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD"])
def import_template(request, year: int, fmt: str):
    """The table to fill in for a campaign: the columns id, siret and nom, then its question codes (the XLSX
    explains each in a sheet « Questions »)."""
    _require_national_admin(request)
    campaign = get_object_or_404(_campaigns(), year=year)
    return template_download(past_template(campaign), fmt, f"modele-reponses-{campaign_slug(campaign.year)}")
