"""Correspondents and national administrators enter a second factor before their account opens anything.

Deny by default: until the code is entered, the password alone is worth nothing. On every URL but a short
allowlist (the second-factor pages and the logout), such a person is an anonymous visitor: public pages
answer as they do to anyone, and a page behind a login, a draft's attachment or the administration are not
reached. The login pages (the site's and the administration's) send them to the code, keeping `next`.
Static files are served before Django (or need nobody) and are not concerned.
"""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from .two_factor import has_confirmed_device, requires_two_factor

# URL names that see the person as logged in before the second factor: entering it, or leaving.
ALLOWLIST = frozenset({"account:two-factor-verify", "account:two-factor-setup", "account:logout"})
# URL names that would ask for the password again: the person is sent to the code instead.
LOGIN_PAGES = frozenset({"account:login", "admin:login"})


class RequireTwoFactorMiddleware:
    """After `OTPMiddleware`: a person who needs 2FA and has not passed it is anonymous outside `ALLOWLIST`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.must_verify(request.user):
            name = url_name(request.path_info)
            if name in LOGIN_PAGES:
                return second_factor_redirect(request.user, request.GET.get("next", ""))
            if name not in ALLOWLIST:
                hide_user(request)
        return self.get_response(request)

    @staticmethod
    def must_verify(user) -> bool:
        return user.is_authenticated and not user.is_verified() and requires_two_factor(user)


def url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def second_factor_redirect(user, next_url: str):
    name = "account:two-factor-verify" if has_confirmed_device(user) else "account:two-factor-setup"
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return redirect(reverse(name) + query)


def hide_user(request) -> None:
    """The request goes on as an anonymous visitor's (the session keeps the person, for the code page)."""
    anonymous = AnonymousUser()
    anonymous.otp_device = None
    anonymous.is_verified = lambda: False

    async def auser():
        return anonymous

    request.user = anonymous
    request.auser = auser
