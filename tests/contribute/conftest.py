"""People in every role around structure A (department 13), files stored in a temporary directory."""

import pytest

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.referentials.models import Department
from tests.factories import make_structure
from tests.logins import verify_second_factor

ROLES = ("anonymous", "member", "structure_admin", "other_member", "correspondent", "far_correspondent",
         "national_admin")  # fmt: skip
EDITORS = {"member", "structure_admin", "correspondent", "national_admin"}

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(db):
    structure = make_structure("Centre social des Lilas", "13")
    other_structure = make_structure("Centre social du Port", "13")
    member = User.objects.create_user("membre@lilas.test")
    Membership.objects.create(user=member, structure=structure)
    structure_admin = User.objects.create_user("admin@lilas.test")
    Membership.objects.create(user=structure_admin, structure=structure, is_admin=True)
    other_member = User.objects.create_user("membre@port.test")
    Membership.objects.create(user=other_member, structure=other_structure)
    correspondent = User.objects.create_user("caf13@caf.test")
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    far = User.objects.create_user("caf69@caf.test")
    CorrespondentScope.objects.create(user=far, department=Department.objects.get(code="69"), organisation="caf")
    national = User.objects.create_user("national@maillage.test", is_national_admin=True)
    return {
        "structure": structure,
        "other_structure": other_structure,
        "anonymous": None,
        "member": member,
        "structure_admin": structure_admin,
        "other_member": other_member,
        "correspondent": correspondent,
        "far_correspondent": far,
        "national_admin": national,
    }


def pass_second_factor(client, user) -> None:
    """Correspondents and national administrators pass the TOTP step before `/espace/`."""
    verify_second_factor(client, user)


@pytest.fixture
def login(client, people):
    def log_in(role):
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
            pass_second_factor(client, people[role])
        return client

    return log_in
