"""The seven roles around structure A (department 13), as in tests/authz, plus helpers to log in and post."""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.referentials.models import Department
from tests.factories import make_structure

SECOND_FACTOR_ROLES = {"correspondent", "other_correspondent", "national_admin"}
ROLES = ("anonymous", "member_a", "admin_a", "member_b", "correspondent", "other_correspondent", "national_admin")


@dataclass
class World:
    structure_a: object
    structure_b: object
    users: dict

    def client(self, role: str, **options) -> Client:
        """A logged-in client; correspondents and national administrators have passed the second factor."""
        client = Client(**options)
        user = self.users[role]
        if user is not None:
            client.force_login(user)
            if role in SECOND_FACTOR_ROLES and apps.is_installed("django_otp"):
                _verify_second_factor(client, user)
        return client


def _verify_second_factor(client: Client, user) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def world(db):
    structure_a = make_structure("Centre social A", "13", email="contact@a.test", postcode="13001")
    structure_b = make_structure("Centre social B", "13")
    users = {"anonymous": None}

    def person(key: str, **fields) -> User:
        users[key] = User.objects.create_user(f"{key}@maillage.test", password="Un mot de passe solide 42", **fields)
        return users[key]

    Membership.objects.create(user=person("member_a", full_name="Alice Membre"), structure=structure_a)
    Membership.objects.create(user=person("admin_a"), structure=structure_a, is_admin=True)
    Membership.objects.create(user=person("member_b"), structure=structure_b)
    CorrespondentScope.objects.create(
        user=person("correspondent"), department=Department.objects.get(code="13"), organisation="caf"
    )
    CorrespondentScope.objects.create(
        user=person("other_correspondent"), department=Department.objects.get(code="69"), organisation="federation"
    )
    person("national_admin", is_national_admin=True)
    return World(structure_a, structure_b, users)


@pytest.fixture
def upload_dir(tmp_path, settings):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR
