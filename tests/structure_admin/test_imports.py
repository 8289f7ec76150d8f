"""Imports from the web: upload, dry run as a background job (nothing written), confirm as a second job;
correspondents limited to their departments."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from maillage.actions.models import Action
from maillage.audit.models import AuditAction, AuditEvent
from maillage.exchange import web_import
from maillage.exchange.action_text import write_sheet
from maillage.exchange.models import ImportJob, JobStatus
from maillage.exchange.records import empty_record
from maillage.exchange.structure_export import export_chunks, iter_structures
from maillage.exchange.structure_table import import_structure_table
from maillage.exchange.structure_text import empty_structure_record, write_directory
from maillage.history.models import Revision
from maillage.structures.models import Structure
from tests.factories import make_structure

from .conftest import ROLES
from .jobs import post_and_follow

UPLOAD_URL = "/espace/imports/"
IMPORTERS = {"correspondent", "other_correspondent", "national_admin"}


def structure_text(*structures: tuple[str, str]) -> bytes:
    """A directory text export of (name, postcode) structures."""
    records = []
    for name, postcode in structures:
        record = empty_structure_record()
        record.update(name=name, kind="csx", postcode=postcode, commune="Ville", fcsf_member=True)
        records.append(record)
    return "".join(write_directory(records)).encode()


def actions_text(*sheets: tuple[str, str | None]) -> bytes:
    """An action bank text export of (title, department name or None for no structure) sheets."""
    out = []
    for title, department in sheets:
        record = empty_record()
        record.update(title=title, status="En cours", summary="Un résumé.")
        if department:
            record["structure"] = {"name": "Centre social Import", "department": department}
        out.append(write_sheet(record))
    return "".join(out).encode()


def upload(client, content: bytes, name: str = "export.txt", kind: str = "structures", **extra):
    """The page of the dry run's job once it has run (`.job`), or the form when the upload was refused at once."""
    data = {"kind": kind, "file": SimpleUploadedFile(name, content), **extra}
    return post_and_follow(client, UPLOAD_URL, data)


def failed(response) -> bool:
    """The page of a dry run's job that ran and failed (the report lists the errors)."""
    return response.status_code == 200 and response.job is not None and response.job.status == JobStatus.FAILED


def confirm(client, job: ImportJob):
    """The page of the real import's job once it has run (`.job`)."""
    return post_and_follow(client, f"/espace/imports/{job.pk}/confirmer/")


def test_urls():
    assert reverse("structure_admin:import-upload") == UPLOAD_URL
    assert reverse("structure_admin:import-job", args=[7]) == "/espace/imports/7/"
    assert reverse("structure_admin:import-job-confirm", args=[7]) == "/espace/imports/7/confirmer/"
    assert reverse("structure_admin:import-job-state", args=[7]) == "/espace/imports/7/etat.json"


@pytest.mark.parametrize("role", ROLES)
def test_import_page_by_role(world, role, upload_dir):
    response = world.client(role).get(UPLOAD_URL)
    if role == "anonymous":
        assert response.status_code == 302 and "next=" in response["Location"]
    elif role in IMPORTERS:
        assert response.status_code == 200
        assert "Lire le fichier à l'essai" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_upload_and_confirm_by_role(world, role, upload_dir):
    client = world.client(role)
    response = upload(client, structure_text(("Centre social Nouveau", "13002")))
    if role not in IMPORTERS:
        assert response.status_code in (302, 403) and response.job is None
        assert not list(upload_dir.glob("*")) if upload_dir.exists() else True
        assert not ImportJob.objects.exists()
        return
    if role == "other_correspondent":  # a structure of department 13
        assert response.status_code == 200 and response.job.status == JobStatus.FAILED
        assert "hors de vos départements" in response.content.decode()
        assert "Confirmer l'import" not in response.content.decode()
        assert not Structure.objects.filter(name="Centre social Nouveau").exists()
        return
    assert response.status_code == 200 and response.job.status == JobStatus.DONE
    assert not Structure.objects.filter(name="Centre social Nouveau").exists()
    response = confirm(client, response.job)
    assert response.status_code == 200 and response.job.status == JobStatus.DONE
    assert Structure.objects.filter(name="Centre social Nouveau", department__code="13").exists()


def test_dry_run_changes_nothing_then_confirm_imports(world, upload_dir):
    client = world.client("correspondent")
    world.structure_a.commune = "Ancienne"
    world.structure_a.save()
    content = structure_text(("Centre social A", "13001"), ("Centre social Nouveau", "13002"))
    before = Structure.objects.count()
    response = upload(client, content, name="annuaire 13.txt")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'État : <strong data-job="label">terminé</strong>' in html
    assert "[essai, rien n&#x27;est enregistré] annuaire 13.txt : 2 structures lues, 1 créée, 1 mise à jour" in html
    assert "Confirmer l'import" in html
    assert Structure.objects.count() == before
    assert not Revision.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()
    world.structure_a.refresh_from_db()
    assert world.structure_a.commune == "Ancienne"
    stored = list(upload_dir.iterdir())
    assert len(stored) == 1 and "annuaire" not in stored[0].name  # random name

    dry_run = response.job
    response = confirm(client, dry_run)
    assert response.status_code == 200
    assert response.job.confirms == dry_run and not response.job.dry_run and response.job.committed_at
    assert "annuaire 13.txt : 2 structures lues, 1 créée, 1 mise à jour" in response.content.decode()
    assert Structure.objects.count() == before + 1
    world.structure_a.refresh_from_db()
    assert world.structure_a.commune == "Ville"
    assert Revision.objects.for_object(world.structure_a).get().changed_by == world.users["correspondent"]
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == world.users["correspondent"]
    assert event.details["filename"] == "annuaire 13.txt" and event.details["created"] == 1
    assert event.ip_address == "127.0.0.1"  # the address of the confirmation, kept by the job for its audit entry
    assert not list(upload_dir.iterdir())  # removed once imported


def test_confirm_twice_does_not_import_twice(world, upload_dir):
    client = world.client("national_admin")
    dry_run = upload(client, actions_text(("Fiche importée", "Bouches-du-Rhône")), kind="actions").job
    first = confirm(client, dry_run)
    assert first.status_code == 200 and first.job.status == JobStatus.DONE
    second = confirm(client, dry_run)
    assert second.job == first.job  # the same job, not a second import
    assert ImportJob.objects.filter(dry_run=False).count() == 1
    assert Action.objects.filter(title="Fiche importée").count() == 1
    html = client.get(f"/espace/imports/{dry_run.pk}/").content.decode()
    assert "Voir l'import confirmé (terminé)" in html and "Confirmer l'import" not in html


def test_confirm_by_someone_else_is_refused(world, upload_dir):
    dry_run = upload(world.client("correspondent"), structure_text(("Centre social Nouveau", "13002"))).job
    # Another correspondent does not even see the job; a national administrator sees it but does not confirm it.
    assert confirm(world.client("other_correspondent"), dry_run).status_code == 404
    assert confirm(world.client("national_admin"), dry_run).status_code == 403
    assert not ImportJob.objects.filter(dry_run=False).exists()
    assert not Structure.objects.filter(name="Centre social Nouveau").exists()


def test_failed_dry_run_cannot_be_confirmed(world, upload_dir):
    client = world.client("correspondent")
    dry_run = upload(client, structure_text(("Centre social Lyon", "69003"))).job
    assert dry_run.status == JobStatus.FAILED
    response = confirm(client, dry_run)
    assert response.status_code == 409 and "ne peut pas être confirmé" in response.content.decode()
    assert not ImportJob.objects.filter(dry_run=False).exists()


def test_structure_outside_departments_is_an_error_naming_the_line(world, upload_dir):
    client = world.client("correspondent")
    content = structure_text(("Centre social Marseille", "13002"), ("Centre social Lyon", "69003"))
    response = upload(client, content, name="mixte.txt")
    assert failed(response)
    html = response.content.decode()
    line = content.decode().split("\n").index("69003 Ville") + 1
    assert f"mixte.txt:{line}: la structure « Centre social Lyon » est dans le département 69" in html
    assert "Confirmer l'import" not in html
    assert not list(upload_dir.iterdir())  # a failed dry run keeps no file
    # The national administrator may import it.
    response = upload(world.client("national_admin"), content, name="mixte.txt")
    assert response.status_code == 200 and "Confirmer l'import" in response.content.decode()


def test_structure_matched_by_siret_outside_departments_is_refused(world, upload_dir):
    make_structure("Centre de Lyon", "69", siret="78154320900014")
    record = empty_structure_record()
    record.update(name="Autre nom", kind="csx", postcode="13002", siret="78154320900014")
    content = "".join(write_directory([record])).encode()
    response = upload(world.client("correspondent"), content)
    assert failed(response)
    assert "le numéro SIRET 78154320900014 est celui d&#x27;une structure hors de vos départements" in (
        response.content.decode()
    )


def test_actions_outside_departments_or_without_structure_refused(world, upload_dir):
    content = actions_text(("Fiche 13", "Bouches-du-Rhône"), ("Fiche 69", "Rhône"), ("Fiche orpheline", None))
    response = upload(world.client("correspondent"), content, name="actions.txt", kind="actions")
    html = response.content.decode()
    assert failed(response)
    assert "la fiche « Fiche 69 » est dans le département 69, hors de vos départements" in html
    assert "la fiche « Fiche orpheline » (sans structure organisatrice) : département inconnu" in html
    assert "Fiche 13" not in html.split("alert-danger")[1].split("</div>")[0]


def test_actions_import_in_draft(world, upload_dir):
    client = world.client("correspondent")
    response = upload(client, actions_text(("Fiche 13", "Bouches-du-Rhône")), kind="actions", draft="on")
    assert response.status_code == 200
    assert not Action.objects.exists()
    confirm(client, response.job)
    action = Action.objects.get(title="Fiche 13")
    assert action.state == "draft" and action.structure.department.code == "13"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "données binaires : ce n&#x27;est pas un fichier texte"),
        ("Informations sur la structure\nCentre social Été\n".encode("latin-1"), "n&#x27;est pas encodé en UTF-8"),
        (b"", "vide"),
        (b"PK\x03\x04not really a zip", "pas un fichier texte"),
    ],
)
def test_bad_files_get_a_french_error_naming_the_file(world, upload_dir, content, message):
    response = upload(world.client("correspondent"), content, name="mauvais.txt")
    assert response.status_code == 400
    html = response.content.decode()
    assert "mauvais.txt" in html and message in html
    assert 'id="id_file-error"' in html
    assert not list(upload_dir.iterdir())


def test_zip_that_is_not_a_workbook_refused(world, upload_dir):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("setup.exe", b"MZ")
    response = upload(world.client("correspondent"), buffer.getvalue(), name="tableau.xlsx", kind="structure_table")
    assert response.status_code == 400
    assert "tableau.xlsx: c&#x27;est une archive zip, pas un classeur XLSX" in response.content.decode()


def test_oversized_file_refused(world, upload_dir, monkeypatch):
    monkeypatch.setattr(web_import, "MAX_UPLOAD_BYTES", 100)
    response = upload(world.client("correspondent"), b"x" * 101, name="gros.txt")
    assert response.status_code == 400
    assert "gros.txt: fichier trop gros" in response.content.decode()
    assert not list(upload_dir.iterdir())


def test_upload_without_file_or_kind(world, upload_dir):
    response = world.client("correspondent").post(UPLOAD_URL, {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez un fichier à importer." in html and "Indiquez ce que contient le fichier." in html


def test_upload_csrf_enforced(world, upload_dir):
    client = world.client("national_admin", enforce_csrf_checks=True)
    response = upload(client, structure_text(("Centre social Nouveau", "13002")))
    assert response.status_code == 403
    dry_run = upload(world.client("national_admin"), structure_text(("Centre social Nouveau", "13002"))).job
    response = client.post(f"/espace/imports/{dry_run.pk}/confirmer/")
    assert response.status_code == 403
    assert not ImportJob.objects.filter(dry_run=False).exists()


def test_html_in_file_shown_as_text(world, upload_dir):
    content = structure_text(("<script>alert(1)</script>", "69003"))
    html = upload(world.client("correspondent"), content, name="<b>x</b>.txt").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html


# Tables (CSV, XLSX)

CSV = (
    "\ufeffname;kind;postcode;commune;siret;fcsf_member;first_approval;population;axes\r\n"
    "Centre social Tableau;csx;13003;Marseille;781 543 209 00014;Oui;15/09/2012;12 000;Accueillir | Soutenir\r\n"
    "Espace Tableau;Espace de vie sociale;13004;Marseille;;Non;;;\r\n"
)


def test_csv_table_dry_run_then_confirm(world, upload_dir):
    client = world.client("correspondent")
    response = upload(client, CSV.encode(), name="structures.csv", kind="structure_table")
    assert response.status_code == 200
    assert "2 structures lues, 2 créées" in response.content.decode()
    assert not Structure.objects.filter(name="Centre social Tableau").exists()
    confirm(client, response.job)
    centre = Structure.objects.get(name="Centre social Tableau")
    assert (centre.kind, centre.department.code, centre.siret, centre.fcsf_member) == (
        "csx",
        "13",
        "78154320900014",
        True,
    )
    assert str(centre.first_approval) == "2012-09-15" and centre.population == 12000
    assert centre.axes == ["Accueillir", "Soutenir", "", "", ""]
    assert Structure.objects.get(name="Espace Tableau").kind == "evs"


def test_xlsx_table(world, upload_dir):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "kind", "postcode", "department", "travellers", "axis_2"])
    sheet.append(["Centre XLSX", "csx", 13005, "Bouches-du-Rhône", "Non", "Deuxième axe"])
    sheet.append(["Centre hors champ", "csx", 69003, "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(world.client("correspondent"), buffer.getvalue(), name="t.xlsx", kind="structure_table")
    assert failed(response)
    assert "t.xlsx:3: la structure « Centre hors champ » est dans le département 69" in response.content.decode()
    client = world.client("national_admin")
    response = upload(client, buffer.getvalue(), name="t.xlsx", kind="structure_table")
    assert response.status_code == 200
    confirm(client, response.job)
    centre = Structure.objects.get(name="Centre XLSX")
    assert (centre.postcode, centre.department.code, centre.travellers, centre.axis_2) == (
        "13005",
        "13",
        False,
        "Deuxième axe",
    )
    assert Structure.objects.get(name="Centre hors champ").department.code == "69"


def test_table_without_name_column(world, upload_dir):
    response = upload(world.client("correspondent"), b"nom;code\nA;13001\n", name="t.csv", kind="structure_table")
    assert failed(response)
    assert "t.csv:1: colonne « name » absente" in response.content.decode()


def test_csv_export_reads_back_unchanged(world, tmp_path):
    world.structure_a.siret = "78154320900014"
    world.structure_a.axis_3 = "Troisième"
    world.structure_a.fcsf_member = False
    world.structure_a.save()
    path = tmp_path / "export.csv"
    path.write_text("".join(export_chunks("csv", iter_structures())), encoding="utf-8")
    report = import_structure_table(path)
    count = Structure.objects.count()
    assert (report.read, report.created, report.updated, report.unchanged) == (count, 0, 0, count), report.warnings
