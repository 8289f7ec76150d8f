"""Writing to the audit log, from services and views (in the caller's transaction)."""

from maillage.accounts.client import client_address

from .models import AuditEvent


def log_event(action: str, *, actor=None, request=None, target=None, **details) -> AuditEvent:
    """Record that `actor` did `action` (an `AuditAction`) on `target`, from the request's address."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        ip_address=client_address(request),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        details=details,
    )
