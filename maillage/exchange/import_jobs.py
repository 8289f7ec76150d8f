"""Imports from the web run as background jobs: the upload starts a dry run, its report offers the confirmation,
which runs the real import as a second job on the same stored file.

A job is a row (`models.ImportJob`) and a task (`run_import_job`, enqueued once the row is committed). The task
reads and checks the file with no transaction, as the import services do, and writes in their one short
transaction (`transactions.write_import`); the job follows that transaction (`watching_write`): it says
« Enregistrement » before it, and is marked committed inside it. So a worker killed mid-way leaves the database as
it was and the job runs again from the start when the task is run again; a job already committed is never applied
twice, the second run only finishes it.

What each kind of job does is a runner: this module runs the exchange's own kinds (`web_import`); higher rooms
(the observatory's past answers) register theirs with `register_runner` when their app is ready, so that the
exchange imports none of them.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks import task

from maillage.audit.services import acting_from
from maillage.jobs.queue import enqueue_on_commit
from maillage.jobs.worker import MAX_RUNS

from .models import FINISHED as FINISHED_STATUSES
from .models import ImportJob, JobKind, JobStatus
from .structure_table import is_xlsx
from .transactions import BUSY_MESSAGE, AlreadyCommitted, is_database_busy, watching_write
from .web_import import MAX_LISTED_ERRORS, ImportKind, PendingImport, run_web_import, summary

logger = logging.getLogger(__name__)

READING = "Lecture et vérification du fichier"
WRITING = "Enregistrement dans la base de données"
FINISHED = "Terminé"
# Finished jobs are deleted after this many days (setting IMPORT_JOBS_KEEP_DAYS); their files are gone long before.
KEEP_DAYS = 30
# A job whose worker died this many times while running it is given up, by the run after: the task queue marks a
# task failed without running it once its workers died `MAX_RUNS` times, so the job's own verdict comes one run
# earlier, or the job would stay « en cours » for ever.
MAX_ATTEMPTS = MAX_RUNS - 1
# The job's state is saved this many times at most while the database is busy (each waits for the lock).
SAVE_TRIES = 3
# Progress is written at most this often: each write takes the database's write lock for a moment.
SAVE_EVERY_SECONDS = 0.5


@dataclass
class Outcome:
    """What a runner found: a report for the page (JSON) and whether the import may go on (or went through)."""

    ok: bool
    report: dict = field(default_factory=dict)


Runner = Callable[[ImportJob, "JobProgress"], Outcome]
_RUNNERS: dict[str, Runner] = {}


def register_runner(kind: str, runner: Runner) -> None:
    _RUNNERS[kind] = runner


class JobProgress:
    """Progress of a running job, saved to its row (at most every `SAVE_EVERY_SECONDS`), and the job's watch over
    the import's write transaction."""

    def __init__(self, job: ImportJob):
        self.job = job
        self._saved_at = 0.0

    def phase(self, label: str, *, total: int = 0, unit: str = "") -> None:
        self._set(force=True, phase=label, progress_done=0, progress_total=total, progress_unit=unit)

    def read_bytes(self, count: int) -> None:
        """Text files report the bytes read so far, chunk by chunk."""
        self._set(progress_done=min(self.job.progress_done + count, self.job.progress_total or 0))

    def rows(self, done: int, total: int) -> None:
        self._set(force=done == total, progress_done=done, progress_total=total, progress_unit="lignes")

    def _set(self, *, force: bool = False, **values) -> None:
        for name, value in values.items():
            setattr(self.job, name, value)
        now = time.monotonic()
        if force or now - self._saved_at >= SAVE_EVERY_SECONDS:
            self._saved_at = now
            try:
                ImportJob.objects.filter(pk=self.job.pk).update(**values)
            except OperationalError as error:
                # SQLite's write lock held by another import past the wait allowed: the page shows older progress,
                # the import goes on (progress is saved outside the import's own transaction).
                if not is_database_busy(error):
                    raise
                logger.info("Avancement de l'import n° %s non enregistré : base occupée", self.job.pk)

    # The write transaction (`transactions.WriteWatcher`).

    def before_write(self) -> None:
        self.phase(WRITING)

    def in_write(self) -> None:
        if self.job.dry_run:
            raise RuntimeError("un essai d'import n'écrit rien")
        committed = ImportJob.objects.select_for_update().filter(pk=self.job.pk).values_list("committed_at", flat=True)
        if committed.get() is not None:
            raise AlreadyCommitted
        self.job.committed_at = timezone.now()
        ImportJob.objects.filter(pk=self.job.pk).update(committed_at=self.job.committed_at)


# --- Starting jobs ---------------------------------------------------------------------------------------------


def start_job(*, user, kind: str, pending: PendingImport, dry_run: bool = True, options: dict | None = None,
              confirms: ImportJob | None = None, client_address: str | None = None) -> ImportJob:  # fmt: skip
    """Create the job of a stored upload and enqueue its task once the row is committed; `client_address` is the
    person's, for the audit log."""
    forget_old_jobs()
    job = ImportJob.objects.create(
        started_by=user,
        kind=kind,
        filename=pending.filename,
        token=pending.token,
        options=options or {},
        dry_run=dry_run,
        confirms=confirms,
        client_address=client_address,
    )
    enqueue_on_commit(run_import_job, job.pk)
    return job


def confirm_job(dry_run: ImportJob, *, user, client_address: str | None = None) -> ImportJob | None:
    """The real import of a dry run that went well, started once (a second confirmation gives the same job);
    None when the dry run cannot be confirmed (not a dry run, failed, or its file is gone)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=dry_run.pk)
        existing = ImportJob.objects.filter(confirms=locked).first()
        if existing is not None:
            return existing
        if not locked.dry_run or locked.status != JobStatus.DONE or not stored_file(locked).exists():
            return None
        pending = PendingImport(locked.token, locked.filename, locked.kind)
        return start_job(user=user, kind=locked.kind, pending=pending, dry_run=False, options=locked.options,
                         confirms=locked, client_address=client_address)  # fmt: skip


def forget_old_jobs() -> int:
    """Delete the finished jobs older than `IMPORT_JOBS_KEEP_DAYS` days (setting; their reports name structures
    and people's files); the number deleted."""
    days = getattr(settings, "IMPORT_JOBS_KEEP_DAYS", KEEP_DAYS)
    limit = timezone.now() - datetime.timedelta(days=days)
    old = ImportJob.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=limit)
    return old.delete()[0]


def stored_file(job: ImportJob) -> Path:
    return PendingImport(job.token, job.filename, job.kind).path


def can_confirm(job: ImportJob) -> bool:
    return job.dry_run and job.status == JobStatus.DONE and stored_file(job).exists()


# --- Running jobs ----------------------------------------------------------------------------------------------


@task()
def run_import_job(job_id: int) -> None:
    run_job(job_id)


def run_job(job_id: int) -> None:
    """Run the job (again, after a killed worker); a finished job is left as it is."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return
    if job.committed_at is not None:
        _finish(job, Outcome(True, _recovered_report(job)))
        return
    if job.attempts >= MAX_ATTEMPTS:
        message = f"le traitement s'est arrêté {job.attempts} fois sans finir : rien n'a été enregistré"
        _finish(job, failure(job, message))
        return
    job.status, job.attempts = JobStatus.RUNNING, job.attempts + 1
    job.started_at = job.started_at or timezone.now()
    _save(job, ["status", "attempts", "started_at"])
    _finish(job, _run(job))


def _run(job: ImportJob) -> Outcome:
    progress = JobProgress(job)
    if not stored_file(job).exists():
        return failure(job, "le fichier n'est plus disponible (gardé un jour au plus) : envoyez-le à nouveau")
    runner = _RUNNERS.get(job.kind)
    if runner is None:
        return failure(job, f"type d'import inconnu : {job.kind}")
    try:
        with watching_write(progress), acting_from(job.client_address):
            return runner(job, progress)
    except AlreadyCommitted:
        job.refresh_from_db()
        return Outcome(True, _recovered_report(job))
    except Exception as error:  # noqa: BLE001 - the write is one transaction, rolled back; details go to the log
        if is_database_busy(error):
            return failure(job, BUSY_MESSAGE)
        logger.exception("Import en arrière-plan n° %s (%s)", job.pk, job.filename)
        return failure(job, f"erreur inattendue pendant l'import ({type(error).__name__}) : rien n'a été enregistré")


def failure(job: ImportJob, message: str) -> Outcome:
    return Outcome(False, {"errors": [f"{job.filename} : {message}"]})


def _recovered_report(job: ImportJob) -> dict:
    """The report of a job whose write was kept by a run that stopped before saving it."""
    report = dict(job.report)
    report.setdefault(
        "summary",
        f"{job.filename} : l'import a été enregistré (le traitement s'est arrêté juste après ; "
        "son compte rendu détaillé n'a pas été gardé).",
    )
    return report


def _save(job: ImportJob, fields: list[str], tries: int = SAVE_TRIES) -> None:
    """Save the job's state, trying again while SQLite's write lock is held by another import past the wait
    allowed (a job left « en cours » would wait for nothing)."""
    for attempt in range(1, tries + 1):
        try:
            job.save(update_fields=fields)
            return
        except OperationalError as error:
            if not is_database_busy(error) or attempt == tries:
                raise
            logger.warning("État de l'import n° %s non enregistré (base occupée) : nouvel essai", job.pk)


def _finish(job: ImportJob, outcome: Outcome) -> None:
    job.status = JobStatus.DONE if outcome.ok else JobStatus.FAILED
    job.report, job.phase, job.finished_at = outcome.report, FINISHED, timezone.now()
    job.progress_done = job.progress_total
    _save(job, ["status", "report", "phase", "finished_at", "progress_done"])
    if not (job.dry_run and outcome.ok):
        stored_file(job).unlink(missing_ok=True)  # imported, or refused: nothing to confirm


# --- The exchange's own kinds ----------------------------------------------------------------------------------


def run_exchange_import(job: ImportJob, progress: JobProgress) -> Outcome:
    """Structures (text or table) and action sheets: `web_import.run_web_import`, departments checked first."""
    pending = PendingImport(job.token, job.filename, job.kind, bool(job.options.get("draft")))
    if job.kind == ImportKind.STRUCTURE_TABLE and is_xlsx(pending.path):
        progress.phase(READING)  # read from its zip: no measure of the way done
    else:
        progress.phase(READING, total=pending.path.stat().st_size, unit="octets")
    result = run_web_import(pending, user=job.started_by, dry_run=job.dry_run, progress=progress.read_bytes)
    report = result.report
    errors = result.errors[:MAX_LISTED_ERRORS]
    if len(result.errors) > MAX_LISTED_ERRORS:
        errors.append(f"… et {len(result.errors) - MAX_LISTED_ERRORS} autres erreurs")
    data: dict = {"errors": errors}
    if report is not None:
        data |= {
            "summary": summary(result, job.kind),
            "counts": [
                ["Lues", report.read],
                ["Créées", report.created],
                ["Mises à jour", report.updated],
                ["Inchangées", report.unchanged],
                ["Doublons ignorés", report.duplicates],
                ["Signalées « doublon probable »", report.flagged],
            ],
            "warnings": report.warnings[:MAX_LISTED_ERRORS],
            "more_warnings": max(len(report.warnings) - MAX_LISTED_ERRORS, 0),
        }
    return Outcome(result.ok, data)


for _kind in (JobKind.ACTIONS, JobKind.STRUCTURES, JobKind.STRUCTURE_TABLE):
    register_runner(_kind, run_exchange_import)
