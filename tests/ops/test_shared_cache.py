"""The shared cache: a table of the database by default (made by the migrations), Redis when `REDIS_URL` is set.

The tests of the rest of the suite count in their own process's memory (config.settings.test); here the real
backends are used: the table that `migrate` made in the test database, and (tests/ops/test_nodes.py) servers
started with the production settings.
"""

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.test import RequestFactory

from config.settings.base import cache_config
from maillage.accounts import client
from maillage.ops.models import CACHE_TABLE


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
