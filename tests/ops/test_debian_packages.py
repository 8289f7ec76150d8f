"""deploy/debian-packages.sh: checks with dpkg-query, installs as root, else prints the exact apt-get line.

dpkg-query, id and apt-get are fakes put first on the PATH: nothing is installed for real.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI_RUN = ROOT / ".ci" / "run"
MAKEFILE = ROOT / "Makefile"
SCRIPT = ROOT / "deploy" / "debian-packages.sh"


@pytest.fixture
def fake_system(tmp_path):
    """A PATH where `MISSING` packages are not installed, `id -u` prints `UID`, and apt-get logs its calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "dpkg-query": 'for p in $MISSING; do [ "$p" = "$3" ] && exit 1; done; printf "install ok installed"',
        "id": 'echo "$UID_SHOWN"',
        "apt-get": f'echo "$*" >> {tmp_path / "apt.log"}',
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    def run(*args, missing="", uid="1000"):
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "MISSING": missing, "UID_SHOWN": uid}
        result = subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30)
        log = tmp_path / "apt.log"
        return result, log.read_text().splitlines() if log.exists() else []

    return run


def test_nothing_to_do_when_everything_is_installed(fake_system):
    result, apt = fake_system("test")
    assert result.returncode == 0
    assert result.stderr == ""
    assert apt == []


def test_not_root_prints_the_exact_apt_get_line_and_fails(fake_system):
    result, apt = fake_system("test", missing="chromium libharfbuzz-subset0")
    assert result.returncode == 1
    assert "sudo apt-get install --no-install-recommends libharfbuzz-subset0 chromium\n" in result.stderr
    assert apt == []


def test_root_installs_only_what_is_missing(fake_system):
    result, apt = fake_system("runtime", missing="libharfbuzz-subset0 poppler-utils", uid="0")
    assert result.returncode == 0
    assert apt == ["update -qq", "install -y -qq --no-install-recommends libharfbuzz-subset0"]


def test_lists_grow_from_runtime_to_test_to_ci(fake_system):
    lists = {name: fake_system(name, "--print")[0].stdout.split() for name in ("runtime", "test", "ci")}
    assert {"libpango-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "python3-venv"} <= set(lists["runtime"])
    assert not {"chromium", "poppler-utils", "postgresql"} & set(lists["runtime"])
    assert set(lists["test"]) - set(lists["runtime"]) == {"chromium", "libatomic1", "poppler-utils", "redis-server"}
    assert set(lists["ci"]) - set(lists["test"]) == {"postgresql", "nginx", "openssl", "systemd"}


def test_an_unknown_list_is_an_error(fake_system):
    result, _ = fake_system("everything")
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_ci_uses_the_script_as_the_only_list():
    ci = CI_RUN.read_text()
    assert "bash deploy/debian-packages.sh ci" in ci
    assert "apt-get install" not in ci


def make_dry_run(target: str) -> str:
    result = subprocess.run(["make", "-n", target], cwd=MAKEFILE.parent, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_checks_the_runtime_packages_and_make_test_the_test_ones():
    run = make_dry_run("run")
    assert "bash deploy/debian-packages.sh runtime" in run
    assert "debian-packages.sh test" not in run
    assert "bash deploy/debian-packages.sh test" in make_dry_run("test")
