"""The API's per-address limit takes the client's address from trusted proxies only (`accounts.client`)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from maillage.accounts import client as client_module

pytestmark = pytest.mark.django_db
URL = "/api/v1/openapi.json"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def limited(settings, monkeypatch):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    monkeypatch.setattr(client_module, "time", SimpleNamespace(time=lambda: 1_700_000_010.0))
    yield
    cache.clear()


def statuses(client, forwarded_for: list[str], **extra) -> list[int]:
    return [client.get(URL, HTTP_X_FORWARDED_FOR=value, **extra).status_code for value in forwarded_for]


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, settings):
    settings.TRUSTED_PROXIES = []
    assert statuses(client, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert statuses(client, ["203.0.113.1"] * 3, REMOTE_ADDR=PROXY) == [200, 200, 429]
    assert statuses(client, ["203.0.113.2"], REMOTE_ADDR=PROXY) == [200]
