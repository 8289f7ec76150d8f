"""A background import whose worker is killed with SIGKILL in the middle of its write leaves the database as it was,
and the next worker runs the job again, which then imports the file once. A job whose progress cannot be saved
while another import holds SQLite's write lock goes on all the same.

`maillage worker` runs as a real process on a file SQLite database (the task queue's database backend, as in
production); the test kills it once it holds the database's write lock for the import's transaction."""

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
STRUCTURES = 1500  # enough for the write to last well over the test's polling
MIGRATE = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('migrate', verbosity=0)"
)
ENQUEUE = """
import secrets, sys, django
django.setup()
from maillage.accounts.models import User
from maillage.exchange.import_jobs import run_import_job
from maillage.exchange.models import ImportJob
from maillage.exchange.structure_text import empty_structure_record, write_directory
from maillage.exchange.web_import import upload_dir

admin = User.objects.create_user("admin@maillage.test", "x", is_national_admin=True)
records = []
for number in range(int(sys.argv[1])):
    record = empty_structure_record()
    record.update(name=f"Centre social Tué {number}", kind="csx", postcode="13002", commune="Marseille")
    records.append(record)
token = secrets.token_urlsafe(32)
(upload_dir() / token).write_text("".join(write_directory(records)), encoding="utf-8")
job = ImportJob.objects.create(started_by=admin, kind="structures", filename="annuaire.txt", token=token,
                               dry_run=False)
run_import_job.enqueue(job.pk)
print(job.pk)
"""


def environment(database: Path) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "SENTRY_DSN"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="false",
               PYTHONPATH=str(ROOT), MAILLAGE_VAR_DIR=str(database.parent),
               IMPORT_UPLOAD_DIR=str(database.parent / "imports"), LOG_LEVEL="INFO")  # fmt: skip
    return env


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("template") / "db.sqlite3"
    subprocess.run([sys.executable, "-c", MIGRATE], cwd=ROOT, env=environment(database), check=True, timeout=300)
    return database


def query(database: Path, sql: str):
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute(sql).fetchone()


def holds_write_lock(database: Path) -> bool:
    """Another connection is inside a write transaction (SQLite has one write lock for the whole file)."""
    db = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return True
    finally:
        db.close()


def wait_for(condition, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)


def test_a_worker_killed_during_the_write_leaves_nothing_and_the_job_runs_again(tmp_path, template):
    database = tmp_path / "db.sqlite3"
    shutil.copy(template, database)
    env, log = environment(database), tmp_path / "worker.log"
    (tmp_path / "imports").mkdir()
    enqueued = subprocess.run([sys.executable, "-c", ENQUEUE, str(STRUCTURES)], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
    job = int(enqueued.stdout.strip())
    job_row = f"SELECT status, committed_at, attempts, phase FROM exchange_importjob WHERE id = {job}"
    structures = "SELECT count(*) FROM structures_structure WHERE name LIKE 'Centre social Tué %'"
    command = [MAILLAGE, "worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", "--heartbeat", "5",
               "--stale-after", "30"]  # fmt: skip
    with log.open("a") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: query(database, job_row)[3] == "Enregistrement dans la base de données", worker, log)
        wait_for(lambda: holds_write_lock(database), worker, log)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert query(database, structures) == (0,)
    status, committed_at, attempts, _ = query(database, job_row)
    assert (status, committed_at, attempts) == ("running", None, 1)

    with log.open("a") as output:
        second = subprocess.run([*command, "--batch"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                timeout=300)  # fmt: skip
    assert second.returncode == 0, log.read_text()
    assert query(database, structures) == (STRUCTURES,)
    status, committed_at, attempts, phase = query(database, job_row)
    assert (status, attempts, phase) == ("done", 2, "Terminé") and committed_at is not None
    assert not list((tmp_path / "imports").iterdir())  # the file is removed once imported


BUSY = """
import logging, secrets, sqlite3, sys, django
from django.conf import settings
django.setup()
from django.db import connection
from maillage.accounts.models import User
from maillage.exchange import import_jobs
from maillage.exchange.models import ImportJob
from maillage.exchange.web_import import upload_dir

admin = User.objects.create_user("admin@maillage.test", "x", is_national_admin=True)
token = secrets.token_urlsafe(32)
(upload_dir() / token).write_text("Informations sur la structure\\nCentre social Occupé\\n", encoding="utf-8")
job = ImportJob.objects.create(started_by=admin, kind="structures", filename="a.txt", token=token)
connection.close()
settings.DATABASES["default"]["OPTIONS"]["timeout"] = 0.3  # wait 0.3 s for the lock, not 20
other = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)


def reading_while_another_import_writes(job, progress):
    other.execute("BEGIN IMMEDIATE")  # another import begins its write as this job begins to read
    return import_jobs.run_exchange_import(job, progress)


import_jobs.register_runner("structures", reading_while_another_import_writes)


class Release(logging.Handler):
    def emit(self, record):
        if "non enregistré" in record.getMessage() and other.in_transaction:
            print("progress refused", flush=True)
            other.execute("COMMIT")  # the other import ends


logging.getLogger("maillage.exchange.import_jobs").addHandler(Release())
logging.getLogger("maillage.exchange.import_jobs").setLevel(logging.INFO)
import_jobs.run_job(job.pk)
job.refresh_from_db()
print(job.status, job.report.get("errors"))
"""


def test_progress_not_saved_while_another_import_writes_does_not_stop_the_job(tmp_path, template):
    database = tmp_path / "db.sqlite3"
    shutil.copy(template, database)
    (tmp_path / "imports").mkdir()
    result = subprocess.run([sys.executable, "-c", BUSY], cwd=ROOT, env=environment(database), capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:2] == ["progress refused", "done []"], result.stdout
