"""Putting tasks in the queue: after the transaction commits, later, or once.

A task runs in another process (`maillage worker`) when the backend is the database one (development and
production), or at once when it is the ImmediateBackend (the tests). Either way it is enqueued on commit: a job
never works on data that a rolled-back transaction did not keep, and an e-mail is never sent for it.
"""

from __future__ import annotations

import datetime
import json
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def uses_database(task: Task) -> bool:
    """Whether the task's backend stores jobs for a worker (else it runs them at once, or not at all)."""
    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue(task: Task, *args, delay_seconds: float | None = None, **kwargs):
    """Enqueue now; `delay_seconds` defers the run where the backend can defer (elsewhere it runs now)."""
    if delay_seconds and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay_seconds))
    if not uses_database(task):
        # What a worker would receive (JSON), so that the tests' immediate runs meet the same arguments.
        args, kwargs = json.loads(json.dumps([args, kwargs]))
    return task.enqueue(*args, **kwargs)


def enqueue_on_commit(task: Task, *args, delay_seconds: float | None = None, **kwargs) -> None:
    """Enqueue once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(task, *args, delay_seconds=delay_seconds, **kwargs))


def enqueue_once(task: Task, *args, delay_seconds: float | None = None, **kwargs) -> None:
    """Enqueue on commit, unless a job of this task with the same arguments is already waiting (debounce).

    Ten calls within `delay_seconds` give one job, run once the delay has passed. A job already running does
    not count: it may have read the data before this transaction committed, so a new one is queued. The check
    is made after the commit for the same reason (a waiting job, when it runs, sees what was committed)."""
    transaction.on_commit(lambda: _enqueue_unless_waiting(task, args, kwargs, delay_seconds))


def waiting(task: Task, *args, **kwargs):
    """The READY jobs of `task` with these arguments (database backend)."""
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=task.module_path,
        backend_name=backend.alias,
        queue_name=task.queue_name,
        args_kwargs=normalize_json({"args": list(args), "kwargs": kwargs}),
    )


def _enqueue_unless_waiting(task: Task, args: tuple, kwargs: dict, delay_seconds: float | None) -> None:
    if uses_database(task) and waiting(task, *args, **kwargs).exists():
        logger.debug("Tâche %s%s déjà en attente : pas de nouvelle", task.module_path, args)
        return
    enqueue(task, *args, delay_seconds=delay_seconds, **kwargs)
