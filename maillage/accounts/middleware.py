"""Correspondents and national administrators enter a second factor before their space."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import has_confirmed_device, requires_two_factor

PROTECTED_PREFIXES = ("/espace/", "/moderation/", "/admin/")


class RequireTwoFactorMiddleware:
    """After `OTPMiddleware`: sends an unverified person who needs 2FA to set it up or to enter a code.

    Acts only on the contributor and moderation areas: the public pages, the login and the 2FA pages
    themselves stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PROTECTED_PREFIXES) and self.must_verify(request.user):
            name = "account:two-factor-verify" if has_confirmed_device(request.user) else "account:two-factor-setup"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def must_verify(user) -> bool:
        return requires_two_factor(user) and not user.is_verified()
