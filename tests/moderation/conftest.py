"""The roles of the authorisation matrix around structure A (department 13), plus a structure in 69."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.actions.models import Action
from maillage.referentials.models import Department
from tests.factories import make_structure
from tests.logins import log_in

ROLES = ("anonymous", "member_a", "admin_a", "member_b", "correspondent", "other_correspondent", "national_admin")
MODERATORS = ("correspondent", "national_admin")


@dataclass
class World:
    structure_a: object
    structure_b: object
    structure_69: object
    users: dict

    def client_for(self, client, role: str):
        if self.users[role] is not None:
            log_in(client, self.users[role])
        return client


@pytest.fixture
def world(db):
    structure_a = make_structure("Centre social A", "13", email="contact@a.test")
    structure_b = make_structure("Centre social B", "13")
    structure_69 = make_structure("Centre social du Rhône", "69", email="contact@rhone.test")
    users = {"anonymous": None}

    def person(key: str, **fields) -> User:
        users[key] = User.objects.create_user(f"{key}@maillage.test", password="Un mot de passe solide 42", **fields)
        return users[key]

    Membership.objects.create(user=person("member_a"), structure=structure_a)
    Membership.objects.create(user=person("admin_a"), structure=structure_a, is_admin=True)
    Membership.objects.create(user=person("member_b"), structure=structure_b)
    department_13, department_69 = Department.objects.get(code="13"), Department.objects.get(code="69")
    CorrespondentScope.objects.create(user=person("correspondent"), department=department_13, organisation="caf")
    CorrespondentScope.objects.create(
        user=person("other_correspondent"), department=department_69, organisation="federation"
    )
    person("national_admin", is_national_admin=True)
    return World(structure_a, structure_b, structure_69, users)


def make_old(action: Action, days: int = 800) -> Action:
    """Pretend the sheet was last changed `days` ago (`update()` leaves `auto_now` alone)."""
    Action.objects.filter(pk=action.pk).update(updated_at=timezone.now() - timedelta(days=days))
    action.refresh_from_db()
    return action
