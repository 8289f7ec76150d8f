"""A database lock wait that runs out (SQLite, during a long write) gives a 503 in French asking to retry, never a
500; JSON under `/api/`. Other errors keep the 500 page."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from maillage.accounts.models import User
from maillage.structures.models import Structure

pytestmark = pytest.mark.django_db

LOCKED = OperationalError("database is locked")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def raise_locked(*args, **kwargs):
    raise LOCKED


def test_a_locked_database_in_a_view_is_a_french_503_asking_to_retry(client, monkeypatch):
    monkeypatch.setattr("maillage.www.alerts.request_subscription", raise_locked)
    response = client.post("/alertes/", {"email": "abonne@maillage.test", "query": "q=jardin"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    content = response.content.decode()
    assert '<html lang="fr">' in content and "<h1>Site momentanément occupé</h1>" in content
    assert "Réessayez dans une trentaine de secondes" in content


def test_a_lock_met_by_a_middleware_at_login_is_a_503(client, monkeypatch):
    User.objects.create_user("membre@maillage.test", password="un mot de passe assez long")
    monkeypatch.setattr(SessionStore, "save", raise_locked)
    response = client.post(
        "/connexion/", {"username": "membre@maillage.test", "password": "un mot de passe assez long"}
    )
    assert response.status_code == 503
    assert "Site momentanément occupé" in response.content.decode()


def test_the_api_answers_a_locked_database_in_json(client, monkeypatch):
    monkeypatch.setattr(Structure.objects, "select_related", raise_locked)
    response = client.get("/api/v1/structures/1")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["parameter"] == "database"
    assert "réessayez" in response.json()["error"]["message"]


def test_another_database_error_is_still_a_500(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: alerts_subscription")

    monkeypatch.setattr("maillage.www.alerts.request_subscription", broken)
    response = client.post("/alertes/", {"email": "abonne@maillage.test", "query": "q=jardin"})
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()
