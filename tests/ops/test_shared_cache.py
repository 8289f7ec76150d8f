"""The shared cache: a table of the database by default (made by the migrations), Redis when `REDIS_URL` is set.

The tests of the rest of the suite count in their own process's memory (config.settings.test); here the real
backends are used: the table that `migrate` made in the test database, a real redis-server, and
(tests/ops/test_nodes.py) servers started with the production settings.
"""

import socket
import subprocess
import time

import pytest
import redis
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from config.settings.base import cache_config
from maillage.accounts import client
from maillage.ops.models import CACHE_TABLE
from tests.ops.nodes import free_port


def test_without_redis_url_the_cache_is_the_table_made_by_the_migrations(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = cache_config()
    assert config["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["LOCATION"] == CACHE_TABLE


def test_redis_url_chooses_djangos_redis_cache(monkeypatch):
    monkeypatch.setenv("REDIS_URL", " redis://127.0.0.1:6379/2 ")
    config = cache_config()
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/2"


@pytest.mark.django_db
def test_the_migrated_table_holds_the_rate_counters(monkeypatch):
    """The test database was made by the migrations only (the test settings' cache is in memory, so Django made
    no cache table of its own): two cache objects over the table, as two workers would have, share a count."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = cache_config()
    first, second = (DatabaseCache(config["LOCATION"], config) for _ in range(2))
    request = RequestFactory().get("/api/actions/", REMOTE_ADDR="192.0.2.7")
    monkeypatch.setattr(client, "cache", first)
    assert [client.throttle(request, "api", 2) for _ in range(2)] == [0, 0]
    monkeypatch.setattr(client, "cache", second)
    assert client.throttle(request, "api", 2) > 0


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server on a free loopback port, nothing kept on disk (Debian's redis-server: make test
    installs it, deploy/debian-packages.sh)."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "redis-server n'a pas démarré"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_with_redis_url_two_processes_count_the_same_limit_in_redis(monkeypatch, redis_url):
    """Two RedisCache objects, each with its own connections, as two workers or two nodes have."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    config = cache_config()
    first, second = (RedisCache(config["LOCATION"], config) for _ in range(2))
    request = RequestFactory().get("/api/actions/", REMOTE_ADDR="192.0.2.8")
    if time.time() % 60 > 55:  # one counter per minute: start in a fresh one
        time.sleep(60 - time.time() % 60)
    minute = int(time.time() // 60)
    monkeypatch.setattr(client, "cache", first)
    assert [client.throttle(request, "api", 3) for _ in range(2)] == [0, 0]
    monkeypatch.setattr(client, "cache", second)
    assert client.throttle(request, "api", 3) == 0
    assert client.throttle(request, "api", 3) > 0
    # The counter is in the server under the site's prefix, not in either process.
    assert redis.Redis.from_url(redis_url).keys() == [f"maillage:1:rate:api:192.0.2.8:{minute}".encode()]
