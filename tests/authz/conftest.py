"""The seven roles of the authorisation matrix, around structure A in department 13."""

from dataclasses import dataclass

import pytest

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.referentials.models import Department
from tests.factories import make_structure

ROLES = (
    "anonymous",
    "member_a",
    "admin_a",
    "member_b",
    "correspondent",
    "other_correspondent",
    "national_admin",
)


@dataclass
class World:
    structure_a: object
    structure_b: object
    users: dict


@pytest.fixture
def world(db):
    structure_a = make_structure("Centre social A", "13", email="contact@a.test")
    structure_b = make_structure("Centre social B", "13")
    users = {"anonymous": None}

    def person(key: str, **fields) -> User:
        users[key] = User.objects.create_user(f"{key}@maillage.test", password="Un mot de passe solide 42", **fields)
        return users[key]

    Membership.objects.create(user=person("member_a"), structure=structure_a)
    Membership.objects.create(user=person("admin_a"), structure=structure_a, is_admin=True)
    Membership.objects.create(user=person("member_b"), structure=structure_b)
    CorrespondentScope.objects.create(user=person("correspondent"), department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    rhone = Department.objects.get(code="69")
    CorrespondentScope.objects.create(user=person("other_correspondent"), department=rhone, organisation="federation")
    person("national_admin", is_national_admin=True)
    return World(structure_a, structure_b, users)
