"""Imports from the web that cannot go through say so in French: a hostile workbook is refused on upload, before any
dry run; a database still locked by another write after the wait allowed asks to retry, nothing stored."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from maillage.exchange import web_import
from maillage.exchange.models import JobStatus
from maillage.structures.models import Structure
from tests.exchange import workbook_bombs as bombs

from .jobs import post_and_follow

TABLE = "name;kind;postcode;commune\nCentre social Occupé;csx;13003;Marseille\n"


def test_an_inflating_workbook_is_refused_on_upload(world, upload_dir):
    before = Structure.objects.count()
    client = world.client("national_admin")
    upload = SimpleUploadedFile("structures.xlsx", bombs.inflating(120))
    response = client.post("/espace/imports/", {"kind": "structure_table", "file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "structures.xlsx: classeur refusé : une fois décompressé, il ferait" in html
    assert "(au plus 100 Mo ; enregistrez plutôt le tableau en CSV)" in html
    assert Structure.objects.count() == before
    assert not list(upload_dir.iterdir())


def test_a_busy_database_at_confirmation_asks_to_retry(world, upload_dir, monkeypatch):
    client = world.client("national_admin")
    upload = SimpleUploadedFile("structures.csv", TABLE.encode())
    dry_run = post_and_follow(client, "/espace/imports/", {"kind": "structure_table", "file": upload}).job
    assert dry_run.status == JobStatus.DONE
    import_table = web_import.import_structure_table

    def locked_when_writing(path, *, dry_run, **options):
        if not dry_run:
            raise OperationalError("database is locked")
        return import_table(path, dry_run=dry_run, **options)

    monkeypatch.setattr(web_import, "import_structure_table", locked_when_writing)
    response = post_and_follow(client, f"/espace/imports/{dry_run.pk}/confirmer/")
    assert response.job.status == JobStatus.FAILED and response.job.committed_at is None
    assert (
        "structures.csv: la base de données est occupée par une autre écriture (un import, sans doute) : rien n&#x27;a "
        "été enregistré, réessayez dans une minute"
    ) in response.content.decode()
    assert not Structure.objects.filter(name="Centre social Occupé").exists()
