"""Two-factor authentication (TOTP, django-otp): required for correspondents and national administrators.

Recovery codes are django-otp's static tokens: ten codes given once when the application is set up (and on
demand, against a code of the application), each accepted once at the code page instead of the application's
code. With one of them, a person who lost their phone gets in and sets up the new one.
"""

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event

from . import perms

DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
RECOVERY_CODE_COUNT = 10
# The codes just made, kept in the session until the person says they have kept them (shown once).
RECOVERY_SESSION_KEY = "maillage_recovery_codes"


def requires_two_factor(user) -> bool:
    """Correspondents, national administrators and anyone the Django admin lets in (staff) need a second factor."""
    return bool(
        user.is_authenticated and (user.is_staff or perms.is_national_admin(user) or perms.is_correspondent(user))
    )


def has_confirmed_device(user) -> bool:
    """An application or recovery codes: either lets the person in at the code page."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def has_app_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The device being set up (unconfirmed until a first code is entered); the same until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG (drawn on the server: no script, no third party)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code à scanner avec l'application")


def base32_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def confirm_device(request, device: TOTPDevice, code: str) -> bool:
    """Check the first code; on success, the device is kept and the session is verified."""
    if not device.verify_token(_clean(code)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    log_event(AuditAction.TWO_FACTOR, actor=device.user, request=request, target=device.user, event="enrolled")
    return True


def verify_code(request, code: str):
    """Check a code (the application's or a recovery code) against the person's devices; on success, the
    session is verified and the device returned (a recovery code is used up), else None."""
    code = _clean(code)
    for device in devices_for_user(request.user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                log_event(
                    AuditAction.TWO_FACTOR,
                    actor=request.user,
                    request=request,
                    target=request.user,
                    event="recovery_code_used",
                    remaining=device.token_set.count(),
                )
            return device
    log_event(AuditAction.TWO_FACTOR, request=request, target=request.user, event="wrong_code")
    return None


def verify_app_code(user, code: str) -> bool:
    """A code of the person's application (not a recovery code): what making new recovery codes asks for."""
    code = _clean(code)
    return any(
        device.verify_is_allowed()[0] and device.verify_token(code)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def new_recovery_codes(user, *, request=None) -> list[str]:
    """Replace the person's recovery codes with `RECOVERY_CODE_COUNT` new ones, returned to be shown once."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        log_event(AuditAction.TWO_FACTOR, actor=user, request=request, target=user, event="recovery_codes_made")
    return codes


def forget_app(user, *, request=None) -> None:
    """Remove the person's application (a lost or replaced phone); the recovery codes stay."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        log_event(AuditAction.TWO_FACTOR, actor=user, request=request, target=user, event="app_removed")


def display_code(code: str) -> str:
    """« abcd efgh »: easier to copy by hand; spaces and dashes are ignored when typed back."""
    return f"{code[:4]} {code[4:]}"


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()
