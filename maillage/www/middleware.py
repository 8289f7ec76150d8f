"""Requests refused before any view: what no page can answer."""

from maillage.parameters import InvalidParameter
from maillage.site_url import forget_request, remember_request

NUL = "\x00"


def refuse_nul_characters(get_response):
    """HTTP 400 (`www.errors.bad_request`) for a NUL character in the address, a parameter or a form field.

    No browser sends one, PostgreSQL cannot compare or store text holding one, and SQLite cuts text at it: a
    NUL reaching a query is a 500 or a wrong answer. Files uploaded are not looked at.
    """

    def middleware(request):
        if NUL in request.path:
            raise InvalidParameter("adresse", "l'adresse contient un caractère nul (%00).")
        params = request.POST.lists() if request.method == "POST" else ()
        for name, values in (*request.GET.lists(), *params):
            if NUL in name or any(NUL in value for value in values):
                raise InvalidParameter(name.replace(NUL, "")[:50], "caractère nul (%00) interdit.")
        return get_response(request)

    return middleware


def remember_site_url(get_response):
    """Absolute links follow the address of the request when `SITE_URL` is not configured (`site_url`)."""

    def middleware(request):
        try:
            remember_request(request)
        except Exception:  # noqa: BLE001 - a host not in ALLOWED_HOSTS: Django answers 400 later; links use SITE_URL
            forget_request()
        return get_response(request)

    return middleware
