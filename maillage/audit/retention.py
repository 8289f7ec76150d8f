"""How long the audit log is kept: one year, as the privacy page promises (`maillage purge_audit_log`, daily)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import AuditEvent

RETENTION_DAYS = 365
MINIMUM_DAYS = 30  # a shorter log would no longer serve to look into an incident
BATCH_SIZE = 10_000


class RetentionError(ValueError):
    """A retention period refused; the message is in French."""


@dataclass(frozen=True)
class Purge:
    cutoff: datetime.datetime  # events logged before this moment are (or would be) deleted
    deleted: int
    dry_run: bool


def purge_audit_log(
    *, days: int = RETENTION_DAYS, dry_run: bool = False, batch_size: int = BATCH_SIZE, now=None
) -> Purge:
    """Delete the events older than `days` days (count them only in a dry run).

    Deletes in batches of `batch_size`, each in its own short transaction (autocommit), so that a log of millions
    of rows is never locked as a whole and the work done is kept if the command is stopped; each batch is one
    `DELETE … WHERE id IN (SELECT id … LIMIT n)` on the `created_at` index, no ids cross Python."""
    if days < MINIMUM_DAYS:
        raise RetentionError(
            f"Durée de conservation refusée : {days} jour(s). Le journal d'audit est gardé au moins "
            f"{MINIMUM_DAYS} jours."
        )
    if batch_size < 1:
        raise RetentionError(f"Taille de lot refusée : {batch_size}. Il faut au moins 1 événement par lot.")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    expired = AuditEvent.objects.filter(created_at__lt=cutoff).order_by()
    if dry_run:
        return Purge(cutoff, expired.count(), dry_run=True)
    deleted = 0
    while True:
        batch = expired.values("pk")[:batch_size]
        count, _ = AuditEvent.objects.filter(pk__in=batch).delete()
        deleted += count
        if count < batch_size:
            return Purge(cutoff, deleted, dry_run=False)
