"""The contributors' form of an action sheet, in the order and with the labels of the sheet.

Closed lists offer the active values of their reference table plus the values the sheet already
has (a value retired from the list is never dropped silently). Each field knows the ids of its hint,
counter and error message, so that templates tie them to the input (`aria-describedby`).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from maillage.referentials.models import ActionStatus, Dimension, Initiative, Keyword, Partner, Public, Territory
from maillage.referentials.text import match_key
from maillage.validators import NoLineBreaks, single_line_fields

from . import files as attachments
from .editing import LIST_KEYS, TEXT_FIELDS, FileChanges, SheetContent
from .models import Action

FINISHED_STATUS_KEY = "terminee"
SINGLE_LINE = frozenset(single_line_fields(Action))  # the title
OTHER_INITIATIVE_KEY = "autre"

# name → (label, max length, hint); texts are shown in this order between the choices.
TEXTS = {
    "title": ("Titre de l'action", 300, "Un titre court qui dit ce que fait l'action."),
    "end_reason": (
        "Raisons pour lesquelles l'action est terminée",
        3000,
        "Obligatoire quand le statut est « Terminée » : objectifs atteints, fin d'un financement…",
    ),
    "summary": (
        "Résumé",
        2000,
        "Quelques phrases pour donner envie de lire la fiche ; elles apparaissent dans les résultats de recherche.",
    ),  # fmt: skip
    "initiative_detail": ("Précision (si autre)", 500, "Qui est à l'initiative, si vous avez coché « Autre »."),
    "experience": (
        "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases",
        20000,
        "Racontez l'action : pourquoi, avec qui, comment elle s'est déroulée.",
    ),
    "general_description": ("Description générale", 20000, ""),
    "financial_resources": (
        "Ressources financières mobilisées pour cette action",
        5000,
        "Montant et financeurs, par exemple « 21 090 euros : Caf, commune ».",
    ),
    "people_mobilised": (
        "Nombre de personnes mobilisées pour cette action",
        1000,
        "Par exemple « 15 bénévoles et 2 professionnels ».",
    ),
    "result_territory": ("Résultat sur le territoire", 10000, ""),
    "result_centre": ("Résultat pour le centre social", 10000, ""),
    "result_inhabitants": ("Résultat pour les habitants", 10000, ""),
    "limits": ("Suite de l'action : limites", 10000, ""),
    "perspectives": ("Suite de l'action : perspectives", 10000, ""),
}
SINGLE_CHOICES = {
    "status": (ActionStatus, "Statut de l'action", True),
    "territory": (Territory, "Territoire concerné", False),
}
MULTI_CHOICES = {
    "dimensions": (Dimension, "Dimension"),
    "keywords": (Keyword, "Mots clés associés à l'action"),
    "initiative": (Initiative, "Qui est à l'initiative de l'action ?"),
    "public": (Public, "Public"),
    "partners": (Partner, "Avec qui cette action a-t-elle été menée ?"),
}
# The sheet's order (see the public sheet page); `files` is « Fichier(s) associé(s) ».
FIELD_ORDER = (
    "title",
    "files",
    "remove_files",
    "status",
    "end_reason",
    "dimensions",
    "keywords",
    "summary",
    "initiative",
    "initiative_detail",
    "territory",
    "experience",
    "public",
    "partners",
    "general_description",
    "financial_resources",
    "people_mobilised",
    "result_territory",
    "result_centre",
    "result_inhabitants",
    "limits",
    "perspectives",
)
LONG_TEXT_THRESHOLD = 1000


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": attachments.ACCEPT_ATTRIBUTE, "class": "form-control"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class SheetTextField(forms.CharField):
    """Browsers send line breaks as CRLF: count and store them as one character, as the counter does."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class SheetForm(forms.Form):
    """`content` is what the form starts from; `attached` the `(key, name, has_file)` attachments."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, content: SheetContent | None = None, attached=(), **kwargs):
        content = content or SheetContent()
        initial = {**content.texts, "status": content.status_id, "territory": content.territory_id, **content.lists}
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.attached = list(attached)
        for name, (label, max_length, hint) in TEXTS.items():
            # A longer text met at import must not block the sheet's next edit.
            limit = max(max_length, len(content.texts.get(name, "") or ""))
            self.fields[name] = _text_field(name, label, limit, hint)
        for name, (model, label, required) in SINGLE_CHOICES.items():
            current = [getattr(content, f"{name}_id")]
            self.fields[name] = forms.ModelChoiceField(
                _offered(model, current),
                label=label,
                required=required,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                empty_label=None if required else "Non précisé",
                error_messages={"required": f"Choisissez : {label.lower()}.", "invalid_choice": _GONE},
            )
        for name, (model, label) in MULTI_CHOICES.items():
            self.fields[name] = forms.ModelMultipleChoiceField(
                _offered(model, content.lists.get(name, [])),
                label=label,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                error_messages={"invalid_choice": _GONE, "invalid_pk_value": _GONE},
            )
        self.fields["files"] = MultipleFileField(
            label="Ajouter des fichiers",
            required=False,
            help_text=f"{attachments.ACCEPTED_TYPES_TEXT} ; 10 Mo au plus par fichier, "
            f"{attachments.MAX_FILES_PER_SHEET} fichiers au plus par fiche.",
        )
        self.fields["remove_files"] = forms.MultipleChoiceField(
            label="Fichiers à retirer",
            required=False,
            choices=[(key, name) for key, name, _ in self.attached],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        )
        self.order_fields(["version", *FIELD_ORDER])
        self._describe()

    @property
    def finished_status_values(self) -> str:
        """Values of the status that makes `end_reason` required (for the script that reveals it)."""
        return _values_matching(self.fields["status"].queryset, FINISHED_STATUS_KEY)

    @property
    def other_initiative_values(self) -> str:
        return _values_matching(self.fields["initiative"].queryset, OTHER_INITIATIVE_KEY)

    # -- validation ------------------------------------------------------------------------------

    def clean_files(self):
        checked, errors = [], []
        for uploaded in self.cleaned_data.get("files") or []:
            try:
                checked.append((uploaded, attachments.check_upload(uploaded)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status is not None and match_key(status.label) == FINISHED_STATUS_KEY and not data.get("end_reason"):
            self.add_error(
                "end_reason", "Indiquez pourquoi l'action est terminée (obligatoire pour une action terminée)."
            )
        initiative = data.get("initiative") or []
        if any(match_key(item.label) == OTHER_INITIATIVE_KEY for item in initiative) and not data.get(
            "initiative_detail"
        ):
            self.add_error("initiative_detail", "Vous avez coché « Autre » : précisez qui est à l'initiative.")
        files = data.get("files") or []
        if files:
            removed = set(data.get("remove_files") or [])
            kept = sum(1 for key, _, has_file in self.attached if has_file and key not in removed)
            if kept + len(files) > attachments.MAX_FILES_PER_SHEET:
                self.add_error(
                    "files",
                    f"Une fiche peut avoir au plus {attachments.MAX_FILES_PER_SHEET} fichiers : elle en a déjà "
                    f"{kept}. Retirez-en avant d'en ajouter.",
                )
        return data

    def full_clean(self):
        super().full_clean()
        self._describe()

    # -- results ---------------------------------------------------------------------------------

    def content(self) -> SheetContent:
        data = self.cleaned_data
        status, territory = data.get("status"), data.get("territory")
        return SheetContent(
            texts={name: data.get(name, "") for name in TEXT_FIELDS},
            status_id=status.pk if status else None,
            territory_id=territory.pk if territory else None,
            lists={name: [item.pk for item in data.get(name) or []] for name in LIST_KEYS},
        )

    def file_changes(self) -> FileChanges:
        return FileChanges(uploads=self.cleaned_data.get("files") or [], removed=set(self.cleaned_data["remove_files"]))

    def autosave_errors(self) -> dict[str, list[str]]:
        """Errors that block an autosave (attachments are not autosaved)."""
        return {name: errors for name, errors in self.errors.items() if name not in {"files", "remove_files"}}

    # -- accessibility ---------------------------------------------------------------------------

    def _describe(self) -> None:
        """Tie each input to its hint, counter and error message; mark invalid inputs."""
        errors = self._errors or {}
        for name, field in self.fields.items():
            if name == "version":
                continue
            ids = []
            if field.help_text:
                ids.append(f"{name}-hint")
            if getattr(field, "counted", False):
                ids.append(f"{name}-count")
            if name in errors:
                ids.append(f"{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


def _values_matching(queryset, key: str) -> str:
    return " ".join(str(item.pk) for item in queryset if match_key(item.label) == key)


_GONE = "Cette valeur n'est plus proposée : rechargez la page et choisissez-en une autre."


def _offered(model, current_ids):
    current = [pk for pk in current_ids if pk is not None]
    return model.objects.filter(Q(is_active=True) | Q(pk__in=current)).order_by("position", "label")


def _text_field(name: str, label: str, max_length: int, hint: str) -> forms.CharField:
    long = max_length >= LONG_TEXT_THRESHOLD
    attrs = {"data-maxlength": max_length} if long else {}
    css = {"class": "form-control"}
    widget = (
        forms.Textarea(attrs={"rows": 8 if max_length > 3000 else 4, **css, **attrs}) if long else forms.TextInput(css)
    )
    messages = {
        "required": f"Indiquez : {label[0].lower()}{label[1:]}.",
        "max_length": "Ce texte est trop long : %(show_value)d caractères pour %(limit_value)d au plus.",
    }
    field = SheetTextField(
        label=label,
        max_length=max_length,
        validators=[NoLineBreaks(f"« {label} »")] if name in SINGLE_LINE else [],
        required=name == "title",
        help_text=hint,
        widget=widget,
        error_messages=messages,
        strip=True,
    )
    field.counted = long
    return field
