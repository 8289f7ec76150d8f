"""Real servers for the tests of shared state: a scratch database, the static files, gunicorn nodes on loopback.

The database is a new SQLite file, or, when the test run is on PostgreSQL (`DATABASE_URL=postgres://…`, the
second run of .ci/run), a new database on that server, dropped afterwards. Each node is a gunicorn master
(config/gunicorn.py, production settings, preload) on a free loopback port.
"""

import atexit
import functools
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.prefix) / "bin"
# What the environment of the test run must not decide for the servers.
CLEARED = {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "HTTPS",
           "STATIC_ROOT", "MEDIA_ROOT", "IMPORT_UPLOAD_DIR", "DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY",
           "GUNICORN_THREADS", "BIND", "SENTRY_DSN", "REQUEST_LOG_LEVEL", "TRUSTED_PROXIES",
           "API_RATE_LIMIT_PER_MINUTE", "EXPORT_RATE_LIMIT_PER_MINUTE", "LOGIN_RATE_LIMIT_PER_MINUTE"}  # fmt: skip
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_postgres_run() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@dataclass
class ScratchDatabase:
    """A database of its own for the servers (the tests' database may live in memory, or in a transaction)."""

    url: str
    admin_url: str | None = None  # PostgreSQL: where to drop it from
    name: str = ""

    @classmethod
    def create(cls, directory: Path) -> "ScratchDatabase":
        if not is_postgres_run():
            return cls(f"sqlite:///{directory / 'nodes.sqlite3'}")
        config = dj_database_url.parse(os.environ["DATABASE_URL"])
        name = f"maillage_nodes_{uuid.uuid4().hex[:8]}"
        admin = urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        assert config["ENGINE"].endswith("postgresql")
        return cls(url, admin, name)

    def drop(self) -> None:
        if self.admin_url:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def server_environment(var: Path, database_url: str, **settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="nodes-test-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        HTTPS="false",
        MAILLAGE_VAR_DIR=str(var),
        DATABASE_URL=database_url,
        REQUEST_LOG_LEVEL="WARNING",
        **settings,
    )
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrations, and the static files (collected once per test run, shared by every server of the run)."""
    env["STATIC_ROOT"] = str(collected_static(env))
    migrate = subprocess.run([BIN / "maillage", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180)  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr


@functools.cache
def _static_directory() -> Path:
    return Path(tempfile.mkdtemp(prefix="maillage-static-"))


def collected_static(env: dict[str, str]) -> Path:
    directory = _static_directory()
    if not (directory / "staticfiles.json").exists():
        result = subprocess.run([BIN / "maillage", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                                env={**env, "STATIC_ROOT": str(directory)}, capture_output=True, text=True,
                                timeout=180)  # fmt: skip
        assert result.returncode == 0, result.stderr
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def run_python(env: dict[str, str], code: str) -> dict:
    """Run `code` with Django set up under `env`; it prints one JSON object, returned."""
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run([BIN / "python", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Node:
    """One gunicorn master and its workers, on a loopback port."""

    name: str
    url: str
    log: Path
    process: subprocess.Popen
    cookies: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    @classmethod
    def start(cls, name: str, env: dict[str, str], var: Path, workers: int = 1) -> "Node":
        port = free_port()
        env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": "2"}
        log = var / f"{name}.log"
        with log.open("w") as output:
            process = subprocess.Popen([BIN / "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
                                       cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # fmt: skip
        node = cls(name, f"http://127.0.0.1:{port}", log, process)
        node.wait_until_ready()
        return node

    def wait_until_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.request("/sante/pret")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} n'est pas prêt en {seconds} s :\n{self.log.read_text()}")

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        """(status, body) of a GET, or of a POST of `data`; cookies kept per node, redirects followed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {})
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        try:
            with opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get_json(self, path: str) -> tuple[int, dict]:
        status, body = self.request(path)
        return status, json.loads(body)

    def post_form(self, path: str, data: dict) -> tuple[int, str]:
        """GET the page for its CSRF token, then POST `data` with it."""
        status, page = self.request(path)
        assert status == 200, page
        token = CSRF_FIELD.search(page).group(1)
        return self.request(path, {"csrfmiddlewaretoken": token, **data}, headers={"Referer": self.url + path})

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
