"""django-axes hooks: what counts as the same person, and the French page shown on lockout.

Axes takes the client's address from `accounts.client.client_address` (`AXES_CLIENT_IP_CALLABLE`), as the
audit log and the rate limits do.
"""

from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render


def attempted_email(request, credentials) -> str:
    """The e-mail typed, lowercased and trimmed: `Jean@X.fr ` and `jean@x.fr` share one counter."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return (value or "").strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    return render(request, "account/locked_out.html", context, status=429)
