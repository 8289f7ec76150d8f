"""Logins, failed logins and logouts go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event


@receiver(user_logged_in, dispatch_uid="accounts_audit_login")
def audit_login(sender, request, user, **kwargs):
    log_event(AuditAction.LOGIN, actor=user, request=request, target=user)


@receiver(user_login_failed, dispatch_uid="accounts_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the e-mail typed is kept.
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    log_event(AuditAction.LOGIN_FAILED, request=request, email=email)


@receiver(user_logged_out, dispatch_uid="accounts_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        log_event(AuditAction.LOGOUT, actor=user, request=request, target=user)
