"""A correspondent imports a directory file from the web: the upload leads to the job's page, which waits for the
worker and shows the report by itself once the job is done (JavaScript polling its state), then « Confirmer
l'import » runs the real import the same way; on a wide screen and on a phone, with no blocking axe violation.

The task queue is the database one here, as in production: the upload only queues the job, and the test runs it as
the worker would, while the page is open."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.accounts.models import CorrespondentScope, User
from maillage.exchange.import_jobs import run_import_job
from maillage.exchange.models import ImportJob, JobStatus
from maillage.exchange.structure_text import empty_structure_record, write_directory
from maillage.jobs.queue import waiting
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from tests.jobs.conftest import DATABASE_TASKS

from .pages import PASSWORD, blocking_violations, describe, log_in, page_widths, submit

WIDTHS = (1280, 375)
POLL_MS = 15_000  # the page asks every second; the report shows after a reload


@pytest.fixture
def correspondent(site):
    user = User.objects.create_user("caf13@caf.test", password=PASSWORD)
    CorrespondentScope.objects.create(user=user, department=Department.objects.get(code="13"), organisation="caf")
    return user, TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)


def enter_code(page, device: TOTPDevice) -> None:
    """The second factor's code (the label changed with the recovery codes; `pages.second_factor` looks for the old
    one)."""
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.get_by_label(re.compile(r"^Code à 6 chiffres")).fill(code)
    submit(page, page.get_by_role("button", name="Valider"))


def directory_file(folder, name: str) -> str:
    record = empty_structure_record()
    record.update(name=name, kind="csx", postcode="13002", commune="Marseille", fcsf_member=True)
    path = folder / f"{name}.txt"
    path.write_text("".join(write_directory([record])), encoding="utf-8")
    return str(path)


def run_queued_job(page) -> ImportJob:
    """Run the job of the page being shown, as the worker would run the task the upload queued."""
    job = ImportJob.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert job.status == JobStatus.PENDING and waiting(run_import_job, job.pk).count() == 1
    run_import_job.call(job.pk)
    return job


def check_page(page, axe, where: str) -> None:
    violations = blocking_violations(axe, page)
    assert violations == [], f"{where} :\n{describe(violations)}"
    widths = page_widths(page)
    assert widths["scroll"] <= widths["inner"], f"{where} : {widths}"


def test_upload_watch_the_job_finish_then_confirm(site, correspondent, new_page, axe, settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    user, device = correspondent
    page = new_page(viewport={"width": WIDTHS[0], "height": 900})
    log_in(page, site, user.email)
    enter_code(page, device)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        name = f"Centre social Importé {width}"
        page.goto(site("/espace/imports/"))
        page.get_by_label("Structures (export texte de l'annuaire)").check()
        page.get_by_label("Fichier").set_input_files(directory_file(tmp_path, name))
        submit(page, page.get_by_role("button", name="Lire le fichier à l'essai"))

        state = page.locator("#import-state [data-job=label]")
        expect(state).to_have_text("en attente")
        expect(page.get_by_role("link", name="Actualiser")).to_be_visible()
        check_page(page, axe, f"essai en attente, {width} px")
        run_queued_job(page)
        expect(state).to_have_text("terminé", timeout=POLL_MS)  # the page reloaded by itself
        expect(page.get_by_text("1 structure lue, 1 créée")).to_be_visible()
        check_page(page, axe, f"compte rendu de l'essai, {width} px")
        assert not Structure.objects.filter(name=name).exists()

        submit(page, page.get_by_role("button", name="Confirmer l'import"))
        expect(state).to_have_text("en attente")
        job = run_queued_job(page)
        expect(state).to_have_text("terminé", timeout=POLL_MS)
        expect(page.get_by_role("heading", name="Ce que l'import a fait")).to_be_visible()
        check_page(page, axe, f"compte rendu de l'import, {width} px")
        assert Structure.objects.filter(name=name, department__code="13").count() == 1
        assert ImportJob.objects.get(pk=job.pk).committed_at is not None


def test_without_javascript_the_refresh_link_shows_the_report(site, correspondent, new_page, settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    user, device = correspondent
    page = new_page(java_script_enabled=False, viewport={"width": 375, "height": 800})
    log_in(page, site, user.email)
    enter_code(page, device)
    page.goto(site("/espace/imports/"))
    page.get_by_label("Structures (export texte de l'annuaire)").check()
    page.get_by_label("Fichier").set_input_files(directory_file(tmp_path, "Centre social Sans Script"))
    submit(page, page.get_by_role("button", name="Lire le fichier à l'essai"))
    state = page.locator("#import-state [data-job=label]")
    expect(state).to_have_text("en attente")
    run_queued_job(page)
    page.wait_for_timeout(1500)
    expect(state).to_have_text("en attente")  # no script: the page stays as it was
    submit(page, page.get_by_role("link", name="Actualiser"))
    expect(state).to_have_text("terminé")
    expect(page.get_by_role("button", name="Confirmer l'import")).to_be_visible()
