"""Joining pages: sign-up and its confirmation, « Rejoindre une structure » (join, claim, ask for a new one),
the requests to decide (with a comment for the person), a correspondent's public details.

The way in keeps `next` all along: « Demander à rejoindre » on a structure's page → login or sign-up →
e-mail confirmation → back to the request form of that structure.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.accounts import joining, perms, services
from maillage.accounts.forms import AccessRequestForm
from maillage.accounts.joining_forms import DecisionForm, SignupForm, StructureRequestForm
from maillage.accounts.models import AccessRequest, StructureRequest
from maillage.structures.models import Structure

from .account_security import safe_next
from .throttling import login_limited

JOIN_RESULTS = 30


def _after_login(request) -> str:
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


# --- signing up ----------------------------------------------------------------------------------


@never_cache
@login_limited
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_after_login(request))
    form = SignupForm(request.POST or None)
    next_url = safe_next(request, "")
    if request.method == "POST" and form.is_valid():
        joining.sign_up(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            next_url=next_url,
            request=request,
        )
        return render(request, "account/signup_done.html", {"email": form.cleaned_data["email"]})
    context = {"form": form, "next": next_url}
    return render(request, "account/signup.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64: str, token: str):
    """GET shows a button (mail scanners open links), POST opens the account and logs the person in."""
    context = {"next": safe_next(request, "")}
    if request.method == "GET":
        return render(request, "account/signup_confirm.html", context)
    user = joining.confirm_email(uidb64, token, request=request)
    if user is None:
        return render(request, "account/signup_confirm.html", {**context, "invalid": True}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Votre adresse est confirmée : bienvenue sur Maillage.")
    return redirect(_after_login(request))


# --- joining a structure -------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def join(request):
    """Find one's structure: ask to join it (or claim it when it has no member), or ask for a new one."""
    query = request.GET.get("q", "").strip()[:200]
    structures = []
    if query:
        structures = list(
            Structure.objects.search(query)
            .annotate(member_count=Count("memberships"))
            .select_related("department")
            .order_by("name", "pk")[:JOIN_RESULTS]
        )
    context = {
        "query": query,
        "structures": structures,
        "mine": set(perms.structure_ids(request.user)),
        "max_results": JOIN_RESULTS,
    }
    return render(request, "account/join.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def access_request(request, structure_pk: int):
    structure = get_object_or_404(Structure.objects.select_related("department"), pk=structure_pk)
    claim = not structure.memberships.exists()
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_access(
                user=request.user, structure=structure, message=form.cleaned_data["message"], request=request
            )
        except services.AccessRequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Votre demande est envoyée ; vous recevrez la réponse par e-mail.")
            return redirect("account:todo")
    context = {"structure": structure, "form": form, "claim": claim}
    return render(request, "account/access_request.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def structure_request(request):
    form = StructureRequestForm(request.POST or None, initial={"department": request.GET.get("departement")})
    if request.method == "POST" and form.is_valid():
        try:
            joining.request_structure(user=request.user, values=form.cleaned_data, request=request)
        except joining.StructureRequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Votre demande est envoyée aux correspondants du département ; la réponse vous arrivera par e-mail.",
            )
            return redirect("account:todo")
    return render(request, "account/structure_request.html", {"form": form}, status=400 if form.errors else 200)


# --- deciding ------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def request_list(request):
    return _render_list(request)


def _render_list(request, *, errors=None, status=200):
    """Requests to decide (joins, claims, new structures) and the person's own; `errors` keeps a refused
    decision's form (its comment and message) on the page."""
    errors = errors or {}
    user = request.user
    to_decide = list(services.decidable_access_requests(user)[:500])
    new_structures = list(joining.decidable_structure_requests(user)[:500])
    for item in to_decide:
        item.form = errors.get(("access", item.pk)) or DecisionForm(prefix=f"access-{item.pk}")
        item.accept_url = reverse("account:access-request-accept", args=[item.pk])
        item.refuse_url = reverse("account:access-request-refuse", args=[item.pk])
    for item in new_structures:
        item.form = errors.get(("structure", item.pk)) or DecisionForm(prefix=f"structure-{item.pk}")
        item.accept_url = reverse("account:structure-request-accept", args=[item.pk])
        item.refuse_url = reverse("account:structure-request-refuse", args=[item.pk])
    context = {
        "has_errors": bool(errors),
        "to_decide": to_decide,
        "new_structures": new_structures,
        "mine": user.access_requests.select_related("structure").order_by("-created_at")[:50],
        "mine_new": user.structure_requests.select_related("department", "structure").order_by("-created_at")[:50],
    }
    return render(request, "account/access_request_list.html", context, status=status)


@login_required
@require_POST
def access_request_decide(request, pk: int, accept: bool):
    access_request = get_object_or_404(AccessRequest.objects.select_related("structure", "user"), pk=pk)
    verb = "acceptée" if accept else "refusée"
    return _decide(request, access_request, "access", accept, can_decide=services.can_decide_access_request,
                   decide=services.decide_access_request, error=services.AccessRequestError,
                   done=f"La demande de {access_request.user.email} est {verb}.")  # fmt: skip


@login_required
@require_POST
def structure_request_decide(request, pk: int, accept: bool):
    structure_request = get_object_or_404(StructureRequest.objects.select_related("user", "department"), pk=pk)
    done = "la structure est créée" if accept else "la demande est refusée"
    return _decide(request, structure_request, "structure", accept, can_decide=joining.can_decide_structure_request,
                   decide=joining.decide_structure_request, error=joining.StructureRequestError,
                   done=f"{structure_request.name} : {done}.")  # fmt: skip


def _decide(request, pending, kind: str, accept: bool, *, can_decide, decide, error: type[Exception], done: str):
    """Accept or refuse a request to join (`kind` "access") or to create a structure ("structure"), with the
    comment of the decision form; back to the list, or the list with the form's errors."""
    if not can_decide(request.user, pending):
        raise Http404("Demande introuvable.")  # as an unknown one: whether it exists is no one else's business
    form = DecisionForm(request.POST, prefix=f"{kind}-{pending.pk}", refusing=not accept)
    if not form.is_valid():
        return _render_list(request, errors={(kind, pending.pk): form}, status=400)
    try:
        decide(pending, accept=accept, comment=form.cleaned_data["comment"], acting_user=request.user,
               request=request)  # fmt: skip
    except error as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("account:access-requests")))
