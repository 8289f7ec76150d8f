"""Prebuilt publications: the worker builds the workbook and the plaquettes after a refresh, the views send those
files as they are (no rebuild), never a file of older figures, and the files are what the views would build."""

import datetime
import io
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maillage.observatory.figures import pdf, publications, reports, xlsx
from maillage.observatory.models import Campaign
from maillage.referentials.models import Department, Region
from tests.jobs.conftest import DATABASE_TASKS

pytestmark = pytest.mark.django_db
PDF_URL = reverse("observatory:departement-pdf", kwargs={"code": "13"})
XLSX_URL = reverse("observatory:export-xlsx")


@pytest.fixture
def prebuild(settings, tmp_path, aggregates):
    settings.PUBLICATIONS_ROOT = tmp_path / "publications"
    settings.PUBLICATIONS_PREBUILD = True
    moment = timezone.now() - datetime.timedelta(hours=1)
    for year in (2023, 2024):
        dates = {"opens_on": datetime.date(year + 1, 3, 1), "closes_on": datetime.date(year + 1, 5, 31)}
        Campaign.objects.create(year=year, aggregates_computed_at=moment, **dates)
    return settings.PUBLICATIONS_ROOT


def refreshed(year=2024):
    """What a refresh of the year's figures does to the versions: the campaign's stamp moves."""
    Campaign.objects.filter(year=year).update(aggregates_computed_at=timezone.now())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def files(root, pattern):
    return sorted(path.name for path in root.rglob(pattern))


def test_the_view_sends_the_prebuilt_plaquette_as_it_is(client, prebuild, django_assert_max_num_queries):
    path = publications.build_plaquette.enqueue("department", "13", 2024).return_value
    assert path.endswith(".pdf") and files(prebuild, "*.pdf") == [path.rsplit("/", 1)[1]]
    with open(path, "r+b") as handle:  # marked: a rebuild would not give these bytes
        handle.seek(0, 2)
        handle.write(b"%prebuilt")
    with mock.patch.object(pdf, "render_pdf") as render, django_assert_max_num_queries(6):
        response = client.get(PDF_URL)
    render.assert_not_called()
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="observatoire-13-enquete-2025-donnees-2024.pdf"'
    assert body(response).endswith(b"%prebuilt") and response["ETag"] and response["Last-Modified"]
    again = client.get(PDF_URL, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_plaquette_of_older_figures_is_not_sent_and_is_rebuilt(client, prebuild, django_capture_on_commit_callbacks):
    old = publications.build_plaquette.enqueue("department", "13", 2024).return_value
    with open(old, "ab") as handle:
        handle.write(b"%old")
    refreshed(2023)  # the 2024 plaquette shows 2023 in its evolution
    assert publications.stored_plaquette(reports.territory("department", "13"), 2024) is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(PDF_URL)
    assert response.status_code == 200 and not response.streaming
    assert response.content.startswith(b"%PDF") and not response.content.endswith(b"%old")
    stored = publications.stored_plaquette(reports.territory("department", "13"), 2024)  # its build was queued
    assert stored is not None and str(stored.path) != old
    assert files(prebuild, "*.pdf") == [stored.path.name]  # the older version is gone
    assert pdf.pdf_text(stored.path.read_bytes()) == pdf.pdf_text(response.content)


def test_the_prebuilt_plaquette_is_what_the_view_builds(client, prebuild, settings):
    path = publications.build_plaquette.enqueue("region", Department.objects.get(code="13").region.code, 2024)
    built = Path(path.return_value).read_bytes()
    settings.PUBLICATIONS_ROOT = prebuild / "elsewhere"  # the view finds no file and builds it
    cache.clear()
    url = reverse("observatory:region-pdf", kwargs={"code": Department.objects.get(code="13").region.code})
    response = client.get(url)
    assert not response.streaming
    text = pdf.pdf_text(built)
    assert text == pdf.pdf_text(response.content) and "Provence" in text[0]


def test_the_view_sends_the_prebuilt_workbook_equal_to_the_one_it_builds(client, prebuild, settings):
    path = publications.build_workbook.enqueue().return_value
    with mock.patch.object(xlsx, "workbook_bytes") as build:
        response = client.get(XLSX_URL)
    build.assert_not_called()
    sent = body(response)
    assert response.streaming and sent == Path(path).read_bytes()
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="observatoire-agregats.xlsx"'
    fresh = xlsx.workbook_bytes()

    def parts(data):  # docProps/core.xml holds the time the workbook was written
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}

    assert parts(fresh) == parts(sent)


def test_a_workbook_of_older_figures_is_not_sent(client, prebuild, django_capture_on_commit_callbacks):
    old = publications.build_workbook.enqueue().return_value
    refreshed()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(XLSX_URL)
    assert not response.streaming and response.content.startswith(b"PK")
    assert files(prebuild, "*.xlsx") == [publications.stored_workbook().path.name] != [old.rsplit("/", 1)[1]]


def test_unknown_territory_or_year_is_a_404_and_builds_nothing(client, prebuild, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.get(reverse("observatory:departement-pdf", kwargs={"code": "999"}))
        no_year = client.get(PDF_URL + "?annee=1990")
    assert unknown.status_code == no_year.status_code == 404
    assert "Territoire inconnu" in unknown.content.decode() or "introuvable" in unknown.content.decode().lower()
    assert files(prebuild, "*") == []
    assert publications.build_plaquette.enqueue("department", "999", 2024).return_value == ""
    assert publications.build_plaquette.enqueue("department", "13", 1990).return_value == ""


def test_a_refresh_queues_the_workbook_and_one_job_per_plaquette(
    prebuild, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        count = publications.prebuild_publications.call(2023)
    places = 1 + Region.objects.count() + Department.objects.count()
    assert count == 2 * places  # 2023, and 2024 whose evolution shows 2023
    jobs = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert len(jobs) == 1 + 2 * places
    assert ("maillage.observatory.figures.publications.build_plaquette",
            {"args": ["department", "13", 2024], "kwargs": {}}) in jobs  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        publications.prebuild_publications.call(2024)  # the same jobs are waiting: none added
    assert DBTaskResult.objects.count() == 1 + 2 * places


def test_no_prebuild_when_turned_off(prebuild, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DATABASE_TASKS
    settings.PUBLICATIONS_PREBUILD = False
    with django_capture_on_commit_callbacks(execute=True):
        publications.schedule_prebuild(2024)
    assert DBTaskResult.objects.count() == 0


def test_a_figures_refresh_queues_the_prebuild(prebuild, settings, django_capture_on_commit_callbacks):
    from maillage.observatory.figures import tasks as figures_tasks

    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        figures_tasks.after_refresh(2024)
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        ("maillage.observatory.figures.publications.prebuild_publications", {"args": [2024], "kwargs": {}})
    ]
