"""`make run PORT=…` and the address of links: exports and the API description follow the request's address
when `SITE_URL` is not configured; the worker's e-mails follow the `SITE_URL` that `make run` sets from PORT."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from maillage.structures.models import Structure

ROOT = Path(settings.BASE_DIR)
FAKE_MAILLAGE = """#!/usr/bin/env bash
echo "$1 ${2:-} SITE_URL=$SITE_URL" >> "$(dirname "$0")/calls"
"""


@pytest.fixture
def fake_venv(tmp_path):
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "maillage"
    script.write_text(FAKE_MAILLAGE)
    script.chmod(0o755)
    return tmp_path


def run_dev(fake_venv, **env):
    environment = {key: value for key, value in os.environ.items() if key not in ("PORT", "SITE_URL")}
    environment.update(VENV=str(fake_venv), **env)
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / "run-dev.sh")], env=environment, capture_output=True, text=True, timeout=30
    )


def calls(fake_venv) -> list[str]:
    return sorted((fake_venv / "bin" / "calls").read_text().splitlines())


def test_run_serves_on_port_and_sets_site_url_for_the_workers(fake_venv):
    result = run_dev(fake_venv, PORT="8123")
    assert result.returncode == 0, result.stderr
    assert calls(fake_venv) == [
        "runserver 127.0.0.1:8123 SITE_URL=http://127.0.0.1:8123",
        "worker  SITE_URL=http://127.0.0.1:8123",
        "worker --queue SITE_URL=http://127.0.0.1:8123",
    ]


def test_run_defaults_to_8000_and_keeps_a_configured_site_url(fake_venv):
    assert run_dev(fake_venv).returncode == 0
    assert calls(fake_venv)[0] == "runserver 127.0.0.1:8000 SITE_URL=http://127.0.0.1:8000"
    (fake_venv / "bin" / "calls").unlink()
    assert run_dev(fake_venv, PORT="8001", SITE_URL="https://maillage.example.org").returncode == 0
    assert calls(fake_venv)[0] == "runserver 127.0.0.1:8001 SITE_URL=https://maillage.example.org"


def test_a_bad_port_is_refused_in_french(fake_venv):
    result = run_dev(fake_venv, PORT="80a")
    assert result.returncode == 2
    assert "PORT doit être un numéro de port" in result.stderr
    assert not (fake_venv / "bin" / "calls").exists()


def test_make_run_passes_port():
    result = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert "PORT=8123 bash deploy/run-dev.sh" in result.stdout


@pytest.mark.django_db
def test_links_follow_the_request_when_site_url_is_not_configured(client, settings):
    settings.SITE_URL_CONFIGURED = False
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    structure = Structure.objects.create(name="Centre social des Lilas")
    response = client.get("/structures/export.json", HTTP_HOST="127.0.0.1:8123")
    data = json.loads(b"".join(response.streaming_content))
    assert data[0]["url"] == f"http://127.0.0.1:8123/structures/{structure.pk}/"
    document = client.get("/api/v1/openapi.json", HTTP_HOST="127.0.0.1:8123").json()
    assert document["servers"] == [{"url": "http://127.0.0.1:8123/api/v1"}]


@pytest.mark.django_db
def test_links_use_site_url_when_configured(client, settings):
    settings.SITE_URL_CONFIGURED = True
    settings.SITE_URL = "https://maillage.example.org"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    structure = Structure.objects.create(name="Centre social des Lilas")
    response = client.get("/structures/export.json", HTTP_HOST="127.0.0.1:8123")
    data = json.loads(b"".join(response.streaming_content))
    assert data[0]["url"] == f"https://maillage.example.org/structures/{structure.pk}/"
    document = client.get("/api/v1/openapi.json", HTTP_HOST="127.0.0.1:8123").json()
    assert document["servers"] == [{"url": "https://maillage.example.org/api/v1"}]
