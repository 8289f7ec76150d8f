"""The rate limits counted on the database cache (the default): one atomic statement per request
(`maillage/ops/counters.py`), so that processes counting the same address at once let exactly the limit through.
Django's `DatabaseCache.incr` reads then writes: two processes could both read 4 and write 5.

Real processes with the default (production) cache, on a SQLite file and on the PostgreSQL test database."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import RequestFactory

from config.settings.base import cache_config
from maillage.accounts import client
from maillage.ops import counters
from maillage.ops.models import RateCounter

ROOT = Path(__file__).resolve().parents[2]
MIGRATE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "ops", verbosity=0)
"""
COUNT = """
import json, sys, django
django.setup()
from django.test import RequestFactory
from maillage.accounts.client import throttle
request = RequestFactory().get("/api/actions/", REMOTE_ADDR=sys.argv[3])
throttle(request, "warm-up", 1000)  # connected, tables known: the processes then count side by side
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps([throttle(request, "api", int(sys.argv[1])) for _ in range(int(sys.argv[2]))]))
"""
READ = """
import sys, django
django.setup()
from maillage.ops.models import RateCounter
print(RateCounter.objects.get(key__startswith=f"rate:api:{sys.argv[1]}:").count)
"""
PROCESSES, HITS, LIMIT = 3, 80, 100


def database_url(tmp_path: Path) -> str:
    """The test database for PostgreSQL (its tables made by the migrations); a migrated SQLite file otherwise (the
    tests' SQLite database lives in this process's memory)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        return f"postgres://{user}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    url = f"sqlite:///{tmp_path / 'counters.sqlite3'}"
    subprocess.run([sys.executable, "-c", MIGRATE], cwd=ROOT, env=environment(url), check=True, timeout=120)
    return url


def environment(url: str) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in {"REDIS_URL", "SENTRY_DSN"}}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="false", PYTHONPATH=str(ROOT))
    return env


@pytest.mark.django_db  # the PostgreSQL test database made; the processes commit their own counts
def test_processes_counting_one_address_at_once_let_exactly_the_limit_through(tmp_path):
    env = environment(database_url(tmp_path))
    address = f"198.51.100.{os.getpid() % 250 + 1}"  # a counter of this run only
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", COUNT, str(LIMIT), str(HITS), address],
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        for _ in range(PROCESSES)
    ]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        if time.time() % 60 > 54:  # one counter per minute: count within one
            time.sleep(60.5 - time.time() % 60)
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        answers = [json.loads(process.communicate(timeout=120)[0]) for process in processes]
    finally:
        for process in processes:
            process.kill()
    allowed = sum(answer.count(0) for answer in answers)
    assert allowed == LIMIT
    counted = subprocess.run([sys.executable, "-c", READ, address], cwd=ROOT, env=env, check=True, capture_output=True,
                             text=True, timeout=60).stdout  # fmt: skip
    assert int(counted) == PROCESSES * HITS


@pytest.mark.django_db
def test_a_counter_past_its_time_starts_again():
    assert [counters.hit_table("k", 60) for _ in range(3)] == [1, 2, 3]
    RateCounter.objects.filter(key="k").update(expires=int(time.time()) - 1)
    assert counters.hit_table("k", 60) == 1


@pytest.mark.django_db
def test_a_new_counter_forgets_those_of_past_windows():
    RateCounter.objects.create(key="rate:api:192.0.2.1:1", count=7, expires=int(time.time()) - 5)
    assert counters.hit_table("rate:api:192.0.2.1:2", 60) == 1
    assert not RateCounter.objects.filter(key="rate:api:192.0.2.1:1").exists()
    assert RateCounter.objects.filter(key="rate:api:192.0.2.1:2").exists()


@pytest.mark.django_db
def test_throttle_counts_in_the_table_on_the_database_cache(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = cache_config()
    monkeypatch.setattr(client, "cache", DatabaseCache(config["LOCATION"], config))
    request = RequestFactory().get("/api/actions/", REMOTE_ADDR="192.0.2.10")
    assert [client.throttle(request, "export", 2) > 0 for _ in range(3)] == [False, False, True]
    assert RateCounter.objects.get(key__startswith="rate:export:192.0.2.10:").count == 3
