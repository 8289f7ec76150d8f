"""Imports of past answers from the web that cannot go through say so in French: a hostile workbook is refused by
the dry run's job, before any row is read; a database still locked by another write after the wait allowed asks to
retry."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from maillage.exchange.models import JobStatus
from maillage.observatory.answers import past_job
from maillage.observatory.models import Response
from tests.exchange import workbook_bombs as bombs
from tests.logins import log_in
from tests.structure_admin.jobs import post_and_follow

from .conftest import YEAR, csv_bytes

UPLOAD_URL = "/espace/observatoire/import/"


def test_a_workbook_declaring_a_million_rows_is_refused(client, world, past, upload_dir):
    log_in(client, world.users["national_admin"])
    upload = SimpleUploadedFile("reponses.xlsx", bombs.declaring_a_million_rows())
    response = post_and_follow(client, UPLOAD_URL, {"year": YEAR, "file": upload})
    assert response.job.status == JobStatus.FAILED
    html = response.content.decode()
    assert "reponses.xlsx : la feuille « Sheet » annonce 1\u00a0048\u00a0576 lignes" in html
    assert not Response.objects.exists()
    assert not list(upload_dir.iterdir())


def test_a_busy_database_at_confirmation_asks_to_retry(client, world, past, upload_dir, monkeypatch):
    log_in(client, world.users["national_admin"])
    upload = SimpleUploadedFile("reponses.csv", csv_bytes(past.rows()))
    dry_run = post_and_follow(client, UPLOAD_URL, {"year": YEAR, "file": upload}).job
    assert dry_run.status == JobStatus.DONE
    import_answers = past_job.import_past_answers

    def locked_when_writing(path, *, dry_run, **options):
        if not dry_run:
            raise OperationalError("database is locked")
        return import_answers(path, dry_run=dry_run, **options)

    monkeypatch.setattr(past_job, "import_past_answers", locked_when_writing)
    response = post_and_follow(client, f"/espace/imports/{dry_run.pk}/confirmer/")
    assert response.job.status == JobStatus.FAILED
    assert "reponses.csv : la base de données est occupée par une autre écriture" in response.content.decode()
    assert not Response.objects.exists()
