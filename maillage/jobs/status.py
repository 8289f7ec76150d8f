"""The task queue as `/sante/pret` reports it: jobs waiting, the lag of the oldest, and the workers' heartbeats.

Two queries. The web site does not need the worker to serve pages, so the queue never makes the site « not
ready »: a load balancer would otherwise take every web node out because of a background problem. The status
says what to look at: `ok`, `lagging` (the oldest due job has waited more than TASK_QUEUE_MAX_LAG_SECONDS),
`no_worker` (no heartbeat fresher than TASK_WORKER_STALE_SECONDS), or `immediate` (the tests' backend, which
runs tasks as they are enqueued and keeps no queue).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import WorkerHeartbeat

OK, LAGGING, NO_WORKER, IMMEDIATE = "ok", "lagging", "no_worker", "immediate"


def queue_status(now: datetime.datetime | None = None) -> dict:
    if not uses_database_queue():
        return {"status": IMMEDIATE, "lag_seconds": None}
    now = now or timezone.now()
    undelayed = Q(run_after=get_date_max())
    due = undelayed | Q(run_after__lte=now)
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        due=Count("id", filter=due),
        later=Count("id", filter=~due),
        oldest_enqueued=Min("enqueued_at", filter=undelayed),
        oldest_due=Min("run_after", filter=Q(run_after__lte=now)),
    )
    since = [moment for moment in (waiting["oldest_enqueued"], waiting["oldest_due"]) if moment]
    lag = max(0.0, (now - min(since)).total_seconds()) if since else 0.0
    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
    seen_ago = (now - last_seen).total_seconds() if last_seen else None
    if seen_ago is None or seen_ago > settings.TASK_WORKER_STALE_SECONDS:
        status = NO_WORKER
    elif lag > settings.TASK_QUEUE_MAX_LAG_SECONDS:
        status = LAGGING
    else:
        status = OK
    return {
        "status": status,
        "lag_seconds": round(lag, 1),
        "due": waiting["due"],
        "scheduled": waiting["later"],
        "worker_seen_seconds_ago": None if seen_ago is None else round(seen_ago, 1),
    }


def uses_database_queue() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)
