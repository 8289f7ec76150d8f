from urllib.parse import urlencode

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts.models import CorrespondentScope, Organisation
from maillage.audit.models import AuditAction, AuditEvent
from maillage.referentials.models import Department

from .conftest import PASSWORD, current_code, make_user

pytestmark = pytest.mark.django_db


def logged_in(email: str) -> Client:
    client = Client()
    response = client.post("/connexion/", {"username": email, "password": PASSWORD, "remember_me": "on"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("role", ["member_a", "admin_a", "member_b"])
def test_members_need_no_second_factor(world, role):
    client = Client()
    client.force_login(world.users[role])
    assert client.get("/espace/compte/").status_code == 200


@pytest.mark.parametrize("role", ["correspondent_13", "correspondent_69", "national_admin"])
@pytest.mark.parametrize("path", ["/espace/compte/", "/admin/", "/moderation/"])
def test_correspondents_and_national_admins_enter_a_code_first(world, role, path):
    client = logged_in(world.users[role].email)
    response = client.get(path, follow=True)  # through the login page, which sends them on to the code
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/connexion/double-authentification/?" + urlencode({"next": path})


def test_public_pages_need_no_second_factor(world):
    client = logged_in("corres.13@exemple.fr")
    assert client.get("/confidentialite/").status_code == 200


def test_password_alone_is_an_anonymous_visit(world):
    """Outside the second-factor pages, the person is not known: the menu offers to log in, not their space."""
    client = logged_in("corres.13@exemple.fr")
    html = client.get("/").content.decode()
    assert "Mon compte" not in html and "Modération" not in html
    assert 'href="/connexion/"' in html


@pytest.mark.parametrize(
    ("path", "next_url"),
    [("/connexion/?next=/moderation/", "/moderation/"), ("/admin/login/?next=/admin/", "/admin/"), ("/connexion/", "")],
)
def test_login_pages_send_to_the_code(world, path, next_url):
    client = logged_in("national@exemple.fr")
    response = client.get(path)
    query = "?" + urlencode({"next": next_url}) if next_url else ""
    assert response["Location"] == "/connexion/double-authentification/" + query


def test_second_factor_pages_and_logout_see_the_person(world):
    client = logged_in("corres.13@exemple.fr")
    assert client.get("/connexion/double-authentification/").status_code == 200
    assert client.post("/deconnexion/")["Location"] == "/"
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=world.users["correspondent_13"]).exists()
    assert "_auth_user_id" not in client.session


def test_correspondent_without_device_is_sent_to_set_it_up(world):
    user = make_user("nouveau.corres@exemple.fr")
    CorrespondentScope.objects.create(
        user=user, department=Department.objects.get(code="13"), organisation=Organisation.FEDERATION
    )
    client = logged_in(user.email)
    setup_url = "/connexion/double-authentification/activer/?next=%2Fespace%2Fcompte%2F"
    assert client.get("/espace/compte/", follow=True).redirect_chain[-1][0] == setup_url

    page = client.get(setup_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "otpauth://totp/" in html
    assert "http://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post("/connexion/double-authentification/activer/", {"code": "000000", "next": "/espace/compte/"})
    assert wrong.status_code == 400
    assert "Ce code ne correspond pas" in wrong.content.decode()
    assert 'aria-invalid="true"' in wrong.content.decode()

    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)  # no waiting
    response = client.post(
        "/connexion/double-authentification/activer/", {"code": current_code(device), "next": "/espace/compte/"}
    )
    assert response.status_code == 302
    # First, the recovery codes, shown once; then where the person was going.
    assert response["Location"] == "/espace/compte/codes-de-secours/?next=%2Fespace%2Fcompte%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/espace/compte/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, actor=user).exists()


def test_code_unlocks_the_space_and_wrong_code_is_refused(world):
    user = world.users["correspondent_13"]
    client = logged_in(user.email)
    wrong = client.post("/connexion/double-authentification/", {"code": "12"})
    assert wrong.status_code == 400
    assert "Ce code n&#x27;est pas valable" in wrong.content.decode()
    assert client.get("/espace/compte/").status_code == 302
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)  # no waiting
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/connexion/double-authentification/", {"code": current_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/espace/compte/").status_code == 200


def test_verify_does_not_redirect_off_site(world):
    user = world.users["national_admin"]
    client = logged_in(user.email)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(
        "/connexion/double-authentification/", {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/espace/a-faire/"


def test_two_factor_pages_require_login(world):
    for path in ("/connexion/double-authentification/", "/connexion/double-authentification/activer/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_verified_superuser_reaches_the_admin(admin_user):
    from tests.logins import verify_second_factor

    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 302
    verify_second_factor(client, admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/invitation/").status_code == 200
    assert client.get("/admin/accounts/accessrequest/").status_code == 200


def test_staff_need_a_second_factor_for_the_admin(db):
    """The Django admin lets staff in: the password alone must not open it, whatever their role."""
    from tests.logins import verify_second_factor

    staff = make_user("equipe.technique@exemple.fr", is_staff=True)
    client = logged_in(staff.email)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/connexion/double-authentification/")
    verify_second_factor(client, staff)
    assert client.get("/admin/").status_code == 200
