"""Campaigns of the observatory and their questionnaires, for national administrators.

The list of campaigns (questionnaires loaded per kind, responses by status), a campaign's creation and dates,
and the loading of a questionnaire: one of the files shipped with the application, or YAML files sent from
the browser (the main file and those it includes or extends). The rules live in `observatory.campaigns`
(reading the files: `observatory.definitions.sources`), shared with the command `load_questionnaire`.
"""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from maillage.accounts import perms
from maillage.french import count_noun
from maillage.observatory import campaigns
from maillage.observatory.campaigns import QuestionnaireLoadError
from maillage.observatory.definitions.questionnaire import InvalidDefinition
from maillage.observatory.models import Campaign
from maillage.structures.forms import AccessibleFormMixin

logger = logging.getLogger(__name__)

MAX_FILE_MB = 1
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_FILES = 20
DATE_HELP = "jj/mm/aaaa, par exemple 01/03/2026."


def _require_national_admin(request) -> None:
    if not perms.is_national_admin(request.user):
        raise PermissionDenied("Cette page est réservée aux administrateurs nationaux.")


# -- forms -------------------------------------------------------------------------------------------------------


def french_date_field(label: str, what: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=DATE_HELP,
        error_messages={
            "required": f"Donnez la date {what} (jj/mm/aaaa).",
            "invalid": "Date attendue au format jj/mm/aaaa, par exemple 01/03/2026.",
        },
    )


class CampaignDatesForm(AccessibleFormMixin, forms.Form):
    opens_on = french_date_field("Ouverture", "d'ouverture")
    closes_on = french_date_field("Clôture", "de clôture")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def refuse(self, error: campaigns.CampaignError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)
        self.mark_errors()


class CampaignForm(CampaignDatesForm):
    year = forms.IntegerField(
        label="Année observée",
        help_text="L'année sur laquelle les structures répondent, par exemple 2025 (la campagne a lieu en 2026).",
        error_messages={
            "required": "Donnez l'année observée.",
            "invalid": "Donnez l'année en chiffres, par exemple 2025.",
        },
    )
    field_order = ["year", "opens_on", "closes_on"]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none is sent)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".yaml,.yml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _check_size(upload) -> None:
    if upload.size > MAX_FILE_BYTES:
        raise forms.ValidationError(f"{upload.name} : fichier trop gros ({MAX_FILE_MB} Mo au plus).")


class UploadForm(AccessibleFormMixin, forms.Form):
    main = forms.FileField(
        label="Fichier principal du questionnaire",
        allow_empty_file=True,  # said with the file's name by the checker
        widget=forms.FileInput(attrs={"accept": ".yaml,.yml"}),
        help_text=f"Fichier YAML encodé en UTF-8, {MAX_FILE_MB} Mo au plus.",
        error_messages={"required": "Choisissez le fichier principal du questionnaire."},
    )
    included = MultipleFileField(
        label="Fichiers inclus ou étendus",
        required=False,
        allow_empty_file=True,
        help_text=(
            "Les fichiers que le fichier principal nomme par « include: » ou « extends: » (et ceux qu'ils nomment "
            "à leur tour), sous leur nom exact ; plusieurs fichiers possibles. Vide si le questionnaire tient en "
            "un fichier."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_main(self):
        _check_size(self.cleaned_data["main"])
        return self.cleaned_data["main"]

    def clean_included(self):
        files = self.cleaned_data["included"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"{MAX_FILES} fichiers inclus au plus.")
        for upload in files:
            _check_size(upload)
        return files

    def files_sent(self) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
        main = self.cleaned_data["main"]
        return (main.name, main.read()), [(upload.name, upload.read()) for upload in self.cleaned_data["included"]]


class ShippedForm(AccessibleFormMixin, forms.Form):
    """Field names differ from `UploadForm`'s: both forms are on the page, without prefixes (ids stay unique)."""

    shipped = forms.ChoiceField(
        label="Questionnaire fourni avec Maillage",
        error_messages={
            "required": "Choisissez un questionnaire de la liste.",
            "invalid_choice": "Choisissez un questionnaire de la liste.",
        },
    )

    def __init__(self, *args, shipped=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipped"].choices = [("", "Choisissez un questionnaire"), *((s.name, s.label) for s in shipped)]
        self.style_widgets()


# -- views -------------------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def campaign_list(request):
    """Every campaign with its questionnaires and the responses they received."""
    _require_national_admin(request)
    return render(request, "observatory_admin/campaigns.html", {"rows": campaigns.campaign_overview()})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    _require_national_admin(request)
    form = CampaignForm(request.POST) if request.method == "POST" else CampaignForm()
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.create_campaign(**form.cleaned_data, acting_user=request.user, request=request)
        except campaigns.CampaignError as error:
            form.refuse(error)
        else:
            messages.success(request, f"Campagne {campaign.label} créée : chargez maintenant ses questionnaires.")
            return redirect("observatory_admin:questionnaire-load", year=campaign.year)
    return _form_page(request, form, None)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, year: int):
    _require_national_admin(request)
    campaign = get_object_or_404(Campaign, year=year)
    initial = {"opens_on": campaign.opens_on, "closes_on": campaign.closes_on}
    form = CampaignDatesForm(request.POST) if request.method == "POST" else CampaignDatesForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.change_dates(campaign, **form.cleaned_data, acting_user=request.user, request=request)
        except campaigns.CampaignError as error:
            form.refuse(error)
        else:
            messages.success(request, f"Dates de la campagne {campaign.label} enregistrées.")
            return redirect("observatory_admin:campaigns")
    return _form_page(request, form, campaign)


def _form_page(request, form, campaign: Campaign | None):
    status = 400 if form.errors else 200
    return render(request, "observatory_admin/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_load(request, year: int):
    """Load a questionnaire into the campaign: a shipped file, or YAML files sent from the browser."""
    _require_national_admin(request)
    campaign = get_object_or_404(Campaign, year=year)
    shipped = campaigns.shipped_questionnaires()
    mode = request.POST.get("mode") if request.method == "POST" else None
    upload_form = UploadForm(request.POST, request.FILES) if mode == "envoi" else UploadForm()
    shipped_form = ShippedForm(request.POST, shipped=shipped) if mode == "fourni" else ShippedForm(shipped=shipped)
    problem, errors = None, []
    if mode == "envoi" and upload_form.is_valid():
        main, included = upload_form.files_sent()
        result, problem, errors = _load(campaigns.load_uploaded_files, campaign, main, included,
                                        acting_user=request.user, request=request, shown=main[0])  # fmt: skip
        if result is not None:
            return _loaded(request, result)
    elif mode == "fourni" and shipped_form.is_valid():
        name = shipped_form.cleaned_data["shipped"]
        result, problem, errors = _load(campaigns.load_shipped_file, name, campaign,
                                        acting_user=request.user, request=request, shown=name)  # fmt: skip
        if result is not None:
            return _loaded(request, result)
    context = {
        "campaign": campaign,
        "loaded": list(campaign.questionnaires.defer("sources").select_related("loaded_by").order_by("kind")),
        "upload_form": upload_form,
        "shipped_form": shipped_form,
        "has_shipped": bool(shipped),
        "model_files": campaigns.questionnaire_files(),
        "mode": mode,
        "problem": problem,
        "errors": errors[: campaigns.MAX_ERRORS_SHOWN],
        "more_errors": max(len(errors) - campaigns.MAX_ERRORS_SHOWN, 0),
    }
    failed = problem is not None or upload_form.errors or shipped_form.errors
    return render(request, "observatory_admin/questionnaire_load.html", context, status=400 if failed else 200)


def _load(function, *args, shown: str, **kwargs):
    """(result, None, []) or (None, a French message, the checker's errors): nothing is stored on failure."""
    try:
        return function(*args, **kwargs), None, []
    except InvalidDefinition as invalid:
        errors = [campaigns.describe_error(error) for error in invalid.errors]
        return None, f"{shown} : {count_noun(len(errors), 'erreur')}, rien n'a été chargé.", errors
    except QuestionnaireLoadError as error:
        return None, f"{error} Rien n'a été chargé.", []
    except Exception as error:  # noqa: BLE001 - rolled back; the details go to the log, not to the page
        logger.exception("Chargement web du questionnaire %s", shown)
        return (
            None,
            f"{shown} : erreur inattendue pendant la lecture ({type(error).__name__}), rien n'a été chargé.",
            [],
        )


def _loaded(request, result: campaigns.LoadResult):
    questionnaire = result.questionnaire
    text = (
        f"{questionnaire.title} ({questionnaire.get_kind_display()}) chargé : {questionnaire.code} "
        f"version {questionnaire.version}, {count_noun(questionnaire.question_count, 'question')}, "
        f"{'fichier' if len(questionnaire.sources) == 1 else 'fichiers'} {', '.join(sorted(questionnaire.sources))}."
    )
    if result.replaced:
        text += f" Il remplace {result.replaced['code']} version {result.replaced['version']}."
    if result.unused:
        unused = "Fichier envoyé mais non utilisé" if len(result.unused) == 1 else "Fichiers envoyés mais non utilisés"
        text += f" {unused} : {', '.join(result.unused)}."
    messages.success(request, text)
    return redirect("observatory_admin:campaigns")


@login_required
@require_GET
def questionnaire_file(request, name: str):
    """A questionnaire file shipped with Maillage, to download as a model of the YAML format."""
    _require_national_admin(request)
    text = campaigns.questionnaire_file_text(name)
    if text is None:
        raise Http404("Fichier de questionnaire inconnu.")
    response = HttpResponse(text, content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
