import pytest
from django.test import Client

from maillage.audit.models import AuditAction, AuditEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post("/connexion/", {"username": email, "password": password, "remember_me": "on"}, **extra)


def test_login_page_is_french_and_labelled(world):
    response = Client().get("/connexion/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="form-label fw-bold" for="id_username">Adresse e-mail' in html
    assert "Mot de passe oublié" in html


def test_login_by_email_is_case_insensitive_and_logged(world):
    client = Client()
    response = login(client, "  Membre.A@Exemple.fr ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/espace/a-faire/"  # « À faire », made for the role
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == world.users["member_a"]
    assert event.ip_address == "127.0.0.1"


def test_wrong_password_gives_french_error_and_audit(world):
    response = login(Client(), "membre.a@exemple.fr", "mauvais mot de passe")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.details == {"email": "membre.a@exemple.fr"}
    assert event.actor is None
    assert "mauvais" not in str(event.details)


def test_lockout_after_five_failures_for_email_and_address(world):
    client = Client()
    for _ in range(4):
        assert login(client, "membre.a@exemple.fr", "faux").status_code == 200
    response = login(client, "membre.a@exemple.fr", "faux")
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "30 minutes" in response.content.decode()
    # Even the right password is refused from this address now…
    response = login(client, "MEMBRE.A@exemple.fr", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # …but the same person from another address, and another person from this one, still log in.
    assert login(Client(), "membre.a@exemple.fr", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302
    assert login(Client(), "admin.a@exemple.fr", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 5


def test_success_resets_the_failure_counter(world):
    client = Client()
    for _ in range(4):
        login(client, "membre.a@exemple.fr", "faux")
    assert login(client, "membre.a@exemple.fr", PASSWORD).status_code == 302
    client.post("/deconnexion/")
    for _ in range(4):
        assert login(client, "membre.a@exemple.fr", "faux").status_code == 200


def test_login_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = login(client, "membre.a@exemple.fr", PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_session_ends_with_browser_unless_remember_me(world):
    client = Client()
    client.post("/connexion/", {"username": "membre.a@exemple.fr", "password": PASSWORD})
    assert client.session.get_expire_at_browser_close()
    client = Client()
    login(client, "membre.a@exemple.fr", PASSWORD)
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 14 * 24 * 3600


def test_logout_is_post_only_and_logged(world):
    client = world.client("member_a")
    assert client.get("/deconnexion/").status_code == 405
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=world.users["member_a"]).exists()


def test_next_parameter_cannot_leave_the_site(world):
    client = Client()
    response = client.post(
        "/connexion/?next=https://evil.example/", {"username": "membre.a@exemple.fr", "password": PASSWORD}
    )
    assert response["Location"] == "/espace/a-faire/"


def test_space_requires_login(world):
    response = Client().get("/espace/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")
