"""The seven roles of the authorisation matrix, around structure A in department 13.

The one `world` fixture of the test suite: the moderation, structure administration and observatory tests
import it (`from tests.authz.conftest import world`) rather than building their own people.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.referentials.models import Department
from tests.factories import make_structure
from tests.logins import log_in

ROLES = (
    "anonymous",
    "member_a",
    "admin_a",
    "member_b",
    "correspondent",
    "other_correspondent",
    "national_admin",
)
PASSWORD = "Un mot de passe solide 42"


@dataclass
class World:
    structure_a: object  # department 13: member_a, admin_a (its administrator)
    structure_b: object  # department 13: member_b
    structure_69: object  # department 69, where other_correspondent works
    users: dict  # role → User (None for anonymous)

    def client(self, role: str, **options) -> Client:
        """A new client logged in as `role`, past the second factor when the role needs one."""
        return self.client_for(Client(**options), role)

    def client_for(self, client: Client, role: str) -> Client:
        """`client` logged in as `role` (left anonymous for "anonymous")."""
        if self.users[role] is not None:
            log_in(client, self.users[role])
        return client


@pytest.fixture
def world(db):
    return make_world()


def make_world() -> World:
    structure_a = make_structure("Centre social A", "13", email="contact@a.test", postcode="13001")
    structure_b = make_structure("Centre social B", "13")
    structure_69 = make_structure("Centre social du Rhône", "69", email="contact@rhone.test")
    users = {"anonymous": None}

    def person(key: str, **fields) -> User:
        users[key] = User.objects.create_user(f"{key}@maillage.test", password=PASSWORD, **fields)
        return users[key]

    Membership.objects.create(user=person("member_a", full_name="Alice Membre"), structure=structure_a)
    Membership.objects.create(user=person("admin_a"), structure=structure_a, is_admin=True)
    Membership.objects.create(user=person("member_b"), structure=structure_b)
    department_13, department_69 = Department.objects.get(code="13"), Department.objects.get(code="69")
    CorrespondentScope.objects.create(user=person("correspondent"), department=department_13, organisation="caf")
    CorrespondentScope.objects.create(
        user=person("other_correspondent"), department=department_69, organisation="federation"
    )
    person("national_admin", is_national_admin=True)
    return World(structure_a, structure_b, structure_69, users)
