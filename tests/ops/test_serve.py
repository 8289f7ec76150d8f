"""`make serve`'s stack for real: deploy/serve.sh prepares a fresh SQLite file and the static files, then runs
gunicorn with the production settings on a free loopback port; a few requests, then it is stopped.

No SECRET_KEY is given: the script's trial mode (secret kept under the var directory, loopback hosts, plain HTTP).
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the environment of the test run must not decide for the server.
CLEARED = {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "HTTPS", "STATIC_ROOT", "MEDIA_ROOT", "IMPORT_UPLOAD_DIR",
           "DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY", "GUNICORN_THREADS", "BIND", "SENTRY_DSN",
           "REQUEST_LOG_LEVEL"}  # fmt: skip
HASHED_CSS = re.compile(r'href="(/static/css/maillage\.[0-9a-f]{12}\.css)"')


@dataclass
class Server:
    url: str
    var: Path
    log: Path

    def get(self, path: str, **headers) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    (var / "media" / "actions").mkdir(parents=True)
    (var / "media" / "actions" / "private.pdf").write_bytes(b"%PDF-1.4 private")
    url = f"http://127.0.0.1:{free_port()}"
    env = {name: value for name, value in os.environ.items() if name not in CLEARED}
    env.update(MAILLAGE_VAR_DIR=str(var), VENV=sys.prefix, BIND=url.removeprefix("http://"), WEB_CONCURRENCY="2")
    prepare = subprocess.run(["bash", "deploy/serve.sh", "prepare"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=180)  # fmt: skip
    assert prepare.returncode == 0, prepare.stderr
    log = var / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(["bash", "deploy/serve.sh", "web"], cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    running = Server(url, var, log)
    try:
        wait_until_up(running, process)
        yield running
    finally:
        stop(process)


def wait_until_up(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, server.log.read_text()
        try:
            if server.get("/sante/vivant")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn n'a pas répondu en 60 s :\n{server.log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_ready_at_once_with_the_facet_index_loaded_before_the_workers_started(server):
    status, headers, body = server.get("/sante/pret", **{"X-Request-ID": "essai-serve-1"})
    assert status == 200, body
    checks = json.loads(body)["checks"]
    assert checks["facet_index"] == {"status": "ok"}
    assert checks["migrations"] == {"status": "ok"}
    assert headers["X-Request-ID"] == "essai-serve-1"


def test_pages_are_served_by_the_production_settings(server):
    status, headers, body = server.get("/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    # Plain HTTP trial (HTTPS=false): no redirection to https, cookies without the Secure flag.
    assert "Strict-Transport-Security" not in headers
    assert HASHED_CSS.search(body.decode())


def test_static_files_have_hashed_names_a_long_cache_and_compressed_copies(server):
    _, _, page = server.get("/")
    css = HASHED_CSS.search(page.decode()).group(1)
    status, plain_headers, plain = server.get(css)
    assert status == 200
    assert "Content-Encoding" not in plain_headers
    assert "max-age=315360000" in plain_headers["Cache-Control"]
    assert "immutable" in plain_headers["Cache-Control"]
    for encoding in ("br", "gzip"):
        status, headers, compressed = server.get(css, **{"Accept-Encoding": encoding})
        assert status == 200
        assert headers["Content-Encoding"] == encoding
        assert len(compressed) < len(plain) / 3


def test_attachments_are_not_served_as_files(server):
    assert server.get("/media/actions/private.pdf")[0] == 404


def test_one_json_line_per_request_and_no_access_log(server):
    server.get("/sante/pret", **{"X-Request-ID": "essai-serve-2"})
    deadline = time.monotonic() + 5
    while not [line for line in server.log_lines() if line.get("request_id") == "essai-serve-2"]:
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.05)
    [line] = [line for line in server.log_lines() if line.get("request_id") == "essai-serve-2"]
    assert (line["logger"], line["method"], line["path"], line["status"], line["role"]) == (
        "maillage.requests",
        "GET",
        "/sante/pret",
        200,
        "anonymous",
    )
    assert any(line.get("path", "").startswith("/static/") for line in server.log_lines())
    assert '"GET /sante/pret HTTP/1.1"' not in server.log.read_text()


def test_two_workers_and_a_secret_kept_for_the_next_start(server):
    # The first worker may answer before the second has said it booted (seen in CI on a busy machine).
    deadline = time.monotonic() + 30
    while server.log.read_text().count("Booting worker") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.log.read_text().count("Booting worker") == 2
    secret = server.var / "secret_key"
    assert len(secret.read_text().strip()) >= 50
    assert secret.stat().st_mode & 0o077 == 0
