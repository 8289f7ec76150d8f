"""Account forms: French labels and messages, password rules from `AUTH_PASSWORD_VALIDATORS`."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string

from maillage.jobs.mail import queue_email
from maillage.referentials.models import Department

from .models import Organisation, User


class AccessibleForm:
    """Bootstrap classes, and errors tied to their field (`aria-invalid`, `aria-describedby`), for RGAA."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.SelectMultiple | forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def add_error(self, field, error):
        super().add_error(field, error)
        self.mark_errors()

    def mark_errors(self) -> None:
        if self._errors is None:
            return
        for name, field in self.fields.items():
            bound = self[name]
            described = [f"{bound.auto_id}_helptext"] if field.help_text else []
            if name in self.errors:
                described.insert(0, f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
                classes = field.widget.attrs.get("class", "").split()
                field.widget.attrs["class"] = " ".join([*dict.fromkeys([*classes, "is-invalid"])])
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


EMAIL_ERRORS = {
    "required": "Indiquez une adresse e-mail.",
    "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    "max_length": "Cette adresse e-mail est trop longue (254 caractères au plus).",
}


class LoginForm(AccessibleForm, AuthenticationForm):
    """Login by e-mail (the field keeps Django's name `username`, which django-axes reads)."""

    username = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        error_messages={"required": "Indiquez votre mot de passe."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember_me = forms.BooleanField(
        label="Rester connecté sur cet appareil (deux semaines au plus)", required=False, initial=True
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Après plusieurs échecs, la connexion est "
        "bloquée pendant un moment.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def get_invalid_login_error(self):
        """A new account whose address is not confirmed yet is told so (only with the right password)."""
        email = self.cleaned_data.get("username") or ""
        user = User.objects.filter(email=email, email_confirmed_at__isnull=True).first()
        if user is not None and user.check_password(self.cleaned_data.get("password") or ""):
            return forms.ValidationError(
                "Votre adresse n'est pas encore confirmée : ouvrez le lien que nous vous avons envoyé par e-mail "
                "(regardez aussi dans les courriers indésirables). Pour en recevoir un nouveau, inscrivez-vous "
                "à nouveau avec la même adresse.",
                code="unconfirmed",
            )
        return super().get_invalid_login_error()


class NewPasswordMixin(AccessibleForm, forms.Form):
    """Two password fields checked against the password rules."""

    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12 caractères au moins ; évitez les mots de passe courants, entièrement numériques ou proches "
        "de votre nom ou de votre adresse.",
        error_messages={"required": "Choisissez un mot de passe."},
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Saisissez le mot de passe une seconde fois."},
    )

    def password_user(self) -> User:
        return User(email="")

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise forms.ValidationError("Les deux mots de passe ne sont pas identiques.")
        password_validation.validate_password(password2, self.password_user())
        return password2


class AcceptInvitationForm(NewPasswordMixin):
    full_name = forms.CharField(
        label="Nom complet",
        max_length=200,
        error_messages={"required": "Indiquez votre nom.", "max_length": "200 caractères au plus."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["full_name", "password1", "password2"]

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def password_user(self) -> User:
        return User(email=self.email, full_name=self.data.get("full_name", ""))


class StructureInvitationForm(AccessibleForm, forms.Form):
    email = forms.EmailField(label="Adresse e-mail de la personne invitée", max_length=254, error_messages=EMAIL_ERRORS)
    is_admin = forms.TypedChoiceField(
        label="Rôle",
        choices=[("0", "Membre de la structure"), ("1", "Administrateur de la structure (gère les membres)")],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez un rôle.", "invalid_choice": "Choisissez un rôle de la liste."},
    )

    def __init__(self, *args, structure, **kwargs):
        self.structure = structure
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if self.structure.memberships.filter(user__email=email).exists():
            raise forms.ValidationError("Cette personne est déjà membre de la structure.")
        return email


class CorrespondentInvitationForm(AccessibleForm, forms.Form):
    email = forms.EmailField(label="Adresse e-mail du correspondant", max_length=254, error_messages=EMAIL_ERRORS)
    organisation = forms.ChoiceField(
        label="Mandaté par",
        choices=Organisation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l'organisme.",
            "invalid_choice": "Choisissez un organisme de la liste.",
        },
    )
    departments = forms.ModelMultipleChoiceField(
        label="Départements",
        queryset=Department.objects.order_by("code"),
        help_text="Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
        error_messages={
            "required": "Choisissez au moins un département.",
            "invalid_choice": "Choisissez des départements de la liste.",
            "invalid_pk_value": "Choisissez des départements de la liste.",
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class AccessRequestForm(AccessibleForm, forms.Form):
    message = forms.CharField(
        label="Message aux administrateurs de la structure (facultatif)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Par exemple votre fonction dans la structure. 1000 caractères au plus.",
        error_messages={"max_length": "1000 caractères au plus (vous en avez saisi %(show_value)d)."},
    )


class ProfileForm(AccessibleForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name"]
        labels = {"full_name": "Nom complet"}
        error_messages = {"full_name": {"max_length": "200 caractères au plus."}}


class DeleteAccountForm(AccessibleForm, forms.Form):
    password = forms.CharField(
        label="Votre mot de passe, pour confirmer",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe pour confirmer."},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe incorrect : le compte n'a pas été supprimé.")
        return password


class TwoFactorCodeForm(AccessibleForm, forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres affiché par l'application",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Saisissez le code.", "max_length": "Le code a 6 chiffres."},
    )


class SecondFactorForm(AccessibleForm, forms.Form):
    """The code page: the application's code, or one of the recovery codes."""

    code = forms.CharField(
        label="Code à 6 chiffres de l'application, ou code de secours",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
        help_text="Un code de secours (8 lettres et chiffres) ne sert qu'une fois.",
        error_messages={
            "required": "Saisissez le code.",
            "max_length": "Le code a 6 chiffres, ou 8 caractères pour un code de secours.",
        },
    )


class FrenchPasswordResetForm(AccessibleForm, PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail du compte",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:  # fmt: skip
        """Django's message, sent by the `send_email` task (retried while the mail server does not answer)."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        html = render_to_string(html_email_template_name, context) if html_email_template_name else None
        queue_email(subject, render_to_string(email_template_name, context), [to_email], html=html,
                    from_email=from_email)  # fmt: skip


class FrenchSetPasswordForm(AccessibleForm, SetPasswordForm):
    error_messages = {"password_mismatch": "Les deux mots de passe ne sont pas identiques."}
