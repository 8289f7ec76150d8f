"""The worker's heartbeat, the recovery of jobs left running by a dead worker, and the pruning of old jobs."""

import datetime
import os
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.jobs import worker as worker_module
from maillage.jobs.models import WorkerHeartbeat
from maillage.jobs.worker import prune, requeue_orphans

from .sample_tasks import note
from .test_queue import run_worker

pytestmark = pytest.mark.django_db


def running_job(tmp_path, worker_id: str, *, started_ago: float = 0, runs: int = 1) -> DBTaskResult:
    result = note.enqueue(str(tmp_path / "out.txt"), "repris")
    started = timezone.now() - datetime.timedelta(seconds=started_ago)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=[f"old-{i}" for i in range(runs - 1)] + [worker_id],
    )
    return DBTaskResult.objects.get(id=result.id)


def heartbeat(worker_id: str, *, seen_ago: float, pid: int | None = None, host: str | None = None):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, host=host or worker_module.socket.gethostname(), pid=pid or os.getpid(),
        started_at=now - datetime.timedelta(hours=1), last_seen=now - datetime.timedelta(seconds=seen_ago),
    )  # fmt: skip


def test_a_job_of_a_worker_with_a_fresh_heartbeat_is_left_alone(tmp_path, database_queue):
    heartbeat("vivant", seen_ago=2, host="autre-machine")
    job = running_job(tmp_path, "vivant", started_ago=3600)
    assert requeue_orphans(stale_seconds=60) == 0
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_a_job_of_a_worker_with_a_stale_heartbeat_goes_back_to_the_queue(tmp_path, database_queue):
    heartbeat("muet", seen_ago=120, host="autre-machine")
    job = running_job(tmp_path, "muet", started_ago=300)
    assert requeue_orphans(stale_seconds=60) == 1
    job.refresh_from_db()
    assert (job.status, job.started_at) == (TaskResultStatus.READY, None)


def test_a_job_of_a_dead_process_on_this_host_goes_back_at_once(tmp_path, database_queue):
    gone = subprocess.Popen(["true"])
    gone.wait()
    heartbeat("tué", seen_ago=1, pid=gone.pid)
    job = running_job(tmp_path, "tué", started_ago=1)
    assert requeue_orphans(stale_seconds=60) == 1
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY


@pytest.fixture
def live_worker_process():
    """A process whose command line is a worker's (`exec -a` names it), as `maillage worker` on this host."""
    process = subprocess.Popen(["bash", "-c", "exec -a maillage-worker sleep 30"])
    yield process
    process.kill()
    process.wait()


def test_on_this_host_a_live_worker_keeps_its_job_whatever_its_heartbeat(tmp_path, database_queue,
                                                                        live_worker_process):  # fmt: skip
    """A worker inside a long SQLite write cannot get its heartbeat through: its process says it is alive."""
    import time

    deadline = time.monotonic() + 5
    # Until bash's exec is done: its own command line holds « worker » too, and is empty for a moment during it.
    while not Path(f"/proc/{live_worker_process.pid}/cmdline").read_bytes().startswith(b"maillage-worker"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    heartbeat("occupé", seen_ago=600, pid=live_worker_process.pid)
    job = running_job(tmp_path, "occupé", started_ago=600)
    assert requeue_orphans(stale_seconds=60) == 0
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


def test_on_this_host_a_process_that_is_not_a_worker_does_not_keep_a_job(tmp_path, database_queue):
    """The number of a dead worker taken by another program (here: a sleep)."""
    other = subprocess.Popen(["sleep", "30"])
    try:
        heartbeat("remplacé", seen_ago=1, pid=other.pid)
        job = running_job(tmp_path, "remplacé", started_ago=1)
        assert requeue_orphans(stale_seconds=60) == 1
        job.refresh_from_db()
        assert job.status == TaskResultStatus.READY
    finally:
        other.kill()
        other.wait()


def test_a_worker_without_heartbeat_gets_the_stale_delay_from_the_start_of_its_job(tmp_path, database_queue):
    recent = running_job(tmp_path, "db_worker-1", started_ago=5)
    old = running_job(tmp_path, "db_worker-2", started_ago=120)
    assert requeue_orphans(stale_seconds=60) == 1
    recent.refresh_from_db(), old.refresh_from_db()
    assert (recent.status, old.status) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)


def test_a_job_abandoned_three_times_is_marked_failed(tmp_path, database_queue, caplog):
    job = running_job(tmp_path, "muet", started_ago=300, runs=3)
    assert requeue_orphans(stale_seconds=60) == 0
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "maillage.jobs.worker.JobAbandoned"
    assert "abandonnée 3 fois" in caplog.text


def test_a_starting_worker_runs_the_job_its_dead_predecessor_left(tmp_path, database_queue):
    heartbeat("mort", seen_ago=600, host="autre-machine")
    job = running_job(tmp_path, "mort", started_ago=600)
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.worker_ids == ["mort", "test-worker"]
    assert (tmp_path / "out.txt").read_text() == "repris\n"
    # The worker's heartbeat goes when it stops; the dead one's stays until it is a day old.
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["mort"]


def test_finished_jobs_are_pruned_after_the_kept_days(tmp_path, database_queue, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 14
    now = timezone.now()
    ids = {}
    jobs = [("old", TaskResultStatus.SUCCESSFUL, 15), ("failed", TaskResultStatus.FAILED, 20),
            ("recent", TaskResultStatus.SUCCESSFUL, 13), ("waiting", TaskResultStatus.READY, 30)]  # fmt: skip
    for name, status, age in jobs:
        result = note.enqueue(str(tmp_path / "out.txt"), name)
        finished = now - datetime.timedelta(days=age) if status != TaskResultStatus.READY else None
        DBTaskResult.objects.filter(id=result.id).update(status=status, finished_at=finished)
        ids[name] = result.id
    heartbeat("parti", seen_ago=2 * 86400)
    assert prune(now=now) == 2
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert {str(i) for i in left} == {str(ids["recent"]), str(ids["waiting"])}
    assert not WorkerHeartbeat.objects.exists()


def test_the_heartbeat_goes_on_after_a_database_error(monkeypatch, caplog):
    """A database restarted under the worker: the beat that failed is logged, the next ones connect again."""
    import threading

    from django.db import OperationalError

    worker = worker_module.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                                  startup_delay=False, max_tasks=None, worker_id="w", excluded_queue_names=[],
                                  heartbeat_seconds=0.01, stale_seconds=1)  # fmt: skip
    beats = []

    def maintain():
        beats.append(len(beats))
        if len(beats) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        if len(beats) == 3:
            worker._stopped.set()

    monkeypatch.setattr(worker, "maintain", maintain)
    beating = threading.Thread(target=worker._beat_forever)
    beating.start()
    beating.join(timeout=5)
    assert beats == [0, 1, 2]
    assert "Signal de vie non écrit" in caplog.text
