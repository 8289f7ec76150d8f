import json

import pytest
from django.core import mail
from django.test import Client

from maillage.accounts.models import Membership, User
from maillage.audit.models import AuditAction, AuditEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_privacy_page_is_public_and_lists_durations(world):
    response = Client().get("/confidentialite/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("1 an", "7 jours", "Jusqu'au désabonnement", "Tant que le compte est actif"):
        assert text in html


@pytest.mark.parametrize("role", ["member_a", "admin_a", "member_b", "correspondent_13", "national_admin"])
def test_account_page_by_role(world, role):
    response = world.client(role).get("/espace/compte/")
    assert response.status_code == 200
    assert world.users[role].email in response.content.decode()


def test_account_page_shows_roles_and_updates_name(world):
    client = world.client("admin_a")
    html = client.get("/espace/compte/").content.decode()
    assert "Administrateur du Centre social A" in html
    assert f"/espace/equipe/{world.structure_a.pk}/" in html
    assert client.post("/espace/compte/", {"full_name": "<script>alert(1)</script>"}).status_code == 302
    html = client.get("/espace/compte/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_data_download_contains_my_data_and_is_logged(world):
    client = world.client("admin_a")
    assert client.get("/espace/compte/mes-donnees/").status_code == 405
    response = client.post("/espace/compte/mes-donnees/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mes-donnees-maillage.json"'
    data = json.loads(response.content)
    assert data["compte"]["email"] == "admin.a@exemple.fr" and data["compte"]["nom"] == "Admin A"
    assert data["structures"] == [
        {
            "structure_id": world.structure_a.pk,
            "structure": "Centre social A",
            "administrateur": True,
            "depuis": data["structures"][0]["depuis"],
        }
    ]
    assert data["mandats_de_correspondant"] == []
    assert "membre.a@exemple.fr" not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_PERSONAL_DATA, actor=world.users["admin_a"]).exists()


def test_correspondent_data_lists_scopes(world):
    data = json.loads(world.client("correspondent_13").post("/espace/compte/mes-donnees/").content)
    assert data["mandats_de_correspondant"][0]["departement"] == "13"
    assert data["compte"]["double_authentification"] is True


def test_delete_account_needs_password(world):
    client = world.client("member_a")
    response = client.post("/espace/compte/supprimer/", {"password": "pas le bon"})
    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.content.decode()
    assert User.objects.filter(email="membre.a@exemple.fr").exists()


def test_delete_account_removes_memberships_and_keeps_audit_email(world):
    user = world.users["member_a"]
    client = world.client("member_a")
    response = client.post("/espace/compte/supprimer/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Membership.objects.filter(user_id=user.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_DELETED)
    assert event.actor is None and event.actor_email == "membre.a@exemple.fr"
    assert "_auth_user_id" not in client.session


def test_delete_page_requires_login(world):
    assert Client().post("/espace/compte/supprimer/", {"password": PASSWORD}).status_code == 302


def test_password_reset_sends_french_mail_and_changes_password(world):
    client = Client()
    response = client.post("/mot-de-passe/oublie/", {"email": "membre.a@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["membre.a@exemple.fr"] and "nouveau mot de passe" in message.subject
    path = next(line for line in message.body.splitlines() if "/mot-de-passe/nouveau/" in line).split("testserver")[1]
    page = client.get(path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    new = "Un autre mot de passe robuste 7"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert User.objects.get(email="membre.a@exemple.fr").check_password(new)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET).exists()


def test_password_reset_for_unknown_email_sends_nothing_but_says_the_same(world):
    response = Client().post("/mot-de-passe/oublie/", {"email": "personne@exemple.fr"})
    assert response.status_code == 302
    assert not mail.outbox
