"""Enqueueing: on commit, deferred where the backend can, debounced by `enqueue_once`."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from maillage.jobs.queue import enqueue, enqueue_on_commit, enqueue_once, waiting
from maillage.jobs.worker import Worker

from .sample_tasks import note

pytestmark = pytest.mark.django_db


def run_worker(**options) -> Worker:
    """Run the queued jobs in this process, then return. The worker closes the database connection between jobs
    (as a request does), which would end the test's transaction: not here."""
    settings = {"max_tasks": None, **options}
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    worker_id="test-worker", excluded_queue_names=[], heartbeat_seconds=1, stale_seconds=10,
                    beat_in_thread=False, **settings)  # fmt: skip
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
    return worker


def test_immediate_backend_runs_on_commit_only(tmp_path, django_capture_on_commit_callbacks):
    out = tmp_path / "out.txt"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(note, str(out), "un")
    assert not out.exists()
    for callback in callbacks:
        callback()
    assert out.read_text() == "un\n"


def test_a_rolled_back_transaction_enqueues_nothing(tmp_path, database_queue):
    with transaction.atomic():
        enqueue_on_commit(note, str(tmp_path / "out.txt"), "un")
        transaction.set_rollback(True)
    assert not DBTaskResult.objects.exists()


def test_database_backend_stores_the_job_for_the_worker(tmp_path, database_queue, django_capture_on_commit_callbacks):
    out = tmp_path / "out.txt"
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(note, str(out), "un")
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.READY
    assert not out.exists()
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert out.read_text() == "un\n"


def test_a_delay_defers_the_run_on_the_database_backend(tmp_path, database_queue):
    result = enqueue(note, str(tmp_path / "out.txt"), "plus tard", delay_seconds=60)
    job = DBTaskResult.objects.get(id=result.id)
    assert timezone.now() + datetime.timedelta(seconds=50) < job.run_after
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY
    assert not (tmp_path / "out.txt").exists()


def test_a_delay_is_ignored_where_the_backend_cannot_defer(tmp_path):
    enqueue(note, str(tmp_path / "out.txt"), "tout de suite", delay_seconds=60)
    assert (tmp_path / "out.txt").read_text() == "tout de suite\n"


def test_enqueue_once_keeps_one_waiting_job_per_task_and_arguments(tmp_path, database_queue,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    path = str(tmp_path / "out.txt")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            enqueue_once(note, path, "a", delay_seconds=30)
        enqueue_once(note, path, "b", delay_seconds=30)
    assert waiting(note, path, "a").count() == 1
    assert waiting(note, path, "b").count() == 1
    assert DBTaskResult.objects.count() == 2


def test_enqueue_once_queues_again_when_the_job_already_runs(tmp_path, database_queue,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    path = str(tmp_path / "out.txt")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_once(note, path, "a")
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_once(note, path, "a")
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
