"""The seven roles around structure A (department 13), as in tests/authz, plus helpers to log in and post."""

import pytest

from tests.authz.conftest import ROLES, World, world  # noqa: F401 (the seven roles, shared)


@pytest.fixture
def upload_dir(tmp_path, settings):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR
