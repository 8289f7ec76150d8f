"""People in every role around structure A (department 13), files stored in a temporary directory."""

import pytest

from tests.authz.conftest import world  # noqa: F401 (the seven roles, shared)
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
def people(world):  # noqa: F811
    """The seven roles of `tests/authz/conftest.py` under the names these tests use."""
    users = world.users
    return {
        "structure": world.structure_a,
        "other_structure": world.structure_b,
        "anonymous": None,
        "member": users["member_a"],
        "structure_admin": users["admin_a"],
        "other_member": users["member_b"],
        "correspondent": users["correspondent"],
        "far_correspondent": users["other_correspondent"],
        "national_admin": users["national_admin"],
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
