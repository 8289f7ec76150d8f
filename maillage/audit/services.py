"""Writing to the audit log, from services and views (in the caller's transaction)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from maillage.accounts.client import client_address

from .models import AuditEvent

# The address of the person a background job works for (the request that started it is long gone).
_job_address: ContextVar[str | None] = ContextVar("audit_job_address", default=None)


@contextmanager
def acting_from(address: str | None) -> Iterator[None]:
    """Events logged in this block without a request are from `address` (a background job's person)."""
    token = _job_address.set(address)
    try:
        yield
    finally:
        _job_address.reset(token)


def log_event(action: str, *, actor=None, request=None, target=None, **details) -> AuditEvent:
    """Record that `actor` did `action` (an `AuditAction`) on `target`, from the request's address (or the one of
    `acting_from`)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        ip_address=client_address(request) if request is not None else _job_address.get(),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        details=details,
    )
