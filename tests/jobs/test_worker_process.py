"""`maillage worker` as a real process on a file SQLite database: killed with SIGKILL during a job, the job is
run again by the next worker; stopped with SIGTERM, it finishes its job first; a second SIGTERM puts the job back;
the e-mail worker sends an e-mail while the other worker is busy with a long job.

The job is `sample_tasks.slow_count`, a task of the tests only (PYTHONPATH gives the worker the tests package)."""

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAILLAGE = str(Path(sys.executable).parent / "maillage")
SETUP = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", "django_tasks_database", verbosity=0)
call_command("migrate", "jobs", verbosity=0)
"""
ENQUEUE = """
import sys, django
django.setup()
from tests.jobs.sample_tasks import slow_count
print(slow_count.enqueue(sys.argv[1], float(sys.argv[2])).id)
"""

SEND_EMAIL = """
import sys, django
django.setup()
from maillage.jobs.mail import send_email
print(send_email.enqueue(sys.argv[1], "Bonjour", ["personne@example.org"]).id)
"""


def environment(database: Path) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "SENTRY_DSN"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="false",
               PYTHONPATH=str(ROOT), MAILLAGE_VAR_DIR=str(database.parent), LOG_LEVEL="INFO")  # fmt: skip
    return env


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("template") / "db.sqlite3"
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=environment(database), check=True, timeout=120)
    return database


class Queue:
    def __init__(self, directory: Path, template: Path):
        self.database = directory / "db.sqlite3"
        shutil.copy(template, self.database)
        self.env = environment(self.database)
        self.marker = directory / "marker.txt"
        self.log = directory / "worker.log"

    def enqueue(self, seconds: float) -> str:
        result = subprocess.run([sys.executable, "-c", ENQUEUE, str(self.marker), str(seconds)], cwd=ROOT,
                                env=self.env, check=True, capture_output=True, text=True, timeout=60)  # fmt: skip
        return result.stdout.strip()

    def email(self, subject: str) -> str:
        result = subprocess.run([sys.executable, "-c", SEND_EMAIL, subject], cwd=ROOT, env=self.env, check=True,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        return result.stdout.strip()

    def worker(self, *options: str, log_path: Path | None = None) -> subprocess.Popen:
        with (log_path or self.log).open("a") as log:
            return subprocess.Popen([MAILLAGE, "worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
                                     "--heartbeat", "0.5", "--stale-after", "30", *options], cwd=ROOT, env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def job(self, job_id: str) -> tuple:
        with sqlite3.connect(self.database) as db:
            return db.execute(
                "SELECT status, return_value, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = ?",
                (job_id.replace("-", ""),),
            ).fetchone()

    def lines(self) -> list[str]:
        return self.marker.read_text().split() if self.marker.exists() else []

    def wait_for_start(self, count: int, process: subprocess.Popen, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.lines().count("start") < count:
            assert process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.05)


@pytest.fixture
def queue(tmp_path, template) -> Queue:
    return Queue(tmp_path, template)


def test_a_job_of_a_killed_worker_runs_again_in_the_next_worker(queue):
    job_id = queue.enqueue(2)
    first = queue.worker()
    try:
        queue.wait_for_start(1, first)
    finally:
        first.kill()
        first.wait()
    assert queue.lines() == ["start"]
    assert queue.job(job_id)[0] == "RUNNING"
    second = queue.worker("--batch")
    assert second.wait(timeout=30) == 0, queue.log.read_text()
    status, value, workers = queue.job(job_id)
    assert (status, value) == ("SUCCESSFUL", "42")
    assert len(eval(workers)) == 2  # noqa: S307 - a JSON list of two ids
    assert queue.lines() == ["start", "start", "end"]
    assert "remise dans la file" in queue.log.read_text()


def test_sigterm_lets_the_current_job_finish(queue):
    job_id = queue.enqueue(1.5)
    worker = queue.worker()
    queue.wait_for_start(1, worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, queue.log.read_text()
    assert queue.job(job_id)[0] == "SUCCESSFUL"
    assert queue.lines() == ["start", "end"]


def test_a_second_sigterm_puts_the_job_back_in_the_queue(queue):
    job_id = queue.enqueue(5)
    worker = queue.worker()
    queue.wait_for_start(1, worker)
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) != 0
    assert queue.job(job_id)[0] == "READY"
    assert queue.lines() == ["start"]


def test_an_email_is_sent_while_the_other_worker_runs_a_long_job(queue, tmp_path):
    """`make serve`, `make run` and systemd run two workers: every queue, and the e-mails alone. An e-mail queued
    while a long job (an import, a refresh) runs leaves at once, sent by the e-mail worker."""
    long_job = queue.enqueue(20)
    main = queue.worker()
    mail_log = tmp_path / "mail-worker.log"
    mail = queue.worker("--queue", "emails", log_path=mail_log)
    try:
        queue.wait_for_start(1, main)
        email = queue.email("Invitation pendant un import")
        deadline = time.monotonic() + 10
        while queue.job(email)[0] != "SUCCESSFUL":
            assert mail.poll() is None, mail_log.read_text()
            assert time.monotonic() < deadline, f"{queue.job(email)}\n{mail_log.read_text()}"
            time.sleep(0.1)
        assert queue.job(long_job)[0] == "RUNNING"
        assert queue.lines() == ["start"]  # the long job is still running
        assert "Subject: Invitation pendant un import" in mail_log.read_text()  # the console backend (dev)
    finally:
        for process in (main, mail):
            process.kill()
            process.wait()


def test_the_mail_worker_leaves_the_other_queues_alone(queue, tmp_path):
    job_id = queue.enqueue(0)
    mail = queue.worker("--queue", "emails", "--batch", log_path=tmp_path / "mail-worker.log")
    assert mail.wait(timeout=30) == 0
    assert queue.job(job_id)[0] == "READY"
    everything = queue.worker("--batch")
    assert everything.wait(timeout=30) == 0, queue.log.read_text()
    assert queue.job(job_id)[0] == "SUCCESSFUL"


def test_an_unknown_queue_is_refused_in_french(queue):
    result = subprocess.run([MAILLAGE, "worker", "--no-reload", "--queue", "courriels"], cwd=ROOT, env=queue.env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert "File inconnue : courriels (files : default, emails)" in result.stderr


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_run_serves_and_works_and_ctrl_c_stops_both(queue):
    """`make run`'s last step (deploy/run-dev.sh): runserver and the worker side by side; a job waiting is run;
    Ctrl-C (SIGINT to the terminal's process group) stops both, the worker's autoreloader included."""

    job_id = queue.enqueue(0)
    address = f"127.0.0.1:{free_port()}"
    env = {**queue.env, "RUNSERVER_ADDRESS": address, "VENV": str(Path(sys.executable).parent.parent), "DEBUG": "true"}
    with queue.log.open("a") as log:
        dev = subprocess.Popen(["bash", "deploy/run-dev.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while queue.job(job_id)[0] != "SUCCESSFUL" or not answers(f"http://{address}/sante/vivant"):
            assert dev.poll() is None, queue.log.read_text()
            assert time.monotonic() < deadline, queue.log.read_text()
            time.sleep(0.2)
        deadline = time.monotonic() + 30
        while len(set(worker_processes(queue.database))) < 2:  # every queue, and the e-mails alone
            assert time.monotonic() < deadline, queue.log.read_text()
            time.sleep(0.2)
        os.killpg(dev.pid, signal.SIGINT)
        assert dev.wait(timeout=30) == 0 or dev.returncode == -signal.SIGINT, queue.log.read_text()
        time.sleep(1)
        assert not answers(f"http://{address}/sante/vivant")
        assert not worker_processes(queue.database)
        with sqlite3.connect(queue.database) as db:  # the worker said goodbye
            assert db.execute("SELECT COUNT(*) FROM jobs_workerheartbeat").fetchone() == (0,)
    finally:
        for group in {dev.pid, *worker_processes(queue.database)}:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


def answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def worker_processes(database: Path) -> list[int]:
    """Process groups of the workers of this test's database (found through their environment)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"worker" in command and str(database).encode() in environ:
            found.append(os.getpgid(int(proc.name)))
    return found
