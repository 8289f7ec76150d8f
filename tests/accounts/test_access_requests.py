import pytest
from django.core import mail
from django.test import Client

from maillage.accounts.models import AccessRequest, AccessRequestStatus, Membership
from maillage.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def ask(world, client, message="Je suis animatrice du centre."):
    return client.post(f"/espace/demandes-acces/structure/{world.structure_a.pk}/", {"message": message})


@pytest.fixture
def pending(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(world, world.client("member_b"))
    assert response.status_code == 302
    return AccessRequest.objects.get()


def test_request_notifies_the_structure_admins(world, pending):
    assert pending.user == world.users["member_b"] and pending.status == AccessRequestStatus.PENDING
    assert mail.outbox[-1].to == ["admin.a@exemple.fr"]
    assert "membre.b@exemple.fr" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REQUEST, actor=world.users["member_b"]).exists()


def test_request_form_needs_login_and_refuses_duplicates(world, pending):
    response = Client().get(f"/espace/demandes-acces/structure/{world.structure_a.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    again = ask(world, world.client("member_b"))
    assert again.status_code == 400
    assert "déjà une demande en attente" in again.content.decode()
    member = ask(world, world.client("member_a"))
    assert "déjà membre" in member.content.decode()
    too_long = ask(world, world.client("correspondent_69"), message="x" * 1001)
    assert too_long.status_code == 400 and "1000 caractères au plus" in too_long.content.decode()


def test_unknown_structure_is_not_found(world):
    assert world.client("member_b").get("/espace/demandes-acces/structure/999999/").status_code == 404


@pytest.mark.parametrize(
    "role,expected",
    [("member_a", 404), ("member_b", 404), ("correspondent_69", 404), ("admin_a", 302), ("correspondent_13", 302)],
)
def test_accept_by_role(world, pending, role, expected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(role).post(f"/espace/demandes-acces/{pending.pk}/accepter/")
    assert response.status_code == expected
    joined = Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()
    assert joined == (expected == 302)
    if expected == 302:
        pending.refresh_from_db()
        assert pending.status == AccessRequestStatus.ACCEPTED and pending.decided_by == world.users[role]
        assert mail.outbox[-1].to == ["membre.b@exemple.fr"] and "acceptée" in mail.outbox[-1].subject


def test_refuse_sends_mail_and_grants_nothing(world, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        empty = world.client("national_admin").post(f"/espace/demandes-acces/{pending.pk}/refuser/")
        assert empty.status_code == 400
        assert "Commentaire : indiquez au demandeur pourquoi" in empty.content.decode()
        response = world.client("national_admin").post(
            f"/espace/demandes-acces/{pending.pk}/refuser/", {f"access-{pending.pk}-comment": "Inconnu du centre."}
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.REFUSED
    assert not Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()
    assert "refusée" in mail.outbox[-1].subject and "Commentaire : Inconnu du centre." in mail.outbox[-1].body
    # Deciding twice changes nothing.
    world.client("admin_a").post(f"/espace/demandes-acces/{pending.pk}/accepter/")
    assert not Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()


def test_decision_is_post_only(world, pending):
    assert world.client("admin_a").get(f"/espace/demandes-acces/{pending.pk}/accepter/").status_code == 405


@pytest.mark.parametrize(
    "role,sees",
    [
        ("member_a", False),
        ("admin_a", True),
        ("member_b", False),
        ("correspondent_13", True),
        ("correspondent_69", False),
        ("national_admin", True),
    ],
)
def test_list_shows_requests_to_deciders_only(world, pending, role, sees):
    response = world.client(role).get("/espace/demandes-acces/")
    assert response.status_code == 200
    assert ("Accepter" in response.content.decode()) == sees
