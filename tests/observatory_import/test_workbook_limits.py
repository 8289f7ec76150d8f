"""A hostile workbook uploaded as past answers is refused with a French error on the form, before any dry run."""

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.observatory.models import Response
from tests.exchange import workbook_bombs as bombs
from tests.logins import log_in

from .conftest import YEAR


def test_a_workbook_declaring_a_million_rows_is_refused(client, world, past, upload_dir):
    log_in(client, world.users["national_admin"])
    upload = SimpleUploadedFile("reponses.xlsx", bombs.declaring_a_million_rows())
    response = client.post("/espace/observatoire/import/", {"year": YEAR, "file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "reponses.xlsx : la feuille « Sheet » annonce 1\u00a0048\u00a0576 lignes" in html
    assert not Response.objects.exists()
    assert not list(upload_dir.iterdir())
