"""Forms of joining: signing up, asking for a new structure, deciding a request, a correspondent's public
details. French labels and messages that name the field."""

from django import forms

from maillage.referentials.models import Department
from maillage.structures.editing import postcode_error
from maillage.structures.models import StructureKind
from maillage.structures.siret import is_valid_siret, normalize_siret
from maillage.validators import NoLineBreaks

from .forms import EMAIL_ERRORS, AccessibleForm, NewPasswordMixin
from .models import User


class SignupForm(NewPasswordMixin):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        help_text="Nous y envoyons un lien pour confirmer votre compte.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label="Nom complet",
        max_length=200,
        validators=[NoLineBreaks("Le nom")],
        error_messages={
            "required": "Nom complet : indiquez votre nom.",
            "max_length": "Nom complet : 200 caractères au plus.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["email", "full_name", "password1", "password2"]

    def password_user(self) -> User:
        return User(email=self.data.get("email", ""), full_name=self.data.get("full_name", ""))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class StructureRequestForm(AccessibleForm, forms.Form):
    name = forms.CharField(
        label="Nom de la structure",
        max_length=300,
        validators=[NoLineBreaks("Le nom")],
        error_messages={
            "required": "Nom de la structure : indiquez-le.",
            "max_length": "Nom de la structure : 300 caractères au plus.",
        },
    )
    kind = forms.ChoiceField(
        label="Type de structure",
        choices=StructureKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Type de structure : choisissez centre social ou espace de vie sociale.",
            "invalid_choice": "Type de structure : choisissez centre social ou espace de vie sociale.",
        },
    )
    department = forms.ModelChoiceField(
        label="Département",
        queryset=Department.objects.order_by("code"),
        empty_label="Choisissez un département",
        error_messages={
            "required": "Département : choisissez celui de la structure.",
            "invalid_choice": "Département : choisissez un département de la liste.",
        },
    )
    commune = forms.CharField(
        label="Commune",
        max_length=200,
        validators=[NoLineBreaks("La commune")],
        error_messages={"required": "Commune : indiquez-la.", "max_length": "Commune : 200 caractères au plus."},
    )
    postcode = forms.CharField(
        label="Code postal",
        max_length=5,
        required=False,
        error_messages={"max_length": "Code postal : 5 chiffres."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    siret = forms.CharField(
        label="Numéro SIRET",
        max_length=40,
        required=False,
        help_text="14 chiffres, s'il est connu ; il est vérifié.",
        error_messages={"max_length": "Numéro SIRET : 14 chiffres."},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    message = forms.CharField(
        label="Message aux correspondants",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple votre fonction dans la structure. 1000 caractères au plus.",
        error_messages={"max_length": "Message : 1000 caractères au plus (vous en avez saisi %(show_value)d)."},
    )

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
            raise forms.ValidationError("Code postal : 5 chiffres, par exemple 59000.")
        return postcode

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data["siret"])
        if siret and not is_valid_siret(siret):
            raise forms.ValidationError(
                "Numéro SIRET : ce numéro n'est pas valide (14 chiffres dont le dernier est une clé de contrôle). "
                "Vérifiez-le, ou laissez le champ vide."
            )
        return siret

    def clean(self):
        cleaned = super().clean()
        problem = postcode_error(cleaned.get("postcode", ""), cleaned.get("department"))
        if problem:
            self.add_error("postcode", f"Code postal : {problem}")
        return cleaned


class DecisionForm(AccessibleForm, forms.Form):
    """A correspondent's decision on one request; the comment goes to the person (required to refuse)."""

    comment = forms.CharField(
        label="Commentaire pour le demandeur",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour refuser ; envoyé par e-mail avec la décision.",
        error_messages={"max_length": "Commentaire : 1000 caractères au plus (vous en avez saisi %(show_value)d)."},
    )

    def __init__(self, *args, refusing: bool = False, **kwargs):
        self.refusing = refusing
        super().__init__(*args, **kwargs)

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if self.refusing and not comment:
            raise forms.ValidationError("Commentaire : indiquez au demandeur pourquoi la demande est refusée.")
        return comment


class CorrespondentListingForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["listed_as_correspondent", "public_contact_email"]
        error_messages = {
            "public_contact_email": {
                "invalid": "Adresse de contact publiée : saisissez une adresse valide, par exemple nom@exemple.fr."
            }
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("public_contact_email") and not cleaned.get("listed_as_correspondent"):
            self.add_error(
                "public_contact_email",
                "Adresse de contact publiée : cochez aussi « nom affiché » pour qu'elle apparaisse avec votre nom.",
            )
        return cleaned
