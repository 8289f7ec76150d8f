"""An SQLite database file for tests that run the application in other processes (locks, killed imports)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


def process_environment(database: Path) -> dict[str, str]:
    """The environment of a `maillage` process working on the SQLite file `database` with the test settings."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings.test"}


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A freshly migrated SQLite file (made once), whatever database the tests themselves run on: the write lock
    these tests are about is SQLite's, and other processes must not write into the test database."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite3"
    command = [sys.executable, "-m", "maillage.cli", "migrate", "-v0"]
    subprocess.run(command, env=process_environment(path), cwd=settings.BASE_DIR, check=True, timeout=300)
    return path


@pytest.fixture
def sqlite_file(migrated_sqlite_file, tmp_path) -> Path:
    """A copy of the migrated SQLite file for one test."""
    copy = tmp_path / "maillage.sqlite3"
    shutil.copyfile(migrated_sqlite_file, copy)
    return copy
