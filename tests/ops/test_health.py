"""`/sante/vivant` and `/sante/pret`: JSON for probes, no login, no cookie, no personal data, 503 until ready."""

import datetime
import logging
import os
import subprocess
import sys

import pytest
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from maillage import health
from maillage.accounts.models import User
from maillage.jobs.models import WorkerHeartbeat
from maillage.search import facets, vocabulary
from maillage.search.backends import get_backend
from tests.factories import make_sheet
from tests.jobs.conftest import DATABASE_TASKS
from tests.jobs.sample_tasks import note

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_health(monkeypatch):
    """Each test checks the migrations again, and no test starts a real loading thread."""
    monkeypatch.setattr(health, "_migrations_applied", False)
    started = []
    monkeypatch.setattr(health, "start_loading_facets", lambda: started.append(True))
    return started


@pytest.fixture
def loaded_index():
    facets.facet_index()


def test_alive_answers_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sante/vivant")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_ready_when_everything_is_ready(client, loaded_index):
    response = client.get("/sante/pret")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "migrations": "ok",
        "facet_index": "ok",
        "task_queue": "immediate",
        "disk": "ok",
    }
    assert body["checks"]["task_queue"]["lag_seconds"] is None
    assert body["checks"]["disk"]["free_mb"] >= body["checks"]["disk"]["minimum_mb"]
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_ready_is_cheap_once_migrations_were_seen_applied(client, loaded_index, django_assert_max_num_queries):
    client.get("/sante/pret")
    with django_assert_max_num_queries(1):
        assert client.get("/sante/pret").status_code == 200


def test_not_ready_until_the_facet_index_is_loaded_which_starts_loading_it(client, fresh_health):
    assert not facets.loaded()
    response = client.get("/sante/pret")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["facet_index"] == {"status": "error", "detail": "index des facettes en cours de chargement"}
    assert body["checks"]["database"]["status"] == "ok"
    assert fresh_health == [True]


def test_not_ready_with_migrations_left_to_apply(client, loaded_index, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("migration", False)] * 2)
    response = client.get("/sante/pret")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "status": "error",
        "detail": "migrations non appliquées",
        "unapplied": 2,
    }


def test_not_ready_when_the_database_does_not_answer(client, loaded_index, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" failed')

    monkeypatch.setattr(connection, "cursor", unreachable)
    with caplog.at_level(logging.WARNING, logger="maillage.health"):
        response = client.get("/sante/pret")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "error", "detail": "base de données injoignable"}
    assert checks["migrations"] == {"status": "error", "detail": "état des migrations illisible"}
    # The host is in the log, for the operator, not in the answer.
    assert "db.internal" not in response.content.decode()
    assert "db.internal" in caplog.text


def test_not_ready_when_the_disk_is_almost_full(client, loaded_index, settings):
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12
    response = client.get("/sante/pret")
    assert response.status_code == 503
    disk = response.json()["checks"]["disk"]
    assert disk["status"] == "error"
    assert disk["detail"] == "espace disque insuffisant"
    assert disk["minimum_mb"] == 10**12


def test_the_tests_immediate_backend_keeps_no_queue(client, loaded_index):
    response = client.get("/sante/pret")
    assert response.status_code == 200
    assert response.json()["checks"]["task_queue"] == {"status": "immediate", "lag_seconds": None}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_WORKER_STALE_SECONDS = 60
    settings.TASK_QUEUE_MAX_LAG_SECONDS = 300


def beat(seconds_ago: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id=f"w{seconds_ago}", host="h", pid=1, started_at=now,
                                   last_seen=now - datetime.timedelta(seconds=seconds_ago))  # fmt: skip


def queued(note_path, *, age: float, delay: float | None = None) -> None:
    result = note.enqueue(str(note_path), "x")
    now = timezone.now()
    run_after = now + datetime.timedelta(seconds=delay) if delay is not None else get_date_max()
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=now - datetime.timedelta(seconds=age),
                                                     run_after=run_after)  # fmt: skip


def task_queue(client) -> dict:
    response = client.get("/sante/pret")
    assert response.status_code == 200  # whatever the queue says, the site stays ready
    return response.json()["checks"]["task_queue"]


def test_the_task_queue_reports_its_lag_and_the_worker(client, loaded_index, database_queue, tmp_path,
                                                        django_assert_max_num_queries):  # fmt: skip
    beat(seconds_ago=3)
    queued(tmp_path / "a", age=42)
    queued(tmp_path / "b", age=10)
    queued(tmp_path / "c", age=900, delay=30)  # deferred: not late, whatever its age
    client.get("/sante/pret")
    with django_assert_max_num_queries(3):
        checks = task_queue(client)
    assert checks["status"] == "ok"
    assert 42 <= checks["lag_seconds"] < 50
    assert (checks["due"], checks["scheduled"]) == (2, 1)
    assert 3 <= checks["worker_seen_seconds_ago"] < 10


def test_a_deferred_job_counts_from_its_run_time(client, loaded_index, database_queue, tmp_path):
    beat(seconds_ago=1)
    queued(tmp_path / "a", age=900, delay=-400)
    checks = task_queue(client)
    assert checks["status"] == "lagging"
    assert 400 <= checks["lag_seconds"] < 410


def test_no_worker_is_reported_without_a_fresh_heartbeat(client, loaded_index, database_queue):
    assert task_queue(client) == {"status": "no_worker", "lag_seconds": 0.0, "due": 0, "scheduled": 0,
                                  "worker_seen_seconds_ago": None}  # fmt: skip
    beat(seconds_ago=120)
    checks = task_queue(client)
    assert checks["status"] == "no_worker"
    assert checks["worker_seen_seconds_ago"] >= 120


def test_probes_need_no_login_and_name_no_one(client, loaded_index):
    user = User.objects.create_user("camille.martin@example.org", "un mot de passe assez long")
    client.force_login(user)
    for url in ("/sante/vivant", "/sante/pret"):
        response = client.get(url)
        assert response.status_code == 200
        assert "camille" not in response.content.decode()
    client.logout()
    assert client.get("/sante/pret").status_code == 200


def test_probes_are_read_only(client, loaded_index):
    assert client.post("/sante/pret").status_code == 405
    assert client.head("/sante/vivant").status_code == 200


def test_probes_are_not_rate_limited(client, loaded_index, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    settings.EXPORT_RATE_LIMIT_PER_MINUTE = 1
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 1
    for _ in range(5):
        assert client.get("/sante/pret").status_code == 200
        assert client.get("/sante/vivant").status_code == 200


def test_loading_the_facet_index_closes_its_connections(monkeypatch):
    calls = []
    monkeypatch.setattr(health.facets, "facet_index", lambda: calls.append("index"))
    monkeypatch.setattr(health, "load_vocabulary", lambda: calls.append("vocabulary"))
    monkeypatch.setattr(health.connections, "close_all", lambda: calls.append("closed"))
    health.load_facets()
    assert calls == ["index", "vocabulary", "closed"]


def test_warm_up_reads_the_migration_plan_and_loads_the_index(monkeypatch):
    calls = []
    monkeypatch.setattr(health.facets, "facet_index", lambda: calls.append("index"))
    monkeypatch.setattr(health, "load_vocabulary", lambda: calls.append("vocabulary"))
    monkeypatch.setattr(health.connections, "close_all", lambda: calls.append("closed"))
    health.warm_up()
    assert health._migrations_applied is True
    assert calls == ["index", "vocabulary", "closed"]


def test_warm_up_loads_the_index_and_the_words_of_the_text_index(monkeypatch):
    monkeypatch.setattr(health.connections, "close_all", lambda: None)  # the test's own connection stays
    make_sheet("Atelier de vélo solidaire")
    health.warm_up()
    assert facets.loaded()
    # Nothing left for the first search to read: the vocabulary is held, at the index's change.
    assert [held.change for held in vocabulary._current.values()] == [facets.facet_index().change]
    assert "velo" in vocabulary.indexed_terms(get_backend())


def test_the_views_are_imported_before_the_first_request():
    """In a new process, as in gunicorn's master: `load_code` imports what the first request would (≈ 1 s)."""
    script = (
        "import django, sys\ndjango.setup()\nfrom maillage import health\n"
        "before = 'maillage.api.actions' in sys.modules\nhealth.load_code()\n"
        "from django.urls import get_resolver\n"
        "print(before, 'maillage.api.actions' in sys.modules, 'maillage.www.views' in sys.modules,\n"
        "      'fr' in get_resolver()._reverse_dict)"  # filled for the language LocaleMiddleware activates
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "True", "True", "True"], result.stderr


def test_a_database_down_at_start_does_not_stop_the_server(monkeypatch, caplog):
    def down():
        raise OperationalError("database down")

    closed = []
    monkeypatch.setattr(health.facets, "facet_index", down)
    monkeypatch.setattr(health.connections, "close_all", lambda: closed.append(True))
    with caplog.at_level(logging.WARNING, logger="maillage.health"):
        health.warm_up()
    assert "Index des facettes non chargé" in caplog.text
    assert closed == [True]


def test_loading_runs_in_the_background_once_at_a_time(monkeypatch):
    monkeypatch.undo()  # the real start_loading_facets
    started = []

    class FakeThread:
        def __init__(self, target, name, daemon):
            assert (target, daemon) == (health.load_facets, True)

        def start(self):
            started.append(True)

    monkeypatch.setattr(health.threading, "Thread", FakeThread)
    health.start_loading_facets()
    assert started == [True]
    with health._facets_loading:  # a load under way
        health.start_loading_facets()
    assert started == [True]
