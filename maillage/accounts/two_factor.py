"""Two-factor authentication (TOTP, django-otp): required for correspondents and national administrators."""

import segno
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event

from . import perms

DEVICE_NAME = "Application d'authentification"


def requires_two_factor(user) -> bool:
    """Correspondents, national administrators and anyone the Django admin lets in (staff) need a second factor."""
    return bool(
        user.is_authenticated and (user.is_staff or perms.is_national_admin(user) or perms.is_correspondent(user))
    )


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


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


def verify_code(request, code: str) -> bool:
    """Check a code against the person's devices; on success, the session is verified."""
    code = _clean(code)
    for device in devices_for_user(request.user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            otp_login(request, device)
            return True
    log_event(AuditAction.TWO_FACTOR, request=request, target=request.user, event="wrong_code")
    return False


def _clean(code: str) -> str:
    return "".join(code.split())
