"""Production settings: HTTPS by default (`HTTPS=false` for a loopback trial), WhiteNoise, optional Sentry."""

import importlib
import logging
import re
import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured

import config.settings.base
from config.sentry import init_sentry

SECRET = "s" * 64


@pytest.fixture
def prod_settings(monkeypatch):
    """Import config.settings.prod afresh under the environment given."""

    def load(**environ):
        monkeypatch.setenv("SECRET_KEY", SECRET)
        monkeypatch.setenv("ALLOWED_HOSTS", "maillage.example.org")
        for name in ("HTTPS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SENTRY_DSN"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        # base reads the environment too (SECRET_KEY): both are imported again, then put back.
        for module in ("config.settings.base", "config.settings.prod"):
            monkeypatch.delitem(sys.modules, module, raising=False)
        return importlib.import_module("config.settings.prod")

    monkeypatch.setattr(config.settings, "base", config.settings.base)
    yield load
    sys.modules.pop("config.settings.prod", None)


def test_https_by_default(prod_settings):
    prod = prod_settings()
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.SECURE_HSTS_SECONDS == 31536000


def test_https_false_for_a_trial_over_plain_http(prod_settings):
    prod = prod_settings(HTTPS="false")
    assert prod.SECURE_SSL_REDIRECT is False
    assert prod.SESSION_COOKIE_SECURE is False
    assert prod.CSRF_COOKIE_SECURE is False
    assert prod.SECURE_HSTS_SECONDS == 0


def test_probes_are_not_redirected_to_https(prod_settings):
    prod = prod_settings()
    assert any(re.search(pattern, "sante/pret") for pattern in prod.SECURE_REDIRECT_EXEMPT)
    assert not any(re.search(pattern, "actions/") for pattern in prod.SECURE_REDIRECT_EXEMPT)


def test_whitenoise_serves_hashed_compressed_static_files(prod_settings):
    prod = prod_settings()
    security = prod.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert prod.MIDDLEWARE[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert prod.STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # The shared list is not changed for the other settings.
    from config.settings import base

    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in base.MIDDLEWARE


def test_refuses_to_start_without_a_secret_key(prod_settings, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY doit être défini"):
        prod_settings(SECRET_KEY="")


def test_sentry_is_started_from_sentry_dsn(prod_settings, monkeypatch):
    calls = fake_sentry(monkeypatch)
    prod_settings(SENTRY_DSN="https://key@sentry.example.org/1")
    assert calls[0]["dsn"] == "https://key@sentry.example.org/1"


def fake_sentry(monkeypatch) -> list[dict]:
    calls = []
    sdk = types.ModuleType("sentry_sdk")
    sdk.init = lambda **options: calls.append(options)
    integrations = types.ModuleType("sentry_sdk.integrations")
    django_integration = types.ModuleType("sentry_sdk.integrations.django")
    django_integration.DjangoIntegration = lambda: "django"
    monkeypatch.setitem(sys.modules, "sentry_sdk", sdk)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations", integrations)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations.django", django_integration)
    return calls


def test_sentry_sends_no_personal_data(monkeypatch):
    calls = fake_sentry(monkeypatch)
    assert init_sentry("https://key@sentry.example.org/1") is True
    [options] = calls
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert options["include_local_variables"] is False
    assert options["integrations"] == ["django"]


def test_no_sentry_without_a_dsn(monkeypatch):
    calls = fake_sentry(monkeypatch)
    assert init_sentry("") is False
    assert calls == []


def test_a_dsn_without_sentry_sdk_installed_is_a_warning(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)
    with caplog.at_level(logging.WARNING, logger="config.sentry"):
        assert init_sentry("https://key@sentry.example.org/1") is False
    assert "sentry-sdk n'est pas installé" in caplog.text
