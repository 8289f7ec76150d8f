"""Account pages: login, two-factor, invitations, access requests, members, "Mon compte", privacy.

Views parse input, check the `accounts.perms` predicates and call `accounts.services`.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from maillage.accounts import perms, services, two_factor
from maillage.accounts.forms import (
    AcceptInvitationForm,
    AccessibleForm,
    CorrespondentInvitationForm,
    DeleteAccountForm,
    FrenchPasswordResetForm,
    FrenchSetPasswordForm,
    LoginForm,
    ProfileForm,
    SecondFactorForm,
    StructureInvitationForm,
    TwoFactorCodeForm,
)
from maillage.accounts.joining_forms import CorrespondentListingForm
from maillage.accounts.models import Invitation, Membership
from maillage.audit.models import AuditAction
from maillage.audit.services import log_event
from maillage.structures.models import Structure

from .account_security import recovery_code_used, show_new_recovery_codes
from .throttling import login_limited

# --- login, logout, password reset ---------------------------------------------------------------


@method_decorator(login_limited, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "account/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if not form.cleaned_data.get("remember_me"):
            self.request.session.set_expiry(0)  # ends when the browser closes
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "account/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    form_class = FrenchPasswordResetForm
    success_url = reverse_lazy("account:password-reset-done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = FrenchSetPasswordForm
    success_url = reverse_lazy("account:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        log_event(AuditAction.PASSWORD_RESET, actor=form.user, request=self.request, target=form.user)
        return response


# --- two-factor authentication -------------------------------------------------------------------


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if two_factor.has_app_device(request.user):
        return redirect(reverse("account:two-factor-verify") + f"?next={reverse('account:home')}")
    device = two_factor.pending_device(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_device(request, device, form.cleaned_data["code"]):
            messages.success(request, "La double authentification est activée.")
            next_url = _next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL))
            if not two_factor.remaining_recovery_codes(request.user):
                return show_new_recovery_codes(request, next_url)
            return redirect(next_url)
        form.add_error(
            "code",
            "Ce code ne correspond pas : vérifiez l'heure de votre téléphone et réessayez dans quelques secondes.",
        )
    uri = device.config_url
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(uri),
        "otpauth_uri": uri,
        "secret": two_factor.base32_secret(device),
        "next": _next_url(request, ""),
        "required": two_factor.requires_two_factor(request.user),
    }
    return render(request, "account/two_factor_setup.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if not two_factor.has_confirmed_device(request.user):
        return redirect("account:two-factor-setup")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(request, form.cleaned_data["code"])
        if device is not None:
            if isinstance(device, StaticDevice):
                recovery_code_used(request)
            return redirect(_next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL)))
        form.add_error(
            "code",
            "Ce code n'est pas valable (ou a déjà servi). Saisissez le code affiché par l'application, "
            "ou l'un de vos codes de secours.",
        )
    context = {"form": form, "next": _next_url(request, "")}
    return render(request, "account/two_factor_verify.html", context, status=400 if form.errors else 200)


# --- invitations ---------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """The link of an invitation e-mail: GET shows the offer, POST accepts (creating the account if needed).

    Only the invited address accepts: a person logged in with another account is refused, and told to log in
    with that address (shown masked)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(request, "account/invitation_invalid.html", {"error": error.message}, status=error.status)
    if request.user.is_authenticated and not services.is_invited_address(invitation, request.user):
        context = {"masked_email": services.masked_email(invitation.email)}
        return render(request, "account/invitation_other_account.html", context, status=403)
    # A sign-up never confirmed is no account yet: the invitation's form opens it.
    has_account = services.User.objects.filter(email=invitation.email, email_confirmed_at__isnull=False).exists()
    form = None
    if not request.user.is_authenticated and not has_account:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (request.user.is_authenticated or (form is not None and form.is_valid())):
        return _accept(request, token, form)
    context = {"invitation": invitation, "form": form, "has_account": has_account, "token": token}
    return render(request, "account/invitation.html", context, status=400 if form and form.errors else 200)


def _accept(request, token, form):
    try:
        if request.user.is_authenticated:
            user = services.accept_invitation(token, user=request.user, request=request)
        else:
            user = services.accept_invitation(
                token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    except services.InvitationError as error:
        return render(request, "account/invitation_invalid.html", {"error": error.message}, status=error.status)
    messages.success(request, "Invitation acceptée : bienvenue sur Maillage.")
    return redirect("account:home")


@never_cache
@login_required
@require_GET
def invitation_list(request):
    """Pending invitations the person sent (national administrators: all of them)."""
    pending = Invitation.objects.pending().select_related("structure").prefetch_related("departments")
    if not perms.is_national_admin(request.user):
        pending = pending.filter(invited_by=request.user)
    return render(request, "account/invitation_list.html", {"invitations": pending.order_by("-created_at")[:500]})


@login_required
@require_POST
def invitation_cancel(request, pk: int):
    invitation = get_object_or_404(Invitation.objects.select_related("structure"), pk=pk)
    if not services.can_cancel_invitation(request.user, invitation):
        raise Http404("Invitation introuvable.")  # as an unknown one: whether it exists is no one else's business
    services.cancel_invitation(invitation, acting_user=request.user, request=request)
    messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect(_next_url(request, reverse("account:invitations")))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correspondent_invite(request):
    if not perms.is_national_admin(request.user):
        raise PermissionDenied
    form = CorrespondentInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite_correspondent(inviter=request.user, request=request, **form.cleaned_data)
        messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
        return redirect("account:invitations")
    return render(request, "account/correspondent_invite.html", {"form": form}, status=400 if form.errors else 200)


# --- members of a structure ----------------------------------------------------------------------


class AssignMemberForm(AccessibleForm, forms.Form):
    """Attach an existing account. Prefixed: the invitation form of the same page has an e-mail field too."""

    prefix = "assign"
    email = forms.EmailField(
        label="Adresse e-mail du compte",
        max_length=254,
        help_text="La personne doit déjà avoir un compte ; sinon, invitez-la.",
        error_messages={
            "required": "Indiquez l'adresse e-mail de la personne.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
        },
    )
    role = forms.ChoiceField(
        label="Rôle",
        choices=[("member", "Membre de la structure"), ("admin", "Administrateur de la structure (gère les membres)")],
        initial="member",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez un rôle.", "invalid_choice": "Choisissez un rôle de la liste."},
    )


def _managed_structure(request, pk: int) -> Structure:
    structure = get_object_or_404(Structure.objects.select_related("department"), pk=pk)
    if not perms.can_manage_members(request.user, structure):
        raise PermissionDenied
    return structure


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def team(request, structure_pk: int):
    """Members of a structure, its pending invitations, the form to invite someone by e-mail and, for the
    department's correspondents and national administrators, the form to attach an existing account."""
    structure = _managed_structure(request, structure_pk)
    may_assign = perms.can_assign_members(request.user, structure)
    invite_form = StructureInvitationForm(structure=structure)
    assign_form = AssignMemberForm() if may_assign else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            invite_form = StructureInvitationForm(request.POST, structure=structure)
            if _invite(request, structure, invite_form):
                return redirect("account:team", structure_pk=structure.pk)
        elif action == "assign":
            if not may_assign:
                raise PermissionDenied
            assign_form = AssignMemberForm(request.POST)
            if _assign(request, structure, assign_form):
                return redirect("account:team", structure_pk=structure.pk)
        else:
            return HttpResponseBadRequest("Action inconnue.")
    context = {
        "structure": structure,
        "members": structure.memberships.select_related("user").order_by("-is_admin", "user__email"),
        "invitations": structure.invitations.pending().order_by("-created_at"),
        "invite_form": invite_form,
        "assign_form": assign_form,
        "has_errors": bool(invite_form.errors or (assign_form is not None and assign_form.errors)),
    }
    return render(request, "account/team.html", context, status=400 if context["has_errors"] else 200)


def _invite(request, structure: Structure, form: StructureInvitationForm) -> bool:
    if not form.is_valid():
        return False
    services.invite_to_structure(
        inviter=request.user,
        structure=structure,
        email=form.cleaned_data["email"],
        is_admin=form.cleaned_data["is_admin"],
        request=request,
    )
    messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
    return True


def _assign(request, structure: Structure, form: AssignMemberForm) -> bool:
    if not form.is_valid():
        return False
    try:
        membership = services.assign_member(
            structure,
            form.cleaned_data["email"],
            is_admin=form.cleaned_data["role"] == "admin",
            acting_user=request.user,
            request=request,
        )
    except services.MembershipError as error:
        form.add_error("email", str(error))
        return False
    role = "administrateur" if membership.is_admin else "membre"
    messages.success(request, f"{membership.user.email} est maintenant {role} de la structure.")
    return True


@login_required
@require_POST
def member_remove(request, structure_pk: int, membership_pk: int):
    structure = _managed_structure(request, structure_pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "structure"), pk=membership_pk, structure=structure
    )
    try:
        services.remove_member(membership, acting_user=request.user, request=request)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user.email} ne fait plus partie de la structure.")
    return redirect("account:team", structure_pk=structure.pk)


# --- "Mon compte", personal data, privacy --------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    user = request.user
    listing = request.method == "POST" and request.POST.get("action") == "listing"
    form = ProfileForm(None if listing else request.POST or None, instance=user)
    listing_form = None
    if perms.is_correspondent(user):
        listing_form = CorrespondentListingForm(request.POST if listing else None, instance=user, prefix="listing")
    if listing and listing_form is None:
        raise PermissionDenied
    if listing and listing_form.is_valid():
        listing_form.save()
        messages.success(request, "Vos coordonnées publiques sont enregistrées.")
        return redirect("account:home")
    if request.method == "POST" and not listing and form.is_valid():
        form.save()
        messages.success(request, "Votre nom est enregistré.")
        return redirect("account:home")
    has_errors = bool(form.errors or (listing_form is not None and listing_form.errors))
    context = {
        "form": form,
        "listing_form": listing_form,
        "memberships": user.memberships.select_related("structure").order_by("structure__name"),
        "scopes": user.correspondent_scopes.select_related("department").order_by("department__code"),
        "is_national_admin": perms.is_national_admin(user),
        "has_two_factor": two_factor.has_app_device(user),
        "recovery_codes_left": two_factor.remaining_recovery_codes(user),
        "requires_two_factor": two_factor.requires_two_factor(user),
        "pending_requests": services.decidable_access_requests(user).count(),
    }
    return render(request, "account/home.html", context, status=400 if has_errors else 200)


@never_cache
@login_required
@require_POST
def data_download(request):
    data = services.export_personal_data(request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-maillage.json"'
    return response


@never_cache
@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)  # first: the logout is logged while the account still exists
        services.delete_account(user, request=request)
        messages.success(request, "Votre compte est supprimé.")
        return redirect("www:home")
    return render(request, "account/delete.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def privacy(request):
    return render(request, "account/privacy.html")
