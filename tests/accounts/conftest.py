"""Roles for the account tests (the matrix of issue 4): one person per role, around structure A (dept 13)."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts.models import CorrespondentScope, Membership, Organisation, User
from maillage.referentials.models import Department
from tests.factories import make_structure
from tests.logins import verify_second_factor

PASSWORD = "Un mot de passe solide 2024"


@dataclass
class World:
    structure_a: object
    structure_b: object
    users: dict

    def client(self, role: str) -> Client:
        """A logged-in client; correspondents and national administrators also pass the second factor."""
        client = Client()
        user = self.users.get(role)
        if user is None:
            return client
        client.force_login(user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            verify_second_factor(client, user)
        return client


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def make_user(email: str, **fields) -> User:
    return User.objects.create_user(email, PASSWORD, **fields)


def with_device(user: User) -> User:
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


ROLES = [
    "anonymous",
    "member_a",
    "admin_a",
    "member_b",
    "correspondent_13",
    "correspondent_69",
    "national_admin",
]


@pytest.fixture
def world(db) -> World:
    structure_a = make_structure("Centre social A", "13")
    structure_b = make_structure("Centre social B", "69")
    member_a = make_user("membre.a@exemple.fr", full_name="Membre A")
    admin_a = make_user("admin.a@exemple.fr", full_name="Admin A")
    member_b = make_user("membre.b@exemple.fr")
    Membership.objects.create(user=member_a, structure=structure_a)
    Membership.objects.create(user=admin_a, structure=structure_a, is_admin=True)
    Membership.objects.create(user=member_b, structure=structure_b)
    correspondents = {}
    for code in ("13", "69"):
        user = with_device(make_user(f"corres.{code}@exemple.fr"))
        CorrespondentScope.objects.create(
            user=user, department=Department.objects.get(code=code), organisation=Organisation.CAF
        )
        correspondents[f"correspondent_{code}"] = user
    national = with_device(make_user("national@exemple.fr", is_national_admin=True))
    users = {"member_a": member_a, "admin_a": admin_a, "member_b": member_b, "national_admin": national}
    users.update(correspondents)
    return World(structure_a, structure_b, users)
