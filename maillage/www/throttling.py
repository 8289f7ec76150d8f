"""Per-address limits of the web pages that cost the most or invite guessing: exports and logins.

The counters are `accounts.client.throttle` (Django's cache, per client address and minute); over the
limit, a French page with HTTP 429 and `Retry-After`.
"""

import functools

from django.conf import settings
from django.shortcuts import render

from maillage.accounts.client import throttle

# bucket → (setting of the limit, what the person was doing, for the page)
LIMITS = {
    "export": ("EXPORT_RATE_LIMIT_PER_MINUTE", "Téléchargements de fichiers (exports, tableaux, plaquettes)"),
    "login": ("LOGIN_RATE_LIMIT_PER_MINUTE", "Tentatives de connexion"),
    "report": ("ERROR_REPORT_RATE_LIMIT_PER_MINUTE", "Signalements d'erreur sur une fiche"),
}


def limited(bucket: str, methods: tuple[str, ...] = ("GET", "HEAD", "POST")):
    """Decorate a view: requests of `methods` count against the client address's limit of `bucket`."""
    setting, what = LIMITS[bucket]

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                limit = getattr(settings, setting)
                seconds = throttle(request, bucket, limit)
                if seconds:
                    return too_many_requests(request, what, limit, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


export_limited = limited("export")
login_limited = limited("login", methods=("POST",))
report_limited = limited("report", methods=("POST",))


def too_many_requests(request, what: str, limit: int, seconds: int):
    context = {"what": what, "limit": limit, "seconds": seconds}
    response = render(request, "www/too_many_requests.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
