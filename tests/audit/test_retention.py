"""The audit log is kept one year (privacy page): `purge_audit_log` deletes older events, in batches."""

import datetime

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.audit.models import AuditAction, AuditEvent
from maillage.audit.retention import RetentionError, purge_audit_log

pytestmark = pytest.mark.django_db


def logged(days_ago: int, action=AuditAction.LOGIN) -> AuditEvent:
    event = AuditEvent.objects.create(action=action, actor_email=f"{days_ago}@maillage.test")
    AuditEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return event


@pytest.fixture
def events():
    return {days: logged(days) for days in (0, 200, 364, 366, 400, 800)}


def kept() -> list[str]:
    return sorted(AuditEvent.objects.values_list("actor_email", flat=True))


def a_year_ago() -> str:
    return f"{timezone.localtime(timezone.now() - datetime.timedelta(days=365)):%d/%m/%Y %H:%M}"


def test_events_older_than_a_year_are_deleted_recent_ones_kept(events, run_command):
    before = a_year_ago()
    out, err = run_command("purge_audit_log")
    assert kept() == ["0@maillage.test", "200@maillage.test", "364@maillage.test"]
    assert out in {
        f"3 événements du journal d'audit antérieurs au {cutoff} supprimés.\n" for cutoff in (before, a_year_ago())
    }
    assert err == ""


def test_dry_run_deletes_nothing_and_says_how_many(events, run_command):
    out, _ = run_command("purge_audit_log", "--dry-run", "--days", "300")
    assert AuditEvent.objects.count() == 6
    assert out.startswith("Simulation, rien n'a été supprimé : 4 événements du journal d'audit antérieurs au ")
    assert out.endswith(" seraient supprimés.\n")


def test_days_option(events, run_command):
    out, _ = run_command("purge_audit_log", "--days", "100")
    assert kept() == ["0@maillage.test"]
    assert out.startswith("5 événements")


@pytest.mark.parametrize("days", ["29", "0", "-5"])
def test_a_period_under_thirty_days_is_refused(events, run_command, days):
    with pytest.raises(CommandError, match="Durée de conservation refusée .* au moins 30 jours"):
        run_command("purge_audit_log", "--days", days)
    assert AuditEvent.objects.count() == 6


def test_a_non_number_is_refused(run_command):
    with pytest.raises(CommandError, match="--days"):
        run_command("purge_audit_log", "--days", "un an")


def test_an_empty_batch_size_is_refused(run_command):
    with pytest.raises(CommandError, match="Taille de lot refusée"):
        run_command("purge_audit_log", "--batch-size", "0")


def test_nothing_to_delete(run_command):
    logged(10)
    out, _ = run_command("purge_audit_log")
    assert out.startswith("0 événement du journal") and AuditEvent.objects.count() == 1


def test_deletes_in_batches_of_one_query_each(events):
    for days in range(500, 507):
        logged(days)
    with CaptureQueriesContext(connection) as queries:
        purge = purge_audit_log(batch_size=4)
    assert purge.deleted == 10 and not purge.dry_run
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 4 + 4 + 2: the last batch, smaller, ends the loop
    assert len(queries.captured_queries) == 3  # no SELECT of ids: each batch is one DELETE with a subquery
    assert kept() == ["0@maillage.test", "200@maillage.test", "364@maillage.test"]


def test_the_cutoff_is_fixed_when_the_purge_starts(events):
    now = timezone.now() + datetime.timedelta(days=30)
    purge = purge_audit_log(now=now)
    assert purge.cutoff == now - datetime.timedelta(days=365)
    assert kept() == ["0@maillage.test", "200@maillage.test"]


def test_the_service_refuses_a_short_period_too():
    with pytest.raises(RetentionError):
        purge_audit_log(days=7)
