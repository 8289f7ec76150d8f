"""Joining: sign-up confirmed by e-mail with `next` kept all along, claims of structures without members,
requests for new structures, decisions of the department's correspondents (with a comment), and the
department page that says who moderates there."""

import re

import pytest
from django.core import mail
from django.test import Client

from maillage.accounts.models import (
    AccessRequest,
    AccessRequestKind,
    AccessRequestStatus,
    CorrespondentScope,
    Membership,
    Organisation,
    StructureRequest,
    User,
)
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from tests.factories import make_structure

from .conftest import PASSWORD, make_user, with_device

pytestmark = pytest.mark.django_db
VALID_SIRET = "73282932000074"  # Luhn-valid


def sign_up(client, email="nouvelle@exemple.fr", next_url=""):
    data = {"email": email, "full_name": "Nouvelle Venue", "password1": PASSWORD, "password2": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/inscription/", data)


def link_in(message) -> str:
    return re.search(r"https://maillage\.test(/inscription/confirmer/\S+)", message.body).group(1)


def test_sign_up_confirm_and_come_back_to_the_request_form(world, django_capture_on_commit_callbacks):
    """« Demander à rejoindre » → login page → sign-up → e-mail → the request form of that structure."""
    form_url = f"/espace/demandes-acces/structure/{world.structure_a.pk}/"
    client = Client()
    login_page = client.get(form_url, follow=True)
    assert f'href="/inscription/?next={form_url}"' in login_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = sign_up(client, next_url=form_url)
    assert done.status_code == 200 and "Vérifiez votre boîte" in done.content.decode()
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert not user.is_active and user.email_confirmed_at is None
    # Not open before the confirmation: the login says why.
    refused = client.post("/connexion/", {"username": user.email, "password": PASSWORD})
    assert "pas encore confirmée" in refused.content.decode()

    link = link_in(mail.outbox[-1])
    assert client.get(link).status_code == 200  # a button: mail scanners open links
    user.refresh_from_db()
    assert user.email_confirmed_at is None
    response = client.post(link)
    assert response["Location"] == form_url
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at is not None
    assert client.get(form_url).status_code == 200
    assert client.post(link).status_code == 400  # used once


def test_sign_up_with_a_known_address_says_so_only_to_its_mailbox(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(Client(), email="membre.a@exemple.fr")
    assert response.status_code == 200 and "Vérifiez votre boîte" in response.content.decode()
    assert "déjà un compte" in mail.outbox[-1].subject
    assert User.objects.filter(email="membre.a@exemple.fr").count() == 1
    assert User.objects.get(email="membre.a@exemple.fr").check_password(PASSWORD)


def test_second_sign_up_does_not_choose_the_password(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(Client())
        Client().post(
            "/inscription/",
            {
                "email": "nouvelle@exemple.fr",
                "full_name": "X",
                "password1": "Autre mot de passe 99",
                "password2": "Autre mot de passe 99",
            },
        )
    assert len(mail.outbox) == 2 and User.objects.get().check_password(PASSWORD)


def test_sign_up_bad_input_names_the_field_and_keeps_what_was_typed(db):
    response = Client().post(
        "/inscription/", {"email": "pas-une-adresse", "full_name": "Nom gardé", "password1": "a", "password2": "b"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide" in html
    assert "Les deux mots de passe ne sont pas identiques." in html
    assert 'value="Nom gardé"' in html and 'value="pas-une-adresse"' in html
    assert not User.objects.exists()


def test_confirmation_link_is_not_a_password_reset_link(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(Client())
    uid, token = link_in(mail.outbox[-1]).strip("/").split("/")[-2:]
    response = Client().get(f"/mot-de-passe/nouveau/{uid}/{token}/", follow=True)
    assert "Ce lien n'est plus valable" in response.content.decode()
    assert Client().post("/inscription/confirmer/MQ/abc-def/").status_code == 400


# --- claims ---------------------------------------------------------------------------------------


@pytest.fixture
def orphan(db):
    return make_structure("Espace sans membre", "13", kind="evs")


def test_claiming_a_structure_without_members(world, orphan, django_capture_on_commit_callbacks):
    newcomer = make_user("newcomer@exemple.fr")
    client = Client()
    client.force_login(newcomer)
    page = client.get(f"/espace/demandes-acces/structure/{orphan.pk}/")
    assert "Prendre en charge Espace sans membre" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/espace/demandes-acces/structure/{orphan.pk}/", {"message": "Je suis la directrice."})
    claim = AccessRequest.objects.get(structure=orphan)
    assert claim.kind == AccessRequestKind.CLAIM
    assert mail.outbox[-1].to == ["corres.13@exemple.fr"]  # no administrator: the department's correspondents
    # An administrator that appeared since cannot grant the claim; the other department's correspondent neither.
    Membership.objects.create(user=world.users["admin_a"], structure=orphan, is_admin=True)
    for role in ("admin_a", "correspondent_69", "member_b"):
        assert world.client(role).post(f"/espace/demandes-acces/{claim.pk}/accepter/").status_code == 404
    assert "Espace sans membre" not in world.client("admin_a").get("/espace/demandes-acces/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("correspondent_13").post(
            f"/espace/demandes-acces/{claim.pk}/accepter/", {f"access-{claim.pk}-comment": "Bienvenue !"}
        )
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer, structure=orphan).is_admin
    claim.refresh_from_db()
    assert claim.decision_comment == "Bienvenue !"
    assert "administrateur" in mail.outbox[-1].body and "Bienvenue !" in mail.outbox[-1].body


def test_join_page_finds_structures_and_offers_the_right_request(world, orphan):
    html = world.client("member_b").get("/espace/rejoindre/", {"q": "centre social a"}).content.decode()
    assert "Centre social A" in html and "Demander à rejoindre" in html
    html = world.client("member_b").get("/espace/rejoindre/", {"q": "sans membre"}).content.decode()
    assert "Prendre en charge" in html and "aucun membre" in html


def test_structure_page_offers_to_join_its_team_or_to_claim_it_when_it_has_no_member(world, orphan):
    """The public page of a structure with members offers to join; one with none offers to claim it."""
    html = Client().get(world.structure_a.get_absolute_url()).content.decode()
    assert "Demander à rejoindre son équipe" in html and "Revendiquer" not in html
    html = Client().get(orphan.get_absolute_url()).content.decode()
    assert "Revendiquer cette structure" in html and "Demander à rejoindre" not in html
    assert f'href="/espace/demandes-acces/structure/{orphan.pk}/"' in html


# --- new structures ------------------------------------------------------------------------------


def ask_new(client, **changes):
    data = {
        "name": "Centre social des Dunes",
        "kind": "csx",
        "department": Department.objects.get(code="59").pk,
        "commune": "Dunkerque",
        "postcode": "59140",
        "siret": VALID_SIRET,
        "message": "",
    }
    data.update(changes)
    return client.post("/espace/rejoindre/nouvelle-structure/", data)


@pytest.fixture
def corres_59(db):
    user = with_device(make_user("corres.59@exemple.fr", full_name="Claire Nord"))
    CorrespondentScope.objects.create(user=user, department=Department.objects.get(code="59"), organisation="caf")
    return user


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"siret": "12345678901234"}, "Numéro SIRET : ce numéro n&#x27;est pas valide"),
        ({"postcode": "62100"}, "Code postal : Le code postal 62100 ne correspond pas au département Nord"),
        ({"postcode": "59a"}, "Code postal : 5 chiffres"),
        ({"kind": "autre"}, "Type de structure : choisissez centre social ou espace de vie sociale."),
        ({"name": ""}, "Nom de la structure : indiquez-le."),
        ({"department": ""}, "Département : choisissez celui de la structure."),
        ({"commune": "x" * 201}, "Commune : 200 caractères au plus."),
    ],
)
def test_new_structure_bad_input_names_the_field(world, changes, message):
    response = ask_new(world.client("member_b"), **changes)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Dunkerque" in html or changes.get("commune")  # what was typed is kept
    assert not StructureRequest.objects.exists()


def test_new_structure_decided_by_the_department_correspondents(world, corres_59, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_new(world.client("member_b"), siret="732 829 320 00074")
    assert response.status_code == 302
    request = StructureRequest.objects.get()
    assert request.siret == VALID_SIRET
    assert mail.outbox[-1].to == ["corres.59@exemple.fr"]
    accept = f"/espace/demandes-acces/creation/{request.pk}/accepter/"
    # A correspondent of 13 (or 69), a member: not theirs to decide — as if it did not exist.
    for role in ("correspondent_13", "correspondent_69", "member_a", "admin_a"):
        assert world.client(role).post(accept).status_code == 404
        assert request.pk and world.client(role).get("/espace/demandes-acces/").content.decode().count("Dunes") == (
            1 if role == "member_b" else 0
        )
    client = Client()
    client.force_login(corres_59)
    from tests.logins import verify_second_factor

    verify_second_factor(client, corres_59)
    assert "Centre social des Dunes" in client.get("/espace/demandes-acces/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(accept).status_code == 302
    structure = Structure.objects.get(name="Centre social des Dunes")
    assert structure.department.code == "59" and structure.siret == VALID_SIRET and not structure.siret_flagged
    assert Membership.objects.get(structure=structure).user == world.users["member_b"]
    assert Membership.objects.get(structure=structure).is_admin
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.ACCEPTED and request.structure == structure
    assert "Structure créée" in mail.outbox[-1].subject


def test_refusing_a_new_structure_needs_a_comment(world, corres_59, django_capture_on_commit_callbacks):
    ask_new(world.client("member_b"))
    request = StructureRequest.objects.get()
    client = Client()
    client.force_login(corres_59)
    from tests.logins import verify_second_factor

    verify_second_factor(client, corres_59)
    refuse = f"/espace/demandes-acces/creation/{request.pk}/refuser/"
    empty = client.post(refuse, {f"structure-{request.pk}-comment": "  "})
    assert empty.status_code == 400
    assert "Commentaire : indiquez au demandeur pourquoi la demande est refusée." in empty.content.decode()
    long = client.post(refuse, {f"structure-{request.pk}-comment": "x" * 1001})
    assert "Commentaire : 1000 caractères au plus" in long.content.decode() and "x" * 1001 in long.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(refuse, {f"structure-{request.pk}-comment": "Elle existe déjà."}).status_code == 302
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.REFUSED and request.decision_comment == "Elle existe déjà."
    assert not Structure.objects.filter(name="Centre social des Dunes").exists()
    assert "Elle existe déjà." in mail.outbox[-1].body


# --- who moderates a department ------------------------------------------------------------------


def test_department_page_names_only_correspondents_who_agreed(db):
    department = Department.objects.get(code="59")
    agreed = make_user("claire.perso@exemple.fr", full_name="Claire Nord", listed_as_correspondent=True,
                       public_contact_email="observatoire@caf59.test")  # fmt: skip
    discreet = make_user("paul.perso@exemple.fr", full_name="Paul Discret")
    CorrespondentScope.objects.create(user=agreed, department=department, organisation=Organisation.CAF)
    CorrespondentScope.objects.create(user=discreet, department=department, organisation=Organisation.FEDERATION)
    html = Client().get("/territoires/59/").content.decode()
    assert "Qui modère dans ce département" in html
    assert "Claire Nord — Caf" in html and "mailto:observatoire@caf59.test" in html
    assert "Paul Discret" not in html and "paul.perso" not in html and "claire.perso" not in html
    assert "1 autre correspondant — Fédération des centres sociaux" in html


def test_correspondent_chooses_what_the_department_page_shows(world):
    client = world.client("correspondent_13")
    bad = client.post(
        "/espace/compte/",
        {"action": "listing", "listing-listed_as_correspondent": "on", "listing-public_contact_email": "pas une"},
    )
    assert bad.status_code == 400
    assert "Adresse de contact publiée : saisissez une adresse valide" in bad.content.decode()
    assert 'value="pas une"' in bad.content.decode()
    ok = client.post(
        "/espace/compte/",
        {"action": "listing", "listing-listed_as_correspondent": "on", "listing-public_contact_email": "c@caf13.test"},
    )
    assert ok.status_code == 302
    user = world.users["correspondent_13"]
    user.refresh_from_db()
    assert user.listed_as_correspondent and user.public_contact_email == "c@caf13.test"
    # A member has no such form.
    assert world.client("member_a").post("/espace/compte/", {"action": "listing"}).status_code == 403


def test_national_admin_reads_structure_requests_in_the_admin(world, admin_user):
    from tests.logins import verify_second_factor

    ask_new(world.client("member_b"))
    client = Client()
    client.force_login(admin_user)
    verify_second_factor(client, admin_user)
    page = client.get("/admin/accounts/structurerequest/")
    assert page.status_code == 200 and "Centre social des Dunes" in page.content.decode()
    assert client.get(f"/admin/accounts/user/{world.users['correspondent_13'].pk}/change/").status_code == 200


def test_invitation_opens_an_account_whose_sign_up_was_never_confirmed(world, django_capture_on_commit_callbacks):
    from maillage.accounts import services

    with django_capture_on_commit_callbacks(execute=True):
        sign_up(Client(), email="invitee@exemple.fr")
        invitation = services.invite_to_structure(
            inviter=world.users["admin_a"], structure=world.structure_a, email="invitee@exemple.fr", is_admin=False
        )
    link = re.search(r"https://maillage\.test(/invitation/\S+/)", mail.outbox[-1].body).group(1)
    client = Client()
    assert "Nom complet" in client.get(link).content.decode()  # the form, not « connectez-vous »
    new_password = "Un autre mot de passe 2026"
    response = client.post(link, {"full_name": "Invitée", "password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user = User.objects.get(email="invitee@exemple.fr")
    assert user.is_active and user.email_confirmed_at and user.check_password(new_password)
    assert Membership.objects.filter(user=user, structure=invitation.structure).exists()


def test_correspondent_of_59_cannot_decide_for_62(world, corres_59):
    from tests.logins import verify_second_factor

    in_62 = make_structure("Centre social d'Arras", "62")
    claim = AccessRequest.objects.create(user=world.users["member_b"], structure=in_62, kind=AccessRequestKind.CLAIM)
    ask_new(world.client("member_b"), department=Department.objects.get(code="62").pk, postcode="62000")
    new = StructureRequest.objects.get()
    client = Client()
    client.force_login(corres_59)
    verify_second_factor(client, corres_59)
    assert client.post(f"/espace/demandes-acces/{claim.pk}/accepter/").status_code == 404
    assert client.post(f"/espace/demandes-acces/creation/{new.pk}/accepter/").status_code == 404
    assert client.post(f"/espace/demandes-acces/creation/{new.pk}/refuser/", {"comment": "x"}).status_code == 404
    listed = client.get("/espace/demandes-acces/").content.decode()
    assert "Arras" not in listed and "Dunes" not in listed
    claim.refresh_from_db()
    new.refresh_from_db()
    assert claim.status == new.status == AccessRequestStatus.PENDING
    assert not Membership.objects.filter(structure=in_62).exists()


def test_sign_ups_never_confirmed_are_erased_after_a_week(world, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    sign_up(Client(), email="oubli@exemple.fr")
    User.objects.filter(email="oubli@exemple.fr").update(date_joined=timezone.now() - timedelta(days=8))
    old_member = world.users["member_a"]
    User.objects.filter(pk=old_member.pk).update(date_joined=timezone.now() - timedelta(days=800))
    sign_up(Client(), email="nouvelle@exemple.fr")
    assert not User.objects.filter(email="oubli@exemple.fr").exists()
    assert User.objects.filter(pk=old_member.pk).exists() and User.objects.filter(email="nouvelle@exemple.fr").exists()
    assert "effacée au bout de 7 jours" in Client().get("/confidentialite/").content.decode()


def test_personal_data_holds_requests_and_public_details(world):
    from maillage.accounts.services import personal_data

    user = world.users["member_b"]
    ask_new(world.client("member_b"))
    User.objects.filter(pk=user.pk).update(listed_as_correspondent=True, public_contact_email="b@exemple.fr")
    user.refresh_from_db()
    data = personal_data(user)
    assert data["demandes_de_creation_de_structure"][0]["nom"] == "Centre social des Dunes"
    assert data["compte"]["adresse_de_contact_publiee"] == "b@exemple.fr"
    assert data["compte"]["nom_affiche_comme_correspondant"] is True
