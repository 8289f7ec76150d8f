import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from maillage.accounts.models import CorrespondentScope, Invitation, InvitationRole, Membership, User
from maillage.accounts.tokens import token_hash
from maillage.audit.models import AuditAction, AuditEvent
from maillage.referentials.models import Department

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Des colibris au marché 42"


def team_url(world) -> str:
    return f"/espace/equipe/{world.structure_a.pk}/"


def invite(world, role="admin_a", email="nouvelle@exemple.fr", is_admin="0"):
    return world.client(role).post(team_url(world), {"action": "invite", "email": email, "is_admin": is_admin})


def link_in_last_mail() -> str:
    return re.search(r"https://maillage\.test(/invitation/[^/\s]+/)", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize("role", ["member_a", "member_b", "correspondent_69"])
def test_who_cannot_manage_members_cannot_invite(world, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(world, role=role)
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_invitation_sent_stored_hashed_and_logged(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(world, email="Nouvelle@Exemple.fr", is_admin="1")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nouvelle@exemple.fr"
    assert invitation.role == InvitationRole.STRUCTURE_ADMIN
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(seconds=5)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nouvelle@exemple.fr"]
    assert "Centre social A" in mail.outbox[0].subject
    token = link_in_last_mail().split("/")[2]
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    event = AuditEvent.objects.get(action=AuditAction.INVITATION)
    assert event.actor == world.users["admin_a"] and event.details["email"] == "nouvelle@exemple.fr"
    # The inviter sees it pending, on the team page and in their list.
    assert "nouvelle@exemple.fr" in world.client("admin_a").get("/espace/invitations/").content.decode()


def test_invitation_form_errors_are_french_and_next_to_field(world):
    response = invite(world, email="pas-une-adresse")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email-error"' in html and "Saisissez une adresse e-mail valide" in html
    assert 'aria-describedby="id_email-error"' in html
    response = invite(world, email="membre.a@exemple.fr")
    assert "déjà membre" in response.content.decode()


def test_accept_creates_account_membership_and_logs_in(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(world, is_admin="1")
    link = link_in_last_mail()
    client = Client()
    page = client.get(link)
    assert page.status_code == 200 and "Centre social A" in page.content.decode()
    response = client.post(link, {"full_name": "Nadia Nouvelle", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert user.full_name == "Nadia Nouvelle" and user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user, structure=world.structure_a).is_admin
    assert client.get("/espace/compte/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED, actor=user).exists()
    assert Invitation.objects.get().accepted_by == user

    # The link works once: replayed, it shows a French page and creates nothing.
    replay = Client().post(link, {"full_name": "Autre", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert replay.status_code == 410
    assert "déjà été acceptée" in replay.content.decode()
    assert User.objects.filter(email="nouvelle@exemple.fr").count() == 1


def test_weak_password_is_refused_with_french_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(world)
    response = Client().post(link_in_last_mail(), {"full_name": "Nadia", "password1": "court", "password2": "court"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce mot de passe est trop court" in html and "12 caractères" in html
    assert 'id="id_password2-error"' in html
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_is_refused(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(world)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    link = link_in_last_mail()
    assert Client().get(link).status_code == 410
    response = Client().post(link, {"full_name": "N", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()


def test_unknown_token_is_a_bad_request(world):
    response = Client().get("/invitation/nimportequoi/")
    assert response.status_code == 400
    assert "n&#x27;est pas valide" in response.content.decode()


def test_cancelled_and_replaced_invitations_stop_working(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(world)
    first = link_in_last_mail()
    with django_capture_on_commit_callbacks(execute=True):
        invite(world)
    second = link_in_last_mail()
    assert Client().get(first).status_code == 410
    invitation = Invitation.objects.pending().get()
    # Someone else's invitation is not found, as an unknown one: whether it exists is none of their business.
    assert world.client("member_b").post(f"/espace/invitations/{invitation.pk}/annuler/").status_code == 404
    assert world.client("member_b").post("/espace/invitations/999999/annuler/").status_code == 404
    assert world.client("admin_a").post(f"/espace/invitations/{invitation.pk}/annuler/").status_code == 302
    assert Client().get(second).status_code == 410
    assert not Invitation.objects.pending().exists()


def test_existing_account_accepts_after_login(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(world, email="membre.b@exemple.fr")
    link = link_in_last_mail()
    page = Client().get(link)
    assert "Un compte existe déjà" in page.content.decode()
    assert Client().post(link, {}).status_code == 200  # anonymous POST: nothing accepted
    assert not Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()
    response = world.client("member_b").post(link)
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("member_a", 403),
        ("admin_a", 403),
        ("member_b", 403),
        ("correspondent_13", 403),
        ("correspondent_69", 403),
        ("national_admin", 200),
    ],
)
def test_only_national_admins_invite_correspondents(world, role, expected):
    assert world.client(role).get("/espace/invitations/correspondant/").status_code == expected


def test_correspondent_invitation_grants_departments(world, django_capture_on_commit_callbacks):
    departments = Department.objects.filter(code__in=["13", "84"])
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("national_admin").post(
            "/espace/invitations/correspondant/",
            {"email": "corres.new@exemple.fr", "organisation": "caf", "departments": [d.pk for d in departments]},
        )
    assert response.status_code == 302
    link = link_in_last_mail()
    Client().post(link, {"full_name": "C", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user = User.objects.get(email="corres.new@exemple.fr")
    codes = set(CorrespondentScope.objects.filter(user=user).values_list("department__code", flat=True))
    assert codes == {"13", "84"}


def test_correspondent_invites_members_in_their_department(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(world, role="correspondent_13")
    assert response.status_code == 302
    assert Invitation.objects.get().invited_by == world.users["correspondent_13"]


def test_login_password_still_works_for_fixture(world):
    assert User.objects.get(email="membre.a@exemple.fr").check_password(PASSWORD)


@pytest.mark.parametrize("method", ["get", "post"])
def test_invitation_is_refused_to_another_account(world, method, django_capture_on_commit_callbacks):
    """A member of structure B who opens the link of an invitation sent to another address does not become
    administrator of structure A: a French page says where it was sent (masked) and how to log in with it."""
    with django_capture_on_commit_callbacks(execute=True):
        invite(world, email="nouvelle@exemple.fr", is_admin="1")
    link = link_in_last_mail()
    client = world.client("member_b")
    response = getattr(client, method)(link)
    assert response.status_code == 403
    html = response.content.decode()
    assert "destinée à une autre adresse" in html and "n•••@exemple.fr" in html
    assert "nouvelle@exemple.fr" not in html
    assert f'name="next" value="{link}"' in html  # log out, then back to the invitation
    assert not Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()
    assert Invitation.objects.get().accepted_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).exists()

    logged_out = client.post("/deconnexion/", {"next": link})
    assert logged_out["Location"] == link


def test_correspondent_invitation_is_refused_to_another_account(world, django_capture_on_commit_callbacks):
    departments = Department.objects.filter(code__in=["13", "84"])
    with django_capture_on_commit_callbacks(execute=True):
        world.client("national_admin").post(
            "/espace/invitations/correspondant/",
            {"email": "jeanne.caf@exemple.fr", "organisation": "caf", "departments": [d.pk for d in departments]},
        )
    response = world.client("member_a").post(link_in_last_mail())
    assert response.status_code == 403
    assert "j•••@exemple.fr" in response.content.decode()
    assert not CorrespondentScope.objects.filter(user=world.users["member_a"]).exists()


def test_the_service_refuses_another_account_too(world, django_capture_on_commit_callbacks):
    from maillage.accounts import services

    with django_capture_on_commit_callbacks(execute=True):
        invite(world, email="nouvelle@exemple.fr", is_admin="1")
    token = link_in_last_mail().split("/")[2]
    with pytest.raises(services.InvitationError) as refusal:
        services.accept_invitation(token, user=world.users["member_b"])
    assert refusal.value.status == 403 and "n•••@exemple.fr" in refusal.value.message
    assert not Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()


def test_invited_address_accepts_whatever_its_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(world, email="Membre.B@Exemple.FR")
    response = world.client("member_b").post(link_in_last_mail())
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.users["member_b"], structure=world.structure_a).exists()
