"""Logging test clients in, past the second factor when the role needs one."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verify_second_factor(client, user) -> None:
    """Mark a logged-in test client's session as having passed the TOTP step (creating a device if needed).

    Tests of other areas that act as a correspondent, a national administrator or a superuser need it:
    `RequireTwoFactorMiddleware` treats them as anonymous visitors otherwise.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def log_in(client, user) -> None:
    """Log `user` in; correspondents, national administrators and superusers also pass the second factor."""
    from maillage.accounts.two_factor import requires_two_factor

    client.force_login(user)
    if requires_two_factor(user):
        verify_second_factor(client, user)
