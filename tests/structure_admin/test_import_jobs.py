"""Background imports: the job's page and its JSON state, who sees them, and a job run again (after a killed worker)
that never applies its import twice."""

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.audit.models import AuditAction, AuditEvent
from maillage.exchange import import_jobs
from maillage.exchange.models import ImportJob, JobKind, JobStatus
from maillage.jobs.worker import MAX_RUNS
from maillage.structures.models import Structure

from .jobs import post_and_follow, post_and_run
from .test_imports import structure_text

UPLOAD_URL = "/espace/imports/"


def upload(client, content: bytes, name: str = "annuaire.txt"):
    return post_and_follow(client, UPLOAD_URL, {"kind": "structures", "file": SimpleUploadedFile(name, content)})


def imported(client, content: bytes) -> ImportJob:
    """The real import's job of `content`, dry run and confirmation both run."""
    dry_run = upload(client, content).job
    return post_and_follow(client, f"/espace/imports/{dry_run.pk}/confirmer/").job


def test_a_waiting_job_page_follows_the_job(world, upload_dir):
    client = world.client("correspondent")
    # The job is not run: the request's transaction never commits in a test, unless the test runs the callbacks.
    response = client.post(UPLOAD_URL, {"kind": "structures", "file": SimpleUploadedFile("a.txt", b"x")})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/espace/imports/{job.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert 'État : <strong data-job="label">en attente</strong> — <span data-job="phase">En attente' in html
    assert f'data-state-url="/espace/imports/{job.pk}/etat.json"' in html
    assert '<script src="/static/js/import-progress.js" defer></script>' in html
    assert f'<a href="/espace/imports/{job.pk}/">Actualiser</a>' in html  # without JavaScript
    assert "<script>" not in html  # no inline script (CSP)
    state = json.loads(client.get(f"/espace/imports/{job.pk}/etat.json").content)
    assert state == {"status": "pending", "label": "en attente", "phase": "En attente du traitement", "percent": None,
                     "done": 0, "total": 0, "unit": "", "lines": "", "finished": False}  # fmt: skip


def test_a_finished_job_shows_its_report_and_stops_polling(world, upload_dir):
    client = world.client("correspondent")
    response = upload(client, structure_text(("Centre social Nouveau", "13002")))
    job = response.job
    html = response.content.decode()
    assert job.status == JobStatus.DONE and job.phase == import_jobs.FINISHED
    assert (job.progress_unit, job.progress_done) == ("octets", job.progress_total) and job.progress_total > 0
    assert "import-progress.js" not in html and "data-state-url" not in html
    assert "1 structure lue, 1 créée" in html
    state = json.loads(client.get(f"/espace/imports/{job.pk}/etat.json").content)
    assert (state["status"], state["label"], state["finished"], state["percent"]) == ("done", "terminé", True, 100)


def test_only_the_person_who_started_it_and_national_administrators_see_a_job(world, upload_dir):
    job = upload(world.client("correspondent"), structure_text(("Centre social Nouveau", "13002"))).job
    page, state = f"/espace/imports/{job.pk}/", f"/espace/imports/{job.pk}/etat.json"
    for role in ("other_correspondent", "member_a", "admin_a"):
        client = world.client(role)
        assert (client.get(page).status_code, client.get(state).status_code) == (404, 404), role
    assert world.client("national_admin").get(page).status_code == 200
    anonymous = world.client("anonymous").get(state)
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]
    assert world.client("correspondent").get("/espace/imports/999999/").status_code == 404


def test_a_job_run_again_after_its_write_was_kept_is_not_applied_twice(world, upload_dir):
    client = world.client("national_admin")
    job = imported(client, structure_text(("Centre social Nouveau", "13002"), ("Centre social Autre", "13003")))
    count = Structure.objects.count()
    assert job.status == JobStatus.DONE and job.committed_at is not None
    # The worker was killed after the commit and before the job was marked finished: the queue runs it again.
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    import_jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Structure.objects.count() == count
    assert job.attempts == 1  # finished without reading the file again


def test_a_second_run_of_the_same_job_is_refused_inside_the_write_transaction(world, upload_dir):
    """Two runs of one job at once (a worker taken for dead that was not): the second finds the job committed when it
    takes the lock to write, and writes nothing."""
    client = world.client("national_admin")
    content = structure_text(("Centre social Nouveau", "13002"))
    dry_run = upload(client, content).job
    # The confirmation's job, as a second run read it before the first one committed.
    real = post_and_run(client, f"/espace/imports/{dry_run.pk}/confirmer/")
    job = ImportJob.objects.get(pk=int(real["Location"].split("/")[3]))
    assert Structure.objects.filter(name="Centre social Nouveau").count() == 1
    stale = ImportJob.objects.get(pk=job.pk)
    stale.committed_at, stale.status = None, JobStatus.RUNNING
    import_jobs.stored_file(stale).write_bytes(content)  # removed after the first run; read again by the second
    outcome = import_jobs._run(stale)
    assert outcome.ok and outcome.report == ImportJob.objects.get(pk=job.pk).report  # the first run's report
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1
    assert Structure.objects.filter(name="Centre social Nouveau").count() == 1


def test_a_job_whose_file_is_gone_fails_in_french(world, upload_dir):
    client = world.client("correspondent")
    response = client.post(UPLOAD_URL, {"kind": "structures", "file": SimpleUploadedFile("perdu.txt", b"x")})
    job = ImportJob.objects.get()
    import_jobs.stored_file(job).unlink()
    import_jobs.run_job(job.pk)
    html = client.get(response["Location"]).content.decode()
    assert 'État : <strong data-job="label">échoué</strong>' in html
    assert "perdu.txt : le fichier n&#x27;est plus disponible (gardé un jour au plus) : envoyez-le à nouveau" in html


def test_a_job_abandoned_too_often_is_given_up_before_the_queue_gives_up_its_task(world, upload_dir):
    """The queue marks a task failed, without running it, once `MAX_RUNS` workers died running it: the job's
    last run (the `MAX_RUNS`-th) must be the one that gives the job up, or it would stay « en cours »."""
    assert import_jobs.MAX_ATTEMPTS == MAX_RUNS - 1
    job = ImportJob.objects.create(started_by=world.users["national_admin"], kind=JobKind.STRUCTURES,
                                   filename="a.txt", token="t" * 43, dry_run=False, status=JobStatus.RUNNING,
                                   attempts=import_jobs.MAX_ATTEMPTS)  # fmt: skip
    import_jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.report["errors"] == ["a.txt : le traitement s'est arrêté 2 fois sans finir : rien n'a été enregistré"]


def test_finished_jobs_are_forgotten_after_a_while(world, upload_dir, settings):
    settings.IMPORT_JOBS_KEEP_DAYS = 30
    old = imported(world.client("national_admin"), structure_text(("Centre social Nouveau", "13002")))
    ImportJob.objects.update(finished_at=timezone.now() - datetime.timedelta(days=31))
    waiting = ImportJob.objects.create(started_by=world.users["correspondent"], kind=JobKind.STRUCTURES,
                                       filename="a.txt", token="t" * 43)  # fmt: skip
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    assert import_jobs.forget_old_jobs() == 2  # the dry run and its confirmation
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [waiting.pk]  # not finished: kept
    assert not ImportJob.objects.filter(pk=old.pk).exists()


def test_a_csv_table_reports_the_bytes_read(world, upload_dir):
    content = b"name;kind;postcode;commune\nCentre social Tableau;csx;13003;Marseille\n"
    upload = SimpleUploadedFile("structures.csv", content)
    job = post_and_follow(world.client("correspondent"), UPLOAD_URL, {"kind": "structure_table", "file": upload}).job
    assert job.status == JobStatus.DONE
    assert (job.progress_unit, job.progress_done, job.progress_total) == ("octets", len(content), len(content))


def test_national_administrators_list_the_jobs_in_the_admin(world, upload_dir):
    upload(world.client("correspondent"), structure_text(("Centre social Nouveau", "13002")), name="liste.txt")
    response = world.client("national_admin").get("/admin/exchange/importjob/")
    assert response.status_code == 200 and "liste.txt" in response.content.decode()
    job = ImportJob.objects.get()
    assert world.client("national_admin").post(f"/admin/exchange/importjob/{job.pk}/delete/").status_code == 403
    assert world.client("correspondent").get("/admin/exchange/importjob/").status_code == 302  # not staff


def test_the_progress_counts_lines_in_french(world):
    """« 1 ligne sur 3 » on the page and in its JSON (the script shows the JSON's words), never « 1 lignes »."""
    job = ImportJob.objects.create(started_by=world.users["national_admin"], kind=JobKind.STRUCTURES,
                                   filename="a.txt", token="t" * 43, status=JobStatus.RUNNING, progress_done=1,
                                   progress_total=3, progress_unit="lignes")  # fmt: skip
    client = world.client("national_admin")
    assert "(1 ligne sur 3)" in client.get(f"/espace/imports/{job.pk}/").content.decode()
    assert client.get(f"/espace/imports/{job.pk}/etat.json").json()["lines"] == "1 ligne sur 3"
