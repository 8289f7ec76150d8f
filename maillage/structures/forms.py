"""Forms of the structure pages: the identity sheet.

Errors are in French and rendered next to their field; fields with errors get `aria-invalid` and
`aria-describedby` pointing at their message (RGAA).
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from maillage.referentials.models import ManagementMode, PriorityGeography, TerritorySize, TerritoryType

from .editing import EDITABLE_FIELDS, departments_for, postcode_error, version_of
from .models import OPENING_HOURS_MAX_LENGTH, Structure, StructureKind
from .phones import PHONE_HELP, format_phone, normalise_phone
from .siret import is_valid_siret, normalize_siret

MAX_POPULATION = 2_147_483_647
YES_NO_CHOICES = [("true", "Oui"), ("false", "Non"), ("unknown", "Non renseigné")]
_CHOICE_MODELS = {
    "management_mode": ManagementMode,
    "territory_type": TerritoryType,
    "territory_size": TerritorySize,
    "priority_geography": PriorityGeography,
}


class YesNoUnknownRadio(forms.RadioSelect):
    """Oui / Non / Non renseigné for a nullable boolean."""

    def format_value(self, value):
        if value in (True, "True", "true", "1"):
            return ["true"]
        if value in (False, "False", "false", "0"):
            return ["false"]
        return ["unknown"]


class AccessibleFormMixin:
    """Bootstrap classes on widgets, and error attributes on the fields that have errors."""

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"  # prefix included

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        """Point each field with errors at its message (call again after `add_error` outside cleaning)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = [f"{self[name].auto_id}-error"]
                if self.fields[name].help_text:
                    described.append(f"{self[name].auto_id}-help")
                attrs["aria-describedby"] = " ".join(described)
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = attrs.get("class", "") + " is-invalid"


FIELD_GROUPS = (
    ("Identité", ("kind", "name", "department", "siret")),
    ("Adresse et contact", ("street", "postcode", "commune", "email", "website", "phone", "opening_hours")),
    ("Historique et projet", ("first_approval", "population", "history", *Structure.AXIS_FIELDS)),
    ("Mode de gestion et territoire", ("management_mode", "territory_type", "territory_size", "priority_geography")),
    ("Fédérations et spécificités", ("fcsf_member", "other_federation", "travellers", "multi_site", "itinerant")),
)


class StructureForm(AccessibleFormMixin, forms.ModelForm):
    """The identity sheet. `version` is the `updated_at` the person started from (optimistic locking)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    siret = forms.CharField(
        label="Numéro SIRET",
        required=False,
        max_length=40,
        help_text="14 chiffres, espaces permis (avis de situation Insee).",
    )
    email = forms.EmailField(
        label="Adresse e-mail de contact",
        required=False,
        max_length=254,
        error_messages={"invalid": "Saisissez une adresse e-mail valide, par exemple contact@exemple.fr."},
    )
    website = forms.URLField(
        label="Site internet",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Saisissez une adresse de site valide, par exemple https://www.exemple.fr."},
    )
    phone = forms.CharField(label="Téléphone", required=False, max_length=30, help_text=PHONE_HELP)
    opening_hours = forms.CharField(
        label="Horaires d'ouverture",
        required=False,
        max_length=OPENING_HOURS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"En quelques lignes, {OPENING_HOURS_MAX_LENGTH} caractères au plus, par exemple « Du lundi au vendredi "
            "de 9 h à 12 h et de 14 h à 18 h ; fermé en août »."
        ),
        error_messages={
            "max_length": "Les horaires ne peuvent dépasser %(limit_value)d caractères "
            "(ils en comptent %(show_value)d)."
        },
    )
    postcode = forms.CharField(label="Code postal", required=False, max_length=10, help_text="5 chiffres.")
    first_approval = forms.DateField(
        label="Date du 1er agrément",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 15/09/2012."},
    )
    population = forms.IntegerField(
        label="Population de la zone de compétence",
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_POPULATION)],
        error_messages={"invalid": "Saisissez un nombre entier d'habitants, sans espace."},
    )
    kind = forms.ChoiceField(
        label="Type de structure",
        required=False,
        choices=[*StructureKind.choices, ("", "Non renseigné")],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Structure
        fields = EDITABLE_FIELDS
        widgets = {
            "history": forms.Textarea(attrs={"rows": 5}),
            **{key: YesNoUnknownRadio(choices=YES_NO_CHOICES) for key in ("fcsf_member", "travellers", "multi_site")},
            "itinerant": YesNoUnknownRadio(choices=YES_NO_CHOICES),
        }
        labels = {
            "name": "Nom de la structure",
            "department": "Département",
            "street": "Adresse",
            "commune": "Commune",
            "history": "Historique",
            "axis_1": "Axe 1 du projet en cours",
            "axis_2": "Axe 2 du projet en cours",
            "axis_3": "Axe 3 du projet en cours",
            "axis_4": "Axe 4 du projet en cours",
            "axis_5": "Axe 5 du projet en cours",
            "management_mode": "Mode de gestion de la structure",
            "territory_type": "Type de territoire d’intervention",
            "territory_size": "Taille du territoire d’intervention",
            "priority_geography": "Géographie prioritaire",
            "fcsf_member": "Adhérent à la Fédération des centres sociaux",
            "other_federation": "Adhérent à une autre fédération",
            "travellers": "Structure « gens du voyage »",
            "multi_site": "Structure multi-sites / éclatée",
            "itinerant": "Structure itinérante",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        stored = self.instance if self.instance.pk else None
        self.fields["name"].error_messages["required"] = "Indiquez le nom de la structure."
        for key, model in _CHOICE_MODELS.items():
            field = self.fields[key]
            current = getattr(stored, f"{key}_id", None)
            field.queryset = model.objects.filter(is_active=True) | model.objects.filter(pk=current)
            field.empty_label = "Non renseigné"
        self._limit_departments(stored)
        if stored is not None:
            self.fields["version"].initial = version_of(stored)
            self.initial["phone"] = format_phone(stored.phone)
        self.style_widgets()

    def _limit_departments(self, stored: Structure | None) -> None:
        """Correspondents choose among their departments; members cannot move their structure."""
        field = self.fields["department"]
        field.empty_label = None if stored is None else "Non renseigné"
        allowed = departments_for(self.user)
        if stored is None:
            field.queryset = allowed
            field.required = True
            field.error_messages["required"] = "Choisissez le département de la structure."
            return
        outside = stored.department_id is not None and not allowed.filter(pk=stored.department_id).exists()
        if outside or not allowed.exists():
            field.disabled = True
            field.help_text = "Seuls les correspondants du département peuvent le changer."
        else:
            field.queryset = allowed

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data["siret"])
        if not siret:
            return ""
        if not (len(siret) == 14 and siret.isascii() and siret.isdigit()):
            raise forms.ValidationError("Le numéro SIRET doit compter 14 chiffres (espaces permis).")
        if not is_valid_siret(siret):
            raise forms.ValidationError(
                "Ce numéro SIRET n'existe pas (sa clé de contrôle est fausse) : vérifiez-le sur l'avis de "
                "situation Insee."
            )
        return siret

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_postcode(self) -> str:
        postcode = normalize_siret(self.cleaned_data["postcode"])
        if postcode and not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
            raise forms.ValidationError("Le code postal doit compter 5 chiffres, par exemple 13001.")
        return postcode

    def clean(self):
        cleaned = super().clean()
        department = cleaned.get("department") if "department" in cleaned else self.instance.department
        error = postcode_error(cleaned.get("postcode", ""), department)
        if error and "postcode" not in self.errors:
            self.add_error("postcode", error)
        return cleaned

    def groups(self) -> list[tuple[str, list]]:
        """The fields in the order of the identity sheet, by section."""
        return [(legend, [self[name] for name in names]) for legend, names in FIELD_GROUPS]

    def structure_values(self) -> dict:
        values = {key: self.cleaned_data[key] for key in EDITABLE_FIELDS if not self.fields[key].disabled}
        values["kind"] = values.get("kind") or ""
        return values
