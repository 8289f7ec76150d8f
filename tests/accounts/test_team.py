"""The team page of a structure: its members, their removal, pending invitations, the invitation form and,
for the department's correspondents and national administrators, attaching an existing account."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maillage.accounts import services
from maillage.accounts.models import Invitation, Membership
from maillage.audit.models import AuditAction, AuditEvent

from .conftest import ROLES, make_user

pytestmark = pytest.mark.django_db

MANAGERS = {"admin_a", "correspondent_13", "national_admin"}
ASSIGNERS = {"correspondent_13", "national_admin"}


def team_url(world) -> str:
    return f"/espace/equipe/{world.structure_a.pk}/"


def remove_url(world, membership) -> str:
    return f"/espace/equipe/{world.structure_a.pk}/membres/{membership.pk}/retirer/"


def assign(world, role="correspondent_13", email="nouvelle@exemple.fr", member_role="admin", client=None):
    data = {"action": "assign", "assign-email": email, "assign-role": member_role}
    return (client or world.client(role)).post(team_url(world), data)


def role_events():
    return AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED)


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_team_page_by_role(world, role):
    response = world.client(role).get(team_url(world))
    html = response.content.decode()
    if role == "anonymous":
        assert response.status_code == 302 and "next=" in response["Location"]
    elif role in MANAGERS:
        assert response.status_code == 200
        assert "membre.a@exemple.fr" in html and "Membre A" in html
        assert "Envoyer l'invitation" in html
        assert ("Rattacher un compte existant" in html) == (role in ASSIGNERS)
    else:
        assert response.status_code == 403
    if role not in MANAGERS:
        assert "membre.a@exemple.fr" not in html and "Membre A" not in html


def test_member_names_not_on_public_page(world):
    html = Client().get(world.structure_a.get_absolute_url()).content.decode()
    assert "membre.a@exemple.fr" not in html and "Membre A" not in html


def test_pending_invitation_listed_with_cancel_button(world):
    invitation = services.invite_to_structure(
        inviter=world.users["admin_a"], structure=world.structure_a, email="nouvelle@exemple.fr", is_admin=False
    )
    html = world.client("correspondent_13").get(team_url(world)).content.decode()
    assert "nouvelle@exemple.fr" in html
    assert f"/espace/invitations/{invitation.pk}/annuler/" in html


def test_no_remove_button_for_oneself(world):
    own = Membership.objects.get(user=world.users["admin_a"])
    other = Membership.objects.get(user=world.users["member_a"])
    html = world.client("admin_a").get(team_url(world)).content.decode()
    assert remove_url(world, other) in html and remove_url(world, own) not in html


def test_team_page_queries_do_not_grow_with_members(world, django_assert_num_queries):
    client = world.client("admin_a")
    with CaptureQueriesContext(connection) as few:
        client.get(team_url(world))
    for number in range(5):
        Membership.objects.create(user=make_user(f"personne{number}@exemple.fr"), structure=world.structure_a)
    with django_assert_num_queries(len(few)):
        client.get(team_url(world))


def test_unknown_action_is_a_bad_request(world):
    response = world.client("admin_a").post(team_url(world), {"action": "promouvoir", "email": "x@exemple.fr"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_team_page_csrf_enforced(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    response = client.post(team_url(world), {"action": "invite", "email": "nouvelle@exemple.fr", "is_admin": "0"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


# --- attaching an existing account ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_assign_by_role(world, role):
    newcomer = make_user("nouvelle@exemple.fr")
    client = world.client(role)
    response = assign(world, email="Nouvelle@Exemple.fr", member_role="admin", client=client)
    membership = Membership.objects.filter(user=newcomer, structure=world.structure_a).first()
    if role in ASSIGNERS:
        assert response.status_code == 302
        assert membership is not None and membership.is_admin
        event = role_events().get()
        assert event.actor == world.users[role]
        assert (event.object_type, event.object_id) == ("accounts.user", str(newcomer.pk))
        assert event.details == {
            "structure": world.structure_a.pk,
            "member": "nouvelle@exemple.fr",
            "role": "administrateur",
            "change": "ajout",
        }
        page = client.get(team_url(world)).content.decode()
        assert "nouvelle@exemple.fr est maintenant administrateur de la structure." in page
    else:
        assert response.status_code in (302, 403)
        assert membership is None
        assert not role_events().exists()


def test_assign_unknown_email_explains(world):
    response = assign(world, email="inconnu@exemple.fr", member_role="member")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Aucun compte actif n&#x27;utilise l&#x27;adresse inconnu@exemple.fr" in html
    assert 'aria-describedby="id_assign-email-error' in html and 'id="id_assign-email-error"' in html
    assert "<title>Erreur — " in html
    assert not role_events().exists()


def test_assign_inactive_account_explains(world):
    make_user("partie@exemple.fr", is_active=False)
    response = assign(world, email="partie@exemple.fr")
    assert response.status_code == 400
    assert "Aucun compte actif n&#x27;utilise l&#x27;adresse partie@exemple.fr" in response.content.decode()
    assert not Membership.objects.filter(user__email="partie@exemple.fr").exists()


def test_assign_bad_input_explains(world):
    response = assign(world, email="pas-une-adresse", member_role="chef")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saisissez une adresse e-mail valide" in html
    assert "Choisissez un rôle de la liste." in html
    # The invitation form of the same page keeps its own fields, without errors.
    assert 'id="id_email"' in html and 'id="id_email-error"' not in html


def test_change_role_of_existing_member(world):
    response = assign(world, role="national_admin", email="membre.a@exemple.fr", member_role="admin")
    assert response.status_code == 302
    assert Membership.objects.get(user=world.users["member_a"], structure=world.structure_a).is_admin
    assert role_events().get().details["change"] == "changement de rôle"
    again = assign(world, role="national_admin", email="membre.a@exemple.fr", member_role="admin")
    assert again.status_code == 400
    assert "membre.a@exemple.fr a déjà ce rôle dans cette structure." in again.content.decode()
    assert role_events().count() == 1


def test_structure_administrators_cannot_assign_even_through_the_service(world):
    newcomer = make_user("nouvelle@exemple.fr")
    with pytest.raises(PermissionDenied):
        services.assign_member(world.structure_a, newcomer.email, is_admin=True, acting_user=world.users["admin_a"])
    assert not Membership.objects.filter(user=newcomer).exists()


# --- removing a member ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_remove_by_role(world, role):
    membership = Membership.objects.get(user=world.users["member_a"])
    response = world.client(role).post(remove_url(world, membership))
    removed = not Membership.objects.filter(pk=membership.pk).exists()
    if role in MANAGERS:
        assert response.status_code == 302 and removed
        event = role_events().get()
        assert event.actor == world.users[role]
        assert (event.object_type, event.object_id) == ("accounts.user", str(world.users["member_a"].pk))
        assert event.details == {
            "structure": world.structure_a.pk,
            "member": "membre.a@exemple.fr",
            "role": "membre",
            "change": "retrait",
        }
    else:
        assert response.status_code in (302, 403) and not removed
        assert not role_events().exists()


def test_removal_is_in_the_removed_person_s_personal_data(world):
    membership = Membership.objects.get(user=world.users["member_a"])
    world.client("admin_a").post(remove_url(world, membership))
    journal = services.personal_data(world.users["member_a"])["journal"]
    assert [entry["details"]["change"] for entry in journal if entry["action"] == AuditAction.ROLE_CHANGED] == [
        "retrait"
    ]


def test_cannot_remove_member_of_another_structure_by_guessing_id(world):
    other = Membership.objects.get(user=world.users["member_b"])
    response = world.client("admin_a").post(remove_url(world, other))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_remove_is_post_only_and_csrf_enforced(world):
    membership = Membership.objects.get(user=world.users["member_a"])
    assert world.client("admin_a").get(remove_url(world, membership)).status_code == 405
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    assert client.post(remove_url(world, membership)).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_cannot_remove_oneself(world):
    membership = Membership.objects.get(user=world.users["admin_a"])
    response = world.client("admin_a").post(remove_url(world, membership), follow=True)
    assert "Vous ne pouvez pas vous retirer vous-même" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not role_events().exists()


def test_service_refuses_who_does_not_manage_members(world):
    membership = Membership.objects.get(user=world.users["member_a"])
    with pytest.raises(PermissionDenied):
        services.remove_member(membership, acting_user=world.users["correspondent_69"])
    assert Membership.objects.filter(pk=membership.pk).exists()


# --- links and the old address -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_old_members_url_redirects_permanently(world, role):
    old = f"/espace/structures/{world.structure_a.pk}/membres/"
    client = world.client(role)
    for method in (client.get, client.post):
        response = method(old)
        assert response.status_code == 301
        assert response["Location"] == team_url(world)
    assert not role_events().exists()
    final = client.get(old, follow=True)
    if role in MANAGERS:
        assert final.status_code == 200 and "Membre A" in final.content.decode()
    elif role == "anonymous":
        assert final.redirect_chain[-1][0].startswith("/connexion/")
    else:
        assert final.status_code == 403


@pytest.mark.parametrize("role", ["member_a", "admin_a", "correspondent_13"])
def test_identity_sheet_links_to_team_page_for_managers(world, role):
    html = world.client(role).get(f"/espace/structures/{world.structure_a.pk}/modifier/").content.decode()
    assert (f'href="{team_url(world)}"' in html) == (role in MANAGERS)


def test_the_confirmation_is_shown_once(world):
    membership = Membership.objects.get(user=world.users["member_a"])
    page = world.client("admin_a").post(remove_url(world, membership), follow=True)
    assert page.content.decode().count("membre.a@exemple.fr ne fait plus partie de la structure.") == 1
