"""A hostile workbook uploaded to the import page is refused with a French error on the form, before any dry run."""

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.structures.models import Structure
from tests.exchange import workbook_bombs as bombs


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
