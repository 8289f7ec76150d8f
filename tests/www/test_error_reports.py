"""« Signaler une erreur » on a published sheet: anyone may write, the department's correspondents get it."""

# ruff: noqa: F811 - `world`, the shared fixture of the seven roles, is imported and then asked for by name

import re
import subprocess

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from maillage.actions.models import ActionState
from maillage.structures.models import SheetErrorReport
from tests.authz.conftest import world  # noqa: F401 (the seven roles, shared)
from tests.factories import make_sheet

pytestmark = pytest.mark.django_db


def report_url(sheet) -> str:
    return f"/actions/{sheet.pk}/signaler/"


def test_sheet_links_to_the_report_form_and_print(world):
    sheet = make_sheet("Jardin partagé", world.structure_a)
    html = world.client("anonymous").get(sheet.get_absolute_url()).content.decode()
    assert f'href="{report_url(sheet)}"' in html
    assert "data-print hidden>Imprimer</button>" in html and "js/print-button.js" in html


def test_anonymous_report_reaches_the_correspondents_of_the_department(world, django_capture_on_commit_callbacks):
    sheet = make_sheet("Jardin partagé", world.structure_a)
    client = world.client("anonymous")
    assert "Envoyer le signalement" in client.get(report_url(sheet)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(sheet), {"message": "Le <b>téléphone</b> a changé.", "email": "lea@ex.fr"})
    assert response.status_code == 200 and "votre message a été transmis" in response.content.decode()
    assert [message.to for message in mail.outbox] == [["correspondent@maillage.test"]]
    message = mail.outbox[0]
    assert message.subject == "Erreur signalée sur la fiche « Jardin partagé »"
    assert "Le <b>téléphone</b> a changé." in message.body and "lea@ex.fr" in message.body
    assert message.extra_headers["Reply-To"] == "lea@ex.fr"
    assert f"https://maillage.test/actions/{sheet.pk}-jardin-partage/" in message.body


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"message": ""}, "message", "Décrivez l&#x27;erreur"),
        ({"message": "x" * 2001}, "message", "ne peut dépasser 2000 caractères"),
        ({"message": "Erreur", "email": "pas une adresse"}, "email", "adresse e-mail valide"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_sends_nothing(world, data, field, error):
    sheet = make_sheet("Jardin partagé", world.structure_a)
    response = world.client("anonymous").post(report_url(sheet), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html and f'id="id_{field}-error"' in html
    assert mail.outbox == []


def test_unpublished_sheet_cannot_be_reported(world):
    draft = make_sheet("Brouillon", world.structure_a, state=ActionState.DRAFT)
    assert world.client("anonymous").get(report_url(draft)).status_code == 404


def test_csrf_is_required(world):
    sheet = make_sheet("Jardin partagé", world.structure_a)
    client = Client(enforce_csrf_checks=True)
    assert client.post(report_url(sheet), {"message": "Erreur"}).status_code == 403
    assert mail.outbox == []


def test_reports_are_limited_per_address(world, settings, django_capture_on_commit_callbacks):
    settings.ERROR_REPORT_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    sheet = make_sheet("Jardin partagé", world.structure_a)
    client = world.client("anonymous")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(report_url(sheet), {"message": f"Erreur {n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert len(mail.outbox) == 2
    assert client.get(report_url(sheet)).status_code == 200  # reading the form is not counted


def test_without_correspondents_the_national_administrators_get_it(world, django_capture_on_commit_callbacks):
    sheet = make_sheet("Jardin partagé", world.structure_b)
    world.structure_b.department.correspondent_scopes.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        world.client("anonymous").post(report_url(sheet), {"message": "Erreur"})
    assert [message.to for message in mail.outbox] == [["national_admin@maillage.test"]]


# Images attached to a sheet, shown inline


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_image_attachments_are_shown_inline_through_the_checked_view(world, settings, tmp_path):
    from django.core.files.base import ContentFile

    from maillage.actions.models import ActionFile

    settings.MEDIA_ROOT = tmp_path / "media"
    sheet = make_sheet("Jardin partagé", world.structure_a)
    image = ActionFile(action=sheet, name="Le jardin en juin.png", position=0)
    image.file.save("jardin.png", ContentFile(PNG))
    fake = ActionFile(action=sheet, name="Pas une image.png", position=1)
    fake.file.save("faux.png", ContentFile(b"<svg onload=alert(1)>"))
    document = ActionFile(action=sheet, name="Compte rendu.pdf", position=2)
    document.file.save("cr.pdf", ContentFile(b"%PDF-1.4 "))
    html = world.client("anonymous").get(sheet.get_absolute_url()).content.decode()
    images = re.findall(r'<img class="figure-img[^>]*>', html)
    assert len(images) == 1
    assert f'src="/fichiers/{image.pk}/"' in images[0] and 'alt="Le jardin en juin.png"' in images[0]
    response = world.client("anonymous").get(f"/fichiers/{image.pk}/")
    assert response["Content-Type"] == "image/png"
    response.close()


# The sheet as a PDF


def test_sheet_pdf_is_a_tagged_pdf_with_its_text_and_images(world, settings, tmp_path):
    import io as _io

    from django.core.files.base import ContentFile
    from PIL import Image

    from maillage.actions.models import ActionFile
    from maillage.observatory.figures.pdf import pdf_text

    settings.MEDIA_ROOT = tmp_path / "media"
    sheet = make_sheet("Jardin partagé", world.structure_a, summary="Un potager <b>partagé</b> au pied des tours.")
    picture = _io.BytesIO()
    Image.new("RGB", (20, 10), "green").save(picture, "PNG")
    ActionFile(action=sheet, name="Le jardin.png", position=0).file.save("jardin.png", ContentFile(picture.getvalue()))
    html = world.client("anonymous").get(sheet.get_absolute_url()).content.decode()
    assert f'href="/actions/{sheet.pk}/fiche.pdf"' in html
    response = world.client("anonymous").get(f"/actions/{sheet.pk}/fiche.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Tagged:\s+yes", info, re.M) and "Jardin partagé" in re.search(r"^Title:(.*)$", info, re.M)[1]
    images = subprocess.run(["pdfimages", "-list", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert len(images.strip().splitlines()) == 3  # two header lines, one image
    text = " ".join(" ".join(pdf_text(data)).split())
    assert "Jardin partagé" in text and "Un potager <b>partagé</b> au pied des tours." in text
    assert "Centre social A" in text


def test_pdf_of_an_unpublished_sheet_is_not_found(world):
    draft = make_sheet("Brouillon", world.structure_a, state=ActionState.DRAFT)
    assert world.client("anonymous").get(f"/actions/{draft.pk}/fiche.pdf").status_code == 404


# Listed for the correspondents on « À faire »


def test_reports_are_listed_on_the_todo_page_of_the_department_correspondents(world):
    sheet = make_sheet("Jardin partagé", world.structure_a)
    world.client("anonymous").post(report_url(sheet), {"message": "Adresse <i>fausse</i>", "email": "lea@ex.fr"})
    report = SheetErrorReport.objects.get()
    html = world.client("correspondent").get("/espace/a-faire/").content.decode()
    assert "1</span> erreur signalée sur une fiche" in html
    assert "Adresse &lt;i&gt;fausse&lt;/i&gt;" in html and 'href="mailto:lea@ex.fr"' in html
    other = world.client("other_correspondent").get("/espace/a-faire/").content.decode()
    assert "Adresse &lt;i&gt;fausse" not in other and "erreur signalée" not in other
    handled_url = f"/espace/signalements/{report.pk}/traite/"
    assert world.client("other_correspondent").post(handled_url).status_code == 404
    assert world.client("member_a").post(handled_url).status_code == 404
    assert world.client("correspondent").post(handled_url).status_code == 302
    report.refresh_from_db()
    assert report.handled_at is not None and report.handled_by == world.users["correspondent"]
    assert "Adresse &lt;i&gt;fausse" not in world.client("correspondent").get("/espace/a-faire/").content.decode()


def test_todo_page_reads_a_bounded_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("correspondent")
    counts = []
    for number in range(6):
        make_sheet(f"Fiche {number}", world.structure_a).error_reports.create(message=f"Erreur {number}")
        if number in (0, 5):
            client.get("/espace/a-faire/")
            with CaptureQueriesContext(connection) as queries:
                html = client.get("/espace/a-faire/").content.decode()
            counts.append(len(queries))
    assert html.count("Marquer comme traité") == 6
    assert counts[0] == counts[1], counts
