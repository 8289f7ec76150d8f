"""The second factor's recovery codes and the replacement of a lost phone (« Mon compte › Sécurité »).

The codes are shown once: they wait in the session until the person says they have kept them (they may print
them or download them as a text file meanwhile). New codes, and removing the application, need the second
factor of this session: a code of the application for new codes, a verified session for the phone.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.accounts import two_factor
from maillage.accounts.forms import AccessibleForm


class AppCodeForm(AccessibleForm, forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres affiché par votre application",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Saisissez le code de votre application.", "max_length": "Le code a 6 chiffres."},
    )


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def show_new_recovery_codes(request, next_url: str):
    """Make new codes and send the person to the page that shows them once."""
    codes = two_factor.new_recovery_codes(request.user, request=request)
    request.session[two_factor.RECOVERY_SESSION_KEY] = codes
    return redirect(reverse("account:recovery-codes") + "?" + _query(next_url))


def recovery_code_used(request) -> None:
    left = two_factor.remaining_recovery_codes(request.user)
    if left:
        text = (
            f"Code de secours accepté : il vous en reste {left}. Si vous avez perdu votre téléphone, remplacez "
            "l'application depuis « Mon compte »."
        )
    else:
        text = "Code de secours accepté : c'était le dernier. Générez de nouveaux codes depuis « Mon compte »."
    messages.warning(request, text)


def _query(next_url: str) -> str:
    return urlencode({"next": next_url})


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """GET: the codes just made (once), else how many are left and the form to make new ones.
    POST `action=new`: new codes against a code of the application; `action=kept`: the codes leave the session."""
    default_next = resolve_url(settings.LOGIN_REDIRECT_URL)
    form = AppCodeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "kept":
            request.session.pop(two_factor.RECOVERY_SESSION_KEY, None)
            messages.success(request, "Vos codes de secours sont enregistrés.")
            return redirect(safe_next(request, default_next))
        if action != "new":
            raise Http404("Action inconnue.")
        form = AppCodeForm(request.POST)
        if form.is_valid():
            if two_factor.verify_app_code(request.user, form.cleaned_data["code"]):
                return show_new_recovery_codes(request, safe_next(request, reverse("account:home")))
            form.add_error(
                "code", "Ce code n'est pas valable : saisissez le code affiché en ce moment par l'application."
            )
    codes = request.session.get(two_factor.RECOVERY_SESSION_KEY) or []
    context = {
        "codes": [two_factor.display_code(code) for code in codes],
        "remaining": two_factor.remaining_recovery_codes(request.user),
        "has_app": two_factor.has_app_device(request.user),
        "form": form,
        "next": safe_next(request, ""),
    }
    return render(request, "account/recovery_codes.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_GET
def recovery_codes_download(request):
    codes = request.session.get(two_factor.RECOVERY_SESSION_KEY)
    if not codes:
        raise Http404("Ces codes ne sont plus affichables : générez-en de nouveaux depuis « Mon compte ».")
    lines = [
        "Maillage — codes de secours de la double authentification",
        f"Compte : {request.user.email}",
        "Chaque code ne sert qu'une fois, à la place du code de l'application.",
        "",
        *(two_factor.display_code(code) for code in codes),
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="maillage-codes-de-secours.txt"'
    return response


@login_required
@require_POST
def replace_app(request):
    """A new phone: the application is forgotten and set up again. Only in a session past the second factor
    (a recovery code does it when the phone is lost)."""
    if not request.user.is_verified():
        raise PermissionDenied("Saisissez d'abord un code (de l'application ou de secours).")
    two_factor.forget_app(request.user, request=request)
    messages.info(request, "L'ancienne application est retirée : configurez celle de votre nouveau téléphone.")
    return redirect("account:two-factor-setup")
