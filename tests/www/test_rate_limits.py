"""Exports (lists of actions, observatory files) are limited per client address: a French page with 429."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from maillage.accounts import client as client_module
from tests.authz.conftest import world  # noqa: F401
from tests.logins import log_in

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"
EXPORTS = ["/actions/export.csv", "/actions/export.json", "/observatoire/export.xlsx", "/observatoire/plaquette.pdf"]


@pytest.fixture(autouse=True)
def limited(settings, monkeypatch):
    """Two exports a minute, counted in one frozen minute (the requests of a test never straddle two)."""
    settings.EXPORT_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    monkeypatch.setattr(client_module, "time", SimpleNamespace(time=lambda: 1_700_000_010.0))
    yield
    cache.clear()


def test_exports_are_limited_per_address(client):
    assert [client.get(path).status_code != 429 for path in EXPORTS[:2]] == [True, True]
    for path in EXPORTS:  # one counter for every export
        response = client.get(path)
        assert response.status_code == 429, path
        assert response["Retry-After"] == "30"
        html = response.content.decode()
        assert "Trop de demandes depuis votre adresse" in html
        assert "au plus 2 par minute" in html and "Réessayez dans 30 secondes" in html
    assert client.get(EXPORTS[0], REMOTE_ADDR="198.51.100.2").status_code == 200


def test_pages_that_are_not_exports_are_not_counted(client):
    for _ in range(3):
        assert client.get("/actions/").status_code == 200
    assert client.get(EXPORTS[0]).status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, settings):
    settings.TRUSTED_PROXIES = []
    statuses = [client.get(EXPORTS[0], HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    first = [client.get(EXPORTS[0], REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code for _ in "abc"]
    assert first == [200, 200, 429]
    assert client.get(EXPORTS[0], REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200


def test_correspondents_answers_export_is_limited_too(client, world):  # noqa: F811
    log_in(client, world.users["correspondent"])
    for _ in range(2):
        client.get("/actions/export.csv")
    response = client.get("/moderation/observatoire/export.csv")
    assert response.status_code == 429
