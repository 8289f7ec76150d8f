"""django-axes hooks: what counts as the same person, and the French page shown on lockout."""

from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render

from maillage.audit.services import client_ip as audit_client_ip


def attempted_email(request, credentials) -> str:
    """The e-mail typed, lowercased and trimmed: `Jean@X.fr ` and `jean@x.fr` share one counter."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return (value or "").strip().lower()


def client_ip(request) -> str | None:
    """The same address as the audit log (`REMOTE_ADDR`; the proxy in front must set it)."""
    return audit_client_ip(request)


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    return render(request, "account/locked_out.html", context, status=429)
