"""The web import of past answers: national administrators only; upload → dry run job and its report →
confirmation (a second job)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from maillage.audit.models import AuditAction, AuditEvent
from maillage.exchange.models import ImportJob, JobKind, JobStatus
from maillage.observatory.models import Aggregate, Campaign, Response, ResponseEvent, ResponseStatus
from tests.logins import log_in
from tests.structure_admin.jobs import post_and_follow

from .conftest import ROLES, YEAR, csv_bytes, xlsx_bytes

UPLOAD_URL = "/espace/observatoire/import/"


def client_for(client, world, role: str):
    if role != "anonymous":
        log_in(client, world.users[role])
    return client


def upload(client, content: bytes, name: str = "reponses.csv", year=YEAR, **extra):
    """The page of the dry run's job once it has run (`.job`), or the form when the upload was refused at once."""
    return post_and_follow(client, UPLOAD_URL, {"year": year, "file": SimpleUploadedFile(name, content), **extra})


def confirm(client, job: ImportJob):
    return post_and_follow(client, f"/espace/imports/{job.pk}/confirmer/")


def failed(response) -> bool:
    return response.status_code == 200 and response.job is not None and response.job.status == JobStatus.FAILED


def test_urls():
    assert reverse("observatory_import:upload") == UPLOAD_URL


@pytest.mark.parametrize("role", ROLES)
def test_only_national_administrators(client, world, past, role, upload_dir):
    client = client_for(client, world, role)
    pages = [client.get(UPLOAD_URL), upload(client, csv_bytes(past.rows()))]
    if role == "national_admin":
        assert [p.status_code for p in pages] == [200, 200]
        assert pages[1].job.kind == JobKind.PAST_ANSWERS and pages[1].job.options == {"year": YEAR, "replace": False}
        return
    assert not ImportJob.objects.exists()
    for page in pages:
        if role == "anonymous":
            assert page.status_code == 302 and "/connexion/" in page["Location"]
        else:
            assert page.status_code == 403
    assert not Response.objects.exists()
    assert not upload_dir.exists() or not list(upload_dir.iterdir())


def test_dry_run_report_then_confirm(client, world, past, upload_dir):
    client = client_for(client, world, "national_admin")
    page = client.get(UPLOAD_URL)
    html = page.content.decode()
    assert '<label class="form-label fw-bold" for="id_year">' in html and 'for="id_file"' in html
    assert f'<option value="{YEAR}">Enquête 2024 — données 2023</option>' in html

    response = upload(client, csv_bytes(past.rows()), name="campagne 2023.csv")
    html = response.content.decode()
    assert response.status_code == 200 and response.job.status == JobStatus.DONE
    assert "[essai, rien n&#x27;est enregistré] campagne 2023.csv (Enquête 2024 — données 2023) : 3 lignes lues" in html
    assert 'Réponses à créer</dt><dd class="col-sm-7">3</dd>' in html
    assert "Confirmer l&#x27;import de 3 réponses" in html
    assert "Ils n'empêchent pas l'import." in html
    assert (response.job.progress_done, response.job.progress_total, response.job.progress_unit) == (3, 3, "lignes")
    assert not Response.objects.exists()
    stored = list(upload_dir.iterdir())
    assert len(stored) == 1 and "campagne" not in stored[0].name  # kept under a random name

    dry_run = response.job
    response = confirm(client, dry_run)
    html = response.content.decode()
    assert response.status_code == 200 and response.job.status == JobStatus.DONE
    assert "campagne 2023.csv (Enquête 2024 — données 2023) : 3 lignes lues, 3 réponses créées" in html
    assert Response.objects.filter(status=ResponseStatus.VALIDATED).count() == 3
    assert Aggregate.objects.filter(year=YEAR).exists()
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == world.users["national_admin"]
    assert not list(upload_dir.iterdir())
    again = confirm(client, dry_run)  # confirmed twice: imported once
    assert again.job == response.job
    assert ResponseEvent.objects.count() == 3


def test_xlsx_upload(client, world, past, upload_dir):
    client = client_for(client, world, "national_admin")
    response = upload(client, xlsx_bytes(past.rows()), name="reponses.xlsx")
    assert response.status_code == 200
    confirm(client, response.job)
    assert Response.objects.filter(status=ResponseStatus.VALIDATED).count() == 3


def test_errors_are_shown_by_line_and_column_and_nothing_can_be_confirmed(client, world, past, upload_dir):
    rows = past.rows()
    rows[0][4] = "INCONNUE"
    rows[2][3] = "<b>douze</b>"
    client = client_for(client, world, "national_admin")
    response = upload(client, csv_bytes(rows))
    html = response.content.decode()
    assert failed(response)
    assert "2 erreurs sur 2 lignes" in html
    assert "<li>reponses.csv : ligne 1, colonne INCONNUE : colonne inconnue" in html
    assert (
        "<li>reponses.csv : ligne 3, colonne RH_SALARIES : nombre attendu, pas « &lt;b&gt;douze&lt;/b&gt; »</li>"
        in html
    )
    assert "Confirmer" not in html
    assert confirm(client, response.job).status_code == 409
    assert not list(upload_dir.iterdir())
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "image.csv, ligne 2 : données binaires"),
        ("id;RH_SALARIES\r\n1;Été\r\n".encode("latin-1"), "latin1.csv", "latin1.csv, ligne 2 : le fichier n&#x27;est "
                                                                        "pas encodé en UTF-8"),
        (b"", "vide.csv", "vide.csv : le fichier est vide"),
        (b"PK\x03\x04pas un zip", "faux.xlsx", "faux.xlsx : c&#x27;est une archive zip, pas un classeur XLSX"),
    ],
    ids=["png", "latin-1", "empty", "not-a-zip"],
)  # fmt: skip
def test_unreadable_files_get_a_french_message(client, world, past, upload_dir, content, name, message):
    client = client_for(client, world, "national_admin")
    response = upload(client, content, name=name)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'id="id_file-error"' in html
    assert "Le formulaire contient des erreurs" in html
    assert not list(upload_dir.iterdir())


def test_file_without_identifier_column(client, world, past, upload_dir):
    client = client_for(client, world, "national_admin")
    response = upload(client, b"nom;RH_SALARIES\r\nA;3\r\n", name="t.csv")
    html = response.content.decode()
    assert failed(response)
    assert "t.csv, ligne 1 : colonne « id » ou « siret » absente" in html
    assert "Ce fichier ne peut pas être importé tel quel" in html


def test_form_errors(client, world, past, upload_dir):
    client = client_for(client, world, "national_admin")
    html = client.post(UPLOAD_URL, {}).content.decode()
    assert "Choisissez une campagne." in html and "Choisissez un fichier à importer." in html
    response = upload(client, csv_bytes(past.rows()), year=1999)
    assert response.status_code == 400
    assert "Choisissez une campagne de la liste." in response.content.decode()


def test_replace_checkbox(client, world, past, upload_dir):
    Response.objects.create(questionnaire=past.csx, structure=past.a, status=ResponseStatus.SUBMITTED,
                            answers={"RH_SALARIES": 3})  # fmt: skip
    client = client_for(client, world, "national_admin")
    response = upload(client, csv_bytes(past.rows()))
    assert failed(response)
    assert (
        "a déjà des réponses pour Enquête 2024 — données 2023 saisies sur le site (état : transmis)"
        in response.content.decode()
    )
    response = upload(client, csv_bytes(past.rows()), replace="on")
    assert response.status_code == 200
    assert 'Réponses à remplacer</dt><dd class="col-sm-7">1</dd>' in response.content.decode()
    confirm(client, response.job)
    replaced = Response.objects.get(structure=past.a)
    assert replaced.status == ResponseStatus.VALIDATED and replaced.answers["RH_SALARIES"] == 20


def test_confirmation_checks_again(client, world, past, upload_dir):
    """A structure that answers on the site between the dry run and the confirmation is not overwritten."""
    client = client_for(client, world, "national_admin")
    dry_run = upload(client, csv_bytes(past.rows())).job
    Response.objects.create(questionnaire=past.csx, structure=past.b, status=ResponseStatus.IN_PROGRESS,
                            answers={"RH_SALARIES": 3})  # fmt: skip
    response = confirm(client, dry_run)
    html = response.content.decode()
    assert failed(response)
    assert "L'import a été refusé : rien n'a été enregistré" in html
    assert "<li>reponses.csv : ligne 3, colonne" in html
    assert Response.objects.count() == 1
    assert not list(upload_dir.iterdir())


def test_page_without_any_questionnaire(client, world, upload_dir):
    Campaign.objects.create(year=2022, opens_on="2023-03-01", closes_on="2023-05-31")
    client = client_for(client, world, "national_admin")
    html = client.get(UPLOAD_URL).content.decode()
    assert "Aucune campagne n'a de questionnaire chargé" in html
    assert "Lire le fichier à l'essai" not in html


def test_csrf_enforced(world, past, upload_dir):
    client = client_for(Client(enforce_csrf_checks=True), world, "national_admin")
    assert upload(client, csv_bytes(past.rows())).status_code == 403
    dry_run = upload(client_for(Client(), world, "national_admin"), csv_bytes(past.rows())).job
    assert client.post(f"/espace/imports/{dry_run.pk}/confirmer/").status_code == 403
    assert not ImportJob.objects.filter(dry_run=False).exists()
