"""Recovery codes (django-otp static tokens): given once at setup, each accepted once instead of the
application's code, made anew against a code of the application; a lost phone no longer locks anyone out."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts import two_factor
from maillage.accounts.models import CorrespondentScope, Organisation
from maillage.audit.models import AuditAction, AuditEvent
from maillage.referentials.models import Department

from .conftest import PASSWORD, current_code, make_user

pytestmark = pytest.mark.django_db
CODES = "/espace/compte/codes-de-secours/"
VERIFY = "/connexion/double-authentification/"


def logged_in(email: str) -> Client:
    client = Client()
    response = client.post("/connexion/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def no_wait() -> None:
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


@pytest.fixture
def enrolled(db):
    """A correspondent who has just set up the application: their client and their 10 codes."""
    user = make_user("corres.59@exemple.fr")
    CorrespondentScope.objects.create(
        user=user, department=Department.objects.get(code="59"), organisation=Organisation.CAF
    )
    client = logged_in(user.email)
    client.get("/connexion/double-authentification/activer/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/connexion/double-authentification/activer/", {"code": current_code(device)})
    assert response["Location"].startswith(CODES)
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    return user, client, codes


def test_setup_shows_ten_codes_once_to_print_or_download(enrolled):
    user, client, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    html = client.get(CODES).content.decode()
    for code in codes:
        assert two_factor.display_code(code) in html
    assert "Télécharger" in html and "data-print" in html
    download = client.get(CODES + "telecharger/")
    assert download["Content-Disposition"] == 'attachment; filename="maillage-codes-de-secours.txt"'
    assert all(two_factor.display_code(code) in download.content.decode() for code in codes)

    kept = client.post(CODES, {"action": "kept", "next": "/espace/"})
    assert kept["Location"] == "/espace/"
    again = client.get(CODES).content.decode()
    assert not any(two_factor.display_code(code) in again for code in codes)
    assert "Il vous reste <strong>10 codes de secours</strong>" in again
    assert client.get(CODES + "telecharger/").status_code == 404


def test_a_recovery_code_opens_the_space_once(enrolled):
    user, _, codes = enrolled
    client = logged_in(user.email)
    assert client.get("/espace/compte/").status_code == 302  # deny by default until a code
    response = client.post(VERIFY, {"code": two_factor.display_code(codes[0]).upper(), "next": "/espace/compte/"})
    assert response["Location"] == "/espace/compte/"
    assert client.get("/espace/compte/").status_code == 200
    assert two_factor.remaining_recovery_codes(user) == 9
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, actor=user, details__event="recovery_code_used")

    no_wait()
    other = logged_in(user.email)
    reused = other.post(VERIFY, {"code": codes[0]})
    assert reused.status_code == 400
    assert "ou l&#x27;un de vos codes de secours" in reused.content.decode()
    assert other.get("/espace/compte/").status_code == 302


def test_lost_phone_recovery_code_then_new_application(enrolled):
    user, _, codes = enrolled
    client = logged_in(user.email)
    client.post(VERIFY, {"code": codes[1]})
    response = client.post("/espace/compte/double-authentification/remplacer/")
    assert response["Location"] == "/connexion/double-authentification/activer/"
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    page = client.get("/connexion/double-authentification/activer/")
    assert page.status_code == 200
    new_device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/connexion/double-authentification/activer/", {"code": current_code(new_device)})
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)  # old codes still there: none shown
    assert two_factor.remaining_recovery_codes(user) == 9


def test_replacing_the_phone_needs_the_second_factor(enrolled):
    user, _, _ = enrolled
    client = logged_in(user.email)  # password only
    response = client.post("/espace/compte/double-authentification/remplacer/")
    assert response.status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_new_codes_need_a_code_of_the_application(enrolled):
    user, client, old_codes = enrolled
    client.post(CODES, {"action": "kept"})
    refused = client.post(CODES, {"action": "new", "code": "123456"})
    assert refused.status_code == 400
    assert "Ce code n&#x27;est pas valable" in refused.content.decode()
    assert 'aria-invalid="true"' in refused.content.decode()
    empty = client.post(CODES, {"action": "new", "code": ""})
    assert "Saisissez le code de votre application." in empty.content.decode()
    no_wait()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.last_t = -1  # the code of setup may be the current one: allow it again
    device.save()
    response = client.post(CODES, {"action": "new", "code": current_code(device)})
    assert response["Location"].startswith(CODES)
    new_codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)


def test_recovery_code_pages_require_login(db):
    assert Client().get(CODES)["Location"].startswith("/connexion/")
    assert Client().get(CODES + "telecharger/")["Location"].startswith("/connexion/")
