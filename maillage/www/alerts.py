"""E-mail alerts on a search: subscribe (double opt-in), confirm, unsubscribe in one click.

Links in e-mails are opened with GET by mail scanners: GET only shows a page with a button, and the
change is a POST. Unsubscribing also answers the one-click POST of RFC 8058 that mail clients send
without a CSRF token: the token in the URL is the credential.
"""

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from maillage.alerts.searches import FollowedSearch, followed_search, search_parameters
from maillage.alerts.services import (
    MAX_SUBSCRIPTIONS_PER_EMAIL,
    confirm_subscription,
    request_subscription,
    subscription_to_confirm,
    subscription_to_unsubscribe,
    unsubscribe_url,
)
from maillage.alerts.services import unsubscribe as delete_subscription
from maillage.search.params import InvalidParameter

# The query string of the list page can be long (up to 50 values per facet), not unbounded.
MAX_QUERY_STRING_LENGTH = 8000


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        error_messages={
            "required": "Indiquez votre adresse e-mail.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
            "max_length": "Cette adresse e-mail est trop longue (254 caractères au plus).",
        },
    )
    query = forms.CharField(required=False, strip=False, max_length=MAX_QUERY_STRING_LENGTH)

    def clean_query(self) -> FollowedSearch:
        try:
            return followed_search(self.cleaned_data["query"])
        except InvalidParameter as error:
            raise ValidationError(f"Cette recherche ne peut pas être suivie : {error.message}") from error


@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        return subscribe_page(request, search_parameters(request.GET.urlencode()).urlencode())
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return subscribe_page(request, request.POST.get("query", ""), form=form)
    search = form.cleaned_data["query"]
    request_subscription(form.cleaned_data["email"], search)
    # The same answer whatever happened: nobody learns whether an address follows a search.
    context = {"search": search, "limit": MAX_SUBSCRIPTIONS_PER_EMAIL}
    return render(request, "alerts/subscribe_done.html", context)


def subscribe_page(request, query_string: str, form: SubscribeForm | None = None):
    """The form alone, for a search given in the URL, or again with the errors of a submission."""
    query_errors = list(form.errors.get("query", [])) if form else []
    if form is None:
        try:
            followed_search(query_string)
        except InvalidParameter as error:
            query_errors = [f"Cette recherche ne peut pas être suivie : {error.message}"]
    context = {
        "alert_query": query_string[:MAX_QUERY_STRING_LENGTH],
        "alert_email": request.POST.get("email", "")[:254],
        "email_errors": form.errors.get("email", []) if form else [],
        "query_errors": query_errors,
    }
    status = 400 if context["email_errors"] or query_errors else 200
    return render(request, "alerts/subscribe.html", context, status=status)


def unknown_token(request):
    return render(request, "alerts/unknown_token.html", status=404)


def private_page(view):
    """Pages reached by a secret link: never cached, never named to other sites, never indexed."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

    return never_cache(wrapped)


@private_page
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    subscription = subscription_to_confirm(token)
    if subscription is None:
        return unknown_token(request)
    if request.method == "POST":
        confirm_subscription(subscription)
        context = {"subscription": subscription, "unsubscribe_url": unsubscribe_url(subscription)}
        return render(request, "alerts/confirmed.html", context)
    return render(request, "alerts/confirm.html", {"subscription": subscription})


@csrf_exempt
@private_page
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    subscription = subscription_to_unsubscribe(token)
    if subscription is None:
        return unknown_token(request)
    if request.method == "POST":
        delete_subscription(subscription)
        return render(request, "alerts/unsubscribed.html", {"subscription": subscription})
    return render(request, "alerts/unsubscribe.html", {"subscription": subscription})
