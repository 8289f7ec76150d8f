"""`maillage worker`: django-tasks-db's worker loop, plus what it lacks to lose no job.

- A heartbeat (`WorkerHeartbeat`), written at start and every `heartbeat_seconds` by a thread, also while a job
  runs.
- Recovery: at start and at each heartbeat, a job left RUNNING by a dead worker is put back in the queue (READY),
  so it runs again. On the same host, dead means its process is gone (seen at once, and a worker inside a long
  SQLite write is not taken for dead); on another host, a heartbeat older than `stale_seconds`. Tasks are
  written to be run twice without harm. A job that was abandoned `MAX_RUNS` times is marked failed
  rather than left to kill worker after worker.
- A graceful stop: on SIGTERM or Ctrl-C the current job is finished, then the worker stops; a second signal
  puts the job back in the queue at once and stops.
- Housekeeping: finished jobs older than `TASK_RESULTS_KEEP_DAYS` days are deleted, once an hour.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_RUNS = 3  # a job abandoned this many times is marked failed
PRUNE_EVERY = datetime.timedelta(hours=1)
FORGET_HEARTBEATS_AFTER = datetime.timedelta(days=1)


class WorkerStopped(BaseException):
    """Raised inside the running job by a second stop signal: the job goes back to the queue."""


class JobAbandoned(Exception):
    """Recorded on a job whose workers died `MAX_RUNS` times while running it."""


class Worker(db_worker.Worker):
    def __init__(self, *, heartbeat_seconds: float, stale_seconds: float, beat_in_thread: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self.beat_in_thread = beat_in_thread
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.current: DBTaskResult | None = None
        self._stopped = threading.Event()
        self._last_prune: datetime.datetime | None = None
        self._thread: threading.Thread | None = None

    # --- the loop -----------------------------------------------------------------------------------------

    def run(self) -> None:
        self.pid = os.getpid()  # under the autoreloader, the child's
        self._thread = threading.current_thread()
        self.maintain()
        beating = None
        if self.beat_in_thread:
            beating = threading.Thread(target=self._beat_forever, name="worker-heartbeat", daemon=True)
            beating.start()
        try:
            super().run()
        finally:
            self._stopped.set()
            if beating:
                beating.join(timeout=self.heartbeat_seconds + 5)
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
            logger.info("Exécuteur %s arrêté", self.worker_id)

    def _beat_forever(self) -> None:
        try:
            while not self._stopped.wait(self.heartbeat_seconds):
                close_old_connections()
                try:
                    self.maintain()
                except DatabaseError:
                    logger.warning("Signal de vie non écrit (base occupée ou injoignable)", exc_info=True)
                    connections.close_all()  # this thread's: the next beat connects again (database restarted)
        finally:
            connections.close_all()

    def maintain(self) -> None:
        """Heartbeat, recovery of abandoned jobs, and (hourly) pruning of old finished jobs."""
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": self.host, "pid": self.pid, "started_at": self.started_at, "last_seen": now},
        )
        requeue_orphans(stale_seconds=self.stale_seconds, now=now)
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
            self._last_prune = now
            prune(now=now)

    # --- stopping -----------------------------------------------------------------------------------------

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self._thread is not None and self._thread is not threading.current_thread():
            self._shutdown_from_reloader()
        if self.running_task and not self.running:
            logger.warning("Second signal d'arrêt : la tâche en cours est remise dans la file")
            self.reset_signals()
            raise WorkerStopped(signum)
        super().shutdown(signum, frame)

    def _shutdown_from_reloader(self) -> None:
        """Under the autoreloader (`--reload`, DEBUG) the loop runs in a thread and signals reach the main one: wait
        here for the current job, then stop (a second signal stops at once; the job then runs again at the next
        start)."""
        if not self.running:
            sys.exit(1)
        self.running = False
        logger.warning("Arrêt demandé : fin de la tâche en cours")
        while self.running_task:
            time.sleep(0.1)
        self._stopped.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        sys.exit(0)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """django-tasks-db's `run_task`, except that a job stopped by a second signal goes back to the queue
        instead of being marked failed."""
        self.current = db_task_result
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except WorkerStopped:
            requeue(db_task_result)
            raise SystemExit(1) from None
        except BaseException as error:  # noqa: BLE001 - recorded on the job, as django-tasks-db does
            db_task_result.set_failed(error)
            try:
                sender, task_result = type(db_task_result.task.get_backend()), db_task_result.task_result
            except Exception:
                logger.exception("Tâche %s en échec", db_task_result.id)
            else:
                task_finished.send(sender=sender, task_result=task_result)
        finally:
            self.running_task = False
            self.current = None
            self._run_tasks += 1


# --- recovery and housekeeping -----------------------------------------------------------------------------


def requeue(job: DBTaskResult) -> bool:
    """Put a RUNNING job back in the queue, as it was before it was claimed."""
    return bool(
        DBTaskResult.objects.filter(id=job.id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
    )


def live_workers(*, stale_seconds: float, now: datetime.datetime) -> set[str]:
    """Ids of the workers still alive. On this host the process decides (a worker inside a long SQLite write may
    not get its heartbeat through, yet it is alive; a killed one is seen at once); elsewhere, a heartbeat fresher
    than `stale_seconds`."""
    host = socket.gethostname()[:255]
    fresh = now - datetime.timedelta(seconds=stale_seconds)
    alive = set()
    for worker_id, worker_host, pid, last_seen in WorkerHeartbeat.objects.values_list(
        "worker_id", "host", "pid", "last_seen"
    ):
        if is_worker_process(pid) if worker_host == host else last_seen >= fresh:
            alive.add(worker_id)
    return alive


def is_worker_process(pid: int) -> bool:
    """Whether `pid` is a running worker (not a process that took the number of a dead one, nor a zombie)."""
    if not Path("/proc/self/cmdline").exists():
        return process_exists(pid)
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return process_exists(pid)
    return b"worker" in command


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def requeue_orphans(*, stale_seconds: float, now: datetime.datetime | None = None) -> int:
    """Put back in the queue the RUNNING jobs of workers that are gone; returns how many.

    A job's worker is the last of its `worker_ids`. A worker without any heartbeat (django-tasks-db's own
    `db_worker`) gets `stale_seconds` from the job's start before its job is taken back."""
    now = now or timezone.now()
    alive = live_workers(stale_seconds=stale_seconds, now=now)
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    requeued = 0
    for job in DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path"):
        owner = job.worker_ids[-1] if job.worker_ids else None
        if owner in alive:
            continue
        if owner not in known and job.started_at and now - job.started_at < datetime.timedelta(seconds=stale_seconds):
            continue
        if len(job.worker_ids) >= MAX_RUNS:
            abandon(job, now=now)
            continue
        if requeue(job):
            requeued += 1
            logger.warning("Tâche %s (%s) abandonnée par l'exécuteur %s : remise dans la file", job.id,
                           job.task_path, owner)  # fmt: skip
    return requeued


def abandon(job: DBTaskResult, *, now: datetime.datetime) -> None:
    DBTaskResult.objects.filter(id=job.id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{JobAbandoned.__module__}.{JobAbandoned.__qualname__}",
        traceback=f"Abandonnée par {len(job.worker_ids)} exécuteurs arrêtés pendant qu'ils la faisaient tourner.",
    )
    logger.error("Tâche %s (%s) abandonnée %s fois : marquée en échec", job.id, job.task_path, len(job.worker_ids))


def prune(*, now: datetime.datetime | None = None, keep_days: int | None = None) -> int:
    """Delete the jobs finished more than `keep_days` days ago, and heartbeats of workers long gone."""
    now = now or timezone.now()
    keep_days = settings.TASK_RESULTS_KEEP_DAYS if keep_days is None else keep_days
    deleted, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - datetime.timedelta(days=keep_days)).delete()
    )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - FORGET_HEARTBEATS_AFTER).delete()
    if deleted:
        logger.info("%s tâche(s) terminée(s) depuis plus de %s jours supprimée(s)", deleted, keep_days)
    return deleted
