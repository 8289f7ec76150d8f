"""Members of a structure: listed to those who manage them, assigned by correspondents and national admins."""

import pytest
from django.urls import reverse

from maillage.accounts.models import Membership, User
from maillage.audit.models import AuditAction, AuditEvent

from .conftest import ROLES

MANAGERS = {"admin_a", "correspondent", "national_admin"}
ASSIGNERS = {"correspondent", "national_admin"}


def members_url(structure) -> str:
    return reverse("structure_admin:structure-members", args=[structure.pk])


@pytest.mark.parametrize("role", ROLES)
def test_member_list_by_role(world, role):
    response = world.client(role).get(members_url(world.structure_a))
    html = response.content.decode()
    if role == "anonymous":
        assert response.status_code == 302 and "next=" in response["Location"]
    elif role in MANAGERS:
        assert response.status_code == 200
        assert "member_a@maillage.test" in html and "Alice Membre" in html
        assert ("Rattacher un compte existant" in html) == (role in ASSIGNERS)
    else:
        assert response.status_code == 403
    if role not in MANAGERS:
        assert "member_a@maillage.test" not in html and "Alice Membre" not in html


def test_member_names_not_on_public_page(world):
    html = world.client("anonymous").get(world.structure_a.get_absolute_url()).content.decode()
    assert "member_a@maillage.test" not in html and "Alice Membre" not in html


@pytest.mark.parametrize("role", ROLES)
def test_assign_by_role(world, role):
    newcomer = User.objects.create_user("nouvelle@maillage.test", password="Un mot de passe solide 42")
    data = {"action": "assign", "email": "Nouvelle@Maillage.test", "role": "admin"}
    response = world.client(role).post(members_url(world.structure_a), data)
    membership = Membership.objects.filter(user=newcomer, structure=world.structure_a).first()
    if role in ASSIGNERS:
        assert response.status_code == 302
        assert membership is not None and membership.is_admin
        event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
        assert event.actor == world.users[role]
        assert event.details["member"] == "nouvelle@maillage.test" and event.details["role"] == "administrateur"
    else:
        assert response.status_code in (302, 403)
        assert membership is None
        assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED).exists()


def test_assign_unknown_email_explains(world):
    response = world.client("correspondent").post(
        members_url(world.structure_a), {"action": "assign", "email": "inconnu@maillage.test", "role": "member"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Aucun compte actif n&#x27;utilise l&#x27;adresse inconnu@maillage.test" in html
    assert 'aria-describedby="id_email-error' in html


def test_assign_bad_input_explains(world):
    response = world.client("correspondent").post(
        members_url(world.structure_a), {"action": "assign", "email": "pas-une-adresse", "role": "chef"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saisissez une adresse e-mail valide" in html
    assert "Choisissez un rôle de la liste." in html


def test_change_role_of_existing_member(world):
    world.client("national_admin").post(
        members_url(world.structure_a), {"action": "assign", "email": "member_a@maillage.test", "role": "admin"}
    )
    assert Membership.objects.get(user=world.users["member_a"], structure=world.structure_a).is_admin


@pytest.mark.parametrize("role", ROLES)
def test_remove_by_role(world, role):
    membership = Membership.objects.get(user=world.users["member_a"])
    response = world.client(role).post(
        members_url(world.structure_a), {"action": "remove", "membership": membership.pk}
    )
    removed = not Membership.objects.filter(pk=membership.pk).exists()
    if role in MANAGERS:
        assert response.status_code == 302 and removed
        event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
        assert event.details == {"member": "member_a@maillage.test", "change": "retrait"}
    else:
        assert response.status_code in (302, 403) and not removed


def test_cannot_remove_member_of_another_structure_by_guessing_id(world):
    other = Membership.objects.get(user=world.users["member_b"])
    response = world.client("admin_a").post(
        members_url(world.structure_a), {"action": "remove", "membership": other.pk}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_members_csrf_enforced(world):
    membership = Membership.objects.get(user=world.users["member_a"])
    client = world.client("national_admin", enforce_csrf_checks=True)
    response = client.post(members_url(world.structure_a), {"action": "remove", "membership": membership.pk})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_cannot_remove_oneself(world):
    membership = Membership.objects.get(user=world.users["admin_a"])
    response = world.client("admin_a").post(
        members_url(world.structure_a), {"action": "remove", "membership": membership.pk}, follow=True
    )
    assert "Vous ne pouvez pas vous retirer vous-même" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
