"""A validation queues the year's figures refresh (once per year, a little later) and leaves the figures alone;
the worker then recomputes them, and prebuilds what is published from them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.observatory.figures import tasks as figures_tasks
from maillage.observatory.figures.aggregates import ALL
from maillage.observatory.models import Aggregate, AggregateScope, Response, ResponseStatus
from tests.jobs.conftest import DATABASE_TASKS
from tests.jobs.test_queue import run_worker
from tests.logins import log_in

from .conftest import ROLES  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS
    settings.FIGURES_REFRESH_DELAY_SECONDS = 30


def answered_count() -> int | None:
    row = Aggregate.objects.filter(year=2025, scope=AggregateScope.NATION, code="REPONSES", group=ALL).first()
    return row and row.structure_count


def validate(client, world, response):
    log_in(client, world.users["correspondent"])
    return client.post(reverse("observatory_check:validate", args=[2025, response.structure_id]), follow=True)


def test_a_validation_queues_the_refresh_and_leaves_the_figures_to_the_worker(
    client, world, campaign, database_queue, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        page = validate(client, world, campaign[0])
    assert "Questionnaire validé." in page.content.decode()
    assert answered_count() is None  # nothing computed in the request
    job = DBTaskResult.objects.get()
    assert (job.task_path, job.args_kwargs, job.status) == (
        "maillage.observatory.figures.tasks.refresh_figures", {"args": [2025], "kwargs": {}}, TaskResultStatus.READY,
    )  # fmt: skip
    assert before + datetime.timedelta(seconds=29) < job.run_after < timezone.now() + datetime.timedelta(seconds=31)

    run_worker()  # too early: the job waits for its delay
    assert answered_count() is None
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert answered_count() >= 1


def test_validations_of_one_year_share_one_waiting_refresh(client, world, campaign, database_queue,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    Response.objects.filter(pk=campaign[1].pk).update(status=ResponseStatus.SUBMITTED)
    for response in campaign[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            validate(client, world, response)
    assert (
        Response.objects.filter(pk__in=[campaign[0].pk, campaign[1].pk], status=ResponseStatus.VALIDATED).count() == 2
    )
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_refresh_prebuilds_the_publications_after_the_figures(campaign, monkeypatch):
    seen = []
    monkeypatch.setattr(figures_tasks, "after_refresh", lambda year: seen.append((year, answered_count())))
    figures_tasks.refresh_figures.enqueue(2025)  # tests run tasks at once
    assert len(seen) == 1
    year, figures_then = seen[0]
    assert year == 2025 and figures_then >= 1  # the figures were stored before the prebuild


def test_a_refresh_left_running_by_a_dead_worker_runs_again_and_the_figures_are_right(campaign, database_queue):
    from maillage.jobs.models import WorkerHeartbeat

    result = figures_tasks.refresh_figures.enqueue(2025)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="tué", host="ailleurs", pid=1, started_at=long_ago, last_seen=long_ago)
    DBTaskResult.objects.filter(id=result.id).update(status=TaskResultStatus.RUNNING, started_at=long_ago,
                                                     worker_ids=["tué"])  # fmt: skip
    assert answered_count() is None
    run_worker()
    job = DBTaskResult.objects.get(id=result.id)
    assert (job.status, job.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["tué", "test-worker"])
    validated = Response.objects.filter(questionnaire__campaign__year=2025, status=ResponseStatus.VALIDATED).count()
    assert answered_count() == validated
