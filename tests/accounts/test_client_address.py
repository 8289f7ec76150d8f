"""The client's address (X-Forwarded-For believed only from trusted proxies) and the per-address limits."""

import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client, RequestFactory

from maillage.accounts import client as client_module
from maillage.accounts.client import client_address
from maillage.audit.models import AuditAction, AuditEvent

from .conftest import PASSWORD

PROXY = "10.0.0.1"


@pytest.fixture
def frozen_minute(monkeypatch):
    """Counters of one minute: the requests of a test never straddle two windows."""
    cache.clear()
    monkeypatch.setattr(client_module, "time", SimpleNamespace(time=lambda: 1_700_000_010.0))
    yield
    cache.clear()


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_forwarded_for_is_ignored_from_an_untrusted_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        # The client may send a header of its own: the proxy appends what it saw, at the right.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # Proxies of the trusted network are skipped.
        ("203.0.113.9, 10.0.0.8", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::5]:443", "2001:db8::5"),
        ("2001:db8::5", "2001:db8::5"),
        ("n'importe quoi, 203.0.113.9", "203.0.113.9"),
        # Nothing left of something no trusted proxy wrote is believed: the last trusted hop is the client.
        ("203.0.113.9, n'importe quoi", PROXY),
        ("", PROXY),
        ("10.0.0.9", "10.0.0.9"),
    ],
)
def test_forwarded_for_is_read_from_the_right_behind_trusted_proxies(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from(PROXY, forwarded)) == expected


def test_no_header_behind_a_trusted_proxy_gives_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request_from(PROXY)) == PROXY


def test_a_wrong_trusted_proxies_setting_stops_the_start_with_a_french_message():
    env = {"PATH": "/usr/bin:/bin", "TRUSTED_PROXIES": "10.0.0.1, pas-une-adresse"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES : « pas-une-adresse » n'est ni une adresse IP ni un réseau" in result.stderr


def login(client, email, password, **extra):
    return client.post("/connexion/", {"username": email, "password": password}, **extra)


def test_audit_log_keeps_the_client_address(world, settings):
    settings.TRUSTED_PROXIES = []
    login(Client(), "membre.a@exemple.fr", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.TRUSTED_PROXIES = [PROXY]
    login(Client(), "admin.a@exemple.fr", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    addresses = dict(AuditEvent.objects.filter(action=AuditAction.LOGIN).values_list("actor_email", "ip_address"))
    assert addresses == {"membre.a@exemple.fr": PROXY, "admin.a@exemple.fr": "203.0.113.9"}


def test_lockout_counts_per_client_address(world, settings):
    """Without a trusted proxy, a forged header does not escape the lockout; behind one, each client has its own."""
    settings.TRUSTED_PROXIES = []
    for number in range(5):
        login(Client(), "membre.a@exemple.fr", "faux", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert login(Client(), "membre.a@exemple.fr", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429

    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(5):
        login(Client(), "admin.a@exemple.fr", "faux", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    blocked = login(Client(), "admin.a@exemple.fr", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert blocked.status_code == 429
    other = login(Client(), "admin.a@exemple.fr", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code == 302


def test_login_attempts_are_limited_per_address(world, settings, frozen_minute):
    """Whatever the e-mail typed: guessing many accounts' passwords from one address is slowed down too."""
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 3
    settings.TRUSTED_PROXIES = []
    statuses = [
        login(Client(), email, "faux", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}").status_code
        for number, email in enumerate(["a@exemple.fr", "b@exemple.fr", "c@exemple.fr", "d@exemple.fr"])
    ]
    assert statuses == [200, 200, 200, 429]
    limited = login(Client(), "membre.a@exemple.fr", PASSWORD)
    assert limited.status_code == 429
    assert "Trop de demandes depuis votre adresse" in limited.content.decode()
    assert "Tentatives de connexion : au plus 3 par minute" in limited.content.decode()
    assert 0 < int(limited["Retry-After"]) <= 60
    assert Client().get("/connexion/").status_code == 200  # showing the form is no attempt
    assert Client().post("/admin/login/", {"username": "x@exemple.fr", "password": "faux"}).status_code == 429
    assert login(Client(), "membre.a@exemple.fr", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_login_limit_follows_the_address_given_by_a_trusted_proxy(world, settings, frozen_minute):
    settings.LOGIN_RATE_LIMIT_PER_MINUTE = 2
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(2):
        login(Client(), "x@exemple.fr", "faux", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert (
        login(Client(), "y@exemple.fr", "faux", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code
        == 429
    )
    other = login(Client(), "membre.a@exemple.fr", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code == 302
