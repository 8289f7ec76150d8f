"""The deployment recipe of deploy/: systemd units, the nginx site, the environment file template.

As far as this machine allows: `systemd-analyze verify` on the units (their /srv/maillage paths pointed at this
checkout) and a real nginx in front of a stand-in backend, each skipped where the program is missing (.ci/run
installs nginx and openssl: deploy/debian-packages.sh ci). The rest reads the files.
"""

import configparser
import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import get_commands

from maillage.actions.files import MAX_FILE_SIZE, MAX_FILES_PER_SHEET
from maillage.exchange.web_import import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
NGINX_SITE = DEPLOY / "nginx" / "maillage.conf"
ENV_TEMPLATE = DEPLOY / "maillage.env.example"
README = ROOT / "README.md"
SERVER_ROOT = "/srv/maillage"
ENV_FILE = "/etc/maillage/maillage.env"
# The periodic jobs (README « Tâches périodiques »): command → schedule.
JOBS = {
    "send_alert_digests": "Mon *-*-* 07:00:00 Europe/Paris",
    "send_freshness_reminders": "*-*-01 08:00:00 Europe/Paris",
    "send_questionnaire_reminders": "Mon *-04,05-* 09:00:00 Europe/Paris",
    "purge_audit_log": "*-*-* 03:30:00 Europe/Paris",
}
SANDBOX = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ReadWritePaths": f"{SERVER_ROOT}/var",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "",
    "SystemCallFilter": "@system-service",
}
# Read by the settings but not a production setting: config.settings.prod forces DEBUG off.
NOT_IN_TEMPLATE = {"DEBUG"}
# What the application reads from the environment in production.
SETTINGS_FILES = [*(ROOT / "config").glob("*.py"), ROOT / "config/settings/base.py", ROOT / "config/settings/prod.py",
                  ROOT / "maillage/cli.py"]  # fmt: skip
ENV_READ = re.compile(r"""(?:environ\.get|environ\.setdefault|environ\[|env_bool|env_list)\(?\s*["']([A-Z0-9_]+)["']""")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#", ";"))
    parser.optionxform = str
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def timers() -> dict[str, configparser.ConfigParser]:
    return {path.name: unit(path.name) for path in sorted(SYSTEMD.glob("*.timer"))}


def repo_path(server_path: str) -> Path:
    assert server_path.startswith(SERVER_ROOT + "/"), server_path
    return ROOT / server_path.removeprefix(SERVER_ROOT + "/")


def template_values() -> tuple[dict[str, str], set[str]]:
    """The template's variables that are set (name → value, quotes removed) and those left commented out."""
    active, commented = {}, set()
    for line in ENV_TEMPLATE.read_text().splitlines():
        if match := re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(.*)", line):
            active[match[1]] = match[2].removeprefix('"').removesuffix('"')
        elif match := re.fullmatch(r"#([A-Z_][A-Z0-9_]*)=.*", line):
            commented.add(match[1])
    return active, commented


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- systemd ---------------------------------------------------------------------------------------------------


def test_web_service_runs_serve_sh_as_maillage_with_the_environment_file():
    service = unit("maillage-web.service")["Service"]
    assert service["User"] == service["Group"] == "maillage"
    assert service["WorkingDirectory"] == SERVER_ROOT
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["ExecStartPre"] == f"{SERVER_ROOT}/deploy/serve.sh prepare"
    assert service["ExecStart"] == f"{SERVER_ROOT}/deploy/serve.sh web"
    assert os.access(repo_path(service["ExecStart"].split()[0]), os.X_OK)
    assert service["Type"] == "notify"  # gunicorn says READY=1 once the app is loaded and the sockets bound
    assert service["Restart"] == "on-failure"
    assert unit("maillage-web.service")["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize(
    "name", ["maillage-web.service", "maillage-worker.service", "maillage-worker-mail.service", "maillage-job@.service"]
)
def test_services_are_sandboxed(name):
    service = unit(name)["Service"]
    assert {key: service.get(key) for key in SANDBOX} == SANDBOX
    # The data directory the sandbox leaves writable is the settings' default one.
    assert repo_path(service["ReadWritePaths"]) == ROOT / "var"


# The worker of every queue, and the e-mails' own (a long import in the first does not hold an e-mail back).
WORKERS = {
    "maillage-worker.service": ("worker", 'exec "$BIN/maillage" worker --no-reload\n'),
    "maillage-worker-mail.service": ("worker-mail", 'exec "$BIN/maillage" worker --no-reload --queue emails\n'),
}


@pytest.mark.parametrize("name", WORKERS)
def test_worker_services_run_the_workers_as_maillage_and_stop_them_gracefully(name):
    step, command = WORKERS[name]
    service = unit(name)["Service"]
    assert service["User"] == service["Group"] == "maillage"
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["ExecStart"] == f"{SERVER_ROOT}/deploy/serve.sh {step}"
    assert command in (ROOT / "deploy/serve.sh").read_text()
    # SIGTERM lets the current job finish; the worker is killed only past the timeout (its job then runs again).
    assert (service["KillSignal"], service["KillMode"], service["Restart"]) == ("SIGTERM", "mixed", "always")
    assert "maillage-web.service" in unit(name)["Unit"]["After"]  # after the migrations
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"
    makefile = (ROOT / "Makefile").read_text()
    assert f"serve-{step}:" in makefile
    assert re.search(rf"^SERVE_PROCESSES :=.* {step}( |$)", makefile, re.MULTILINE)  # `make serve` runs it too
    assert name in README.read_text()


def test_job_template_runs_a_maillage_command_of_the_venv():
    service = unit("maillage-job@.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["User"] == "maillage"
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["ExecStart"] == f"{SERVER_ROOT}/.venv/bin/maillage %i"
    # `make install` makes that venv and its console script.
    assert "VENV := .venv" in (ROOT / "Makefile").read_text()
    assert 'maillage = "maillage.cli:main"' in (ROOT / "pyproject.toml").read_text()


def test_every_timer_starts_an_existing_service():
    assert timers()
    for name, timer in timers().items():
        target = timer["Timer"].get("Unit", name.removesuffix(".timer") + ".service")
        template = re.sub(r"@.+\.service$", "@.service", target)
        assert (SYSTEMD / template).is_file(), f"{name} : {target}"
        assert timer["Timer"]["OnCalendar"]
        assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_periodic_jobs_have_their_timers_and_their_commands_exist():
    scheduled = {}
    for timer in timers().values():
        if match := re.fullmatch(r"maillage-job@(.+)\.service", timer["Timer"].get("Unit", "")):
            scheduled[match[1]] = timer["Timer"]["OnCalendar"]
            assert timer["Timer"]["Persistent"] == "true"
    assert scheduled == JOBS
    assert set(scheduled) <= set(get_commands())


def systemd_units_here(tmp_path: Path) -> Path:
    """The unit files with their /srv/maillage paths pointed at this checkout."""
    units = tmp_path / "units"
    units.mkdir()
    for path in SYSTEMD.iterdir():
        (units / path.name).write_text(path.read_text().replace(SERVER_ROOT, str(ROOT)))
    return units


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze absent")
def test_systemd_analyze_verifies_the_units(tmp_path):
    units = systemd_units_here(tmp_path)
    names = sorted(path.name for path in units.iterdir() if not path.name.endswith("@.service"))
    names += [f"maillage-job@{command}.service" for command in JOBS]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=units, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    # Unknown keys and typos are only warnings: any output fails the test.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze absent")
def test_the_timers_calendars_are_valid():
    for name, timer in timers().items():
        result = subprocess.run(["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]], capture_output=True,
                                text=True, timeout=30)  # fmt: skip
        assert result.returncode == 0, (name, result.stderr)


# --- environment file ----------------------------------------------------------------------------------------


def test_the_template_names_every_variable_the_application_reads_and_no_other():
    read = set()
    for path in SETTINGS_FILES:
        read |= set(ENV_READ.findall(path.read_text()))
    active, commented = template_values()
    assert active.keys().isdisjoint(commented)
    assert read - NOT_IN_TEMPLATE == set(active) | commented


def test_the_template_sets_production_settings_and_trusts_the_local_proxy():
    active, _ = template_values()
    assert active["DJANGO_SETTINGS_MODULE"] == "config.settings.prod"
    assert active["TRUSTED_PROXIES"] == "127.0.0.1"
    assert active["SECRET_KEY"] == ""  # a real one is made on the server: production refuses to start without
    assert active["SITE_URL"].startswith("https://")


def test_the_template_reads_the_same_in_a_shell(tmp_path):
    """deploy/maillage.sh sources the file that systemd reads as an EnvironmentFile."""
    dump = "import json, os; print(json.dumps(dict(os.environ)))"
    script = f'set -a; . "{ENV_TEMPLATE}"; set +a; "{sys.executable}" -c "{dump}"'
    result = subprocess.run(["bash", "-c", script], env={"PATH": os.environ["PATH"]}, capture_output=True,
                            text=True, timeout=30)  # fmt: skip
    assert result.returncode == 0, result.stderr
    shell = json.loads(result.stdout)
    active, _ = template_values()
    assert {name: shell.get(name) for name in active} == active


def test_production_checks_pass_with_the_template(tmp_path):
    active, _ = template_values()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **active, "MAILLAGE_VAR_DIR": str(tmp_path / "var"),
           "SECRET_KEY": "k" * 30 + "-secret-for-check-deploy-only-" + "x" * 20}  # fmt: skip
    result = subprocess.run([str(ROOT / ".venv/bin/maillage"), "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_maillage_sh_needs_a_readable_environment_file(tmp_path):
    result = subprocess.run([str(DEPLOY / "maillage.sh"), "check"], capture_output=True, text=True, timeout=30,
                            env={**os.environ, "MAILLAGE_ENV_FILE": str(tmp_path / "absent.env")})  # fmt: skip
    assert result.returncode == 1
    assert "Fichier d'environnement illisible" in result.stderr


# --- nginx -----------------------------------------------------------------------------------------------------


def test_nginx_site_passes_the_proxy_headers_over_tls():
    site = NGINX_SITE.read_text()
    for line in [
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "listen 443 ssl http2;",
        "ssl_certificate /etc/letsencrypt/live/maillage.example.org/fullchain.pem;",
        "ssl_certificate_key /etc/letsencrypt/live/maillage.example.org/privkey.pem;",
        "return 301 https://$host$request_uri;",
    ]:
        assert line in site
    active, _ = template_values()
    assert f"server {active['BIND']};" in site  # the upstream is where gunicorn listens


def test_nginx_site_takes_the_largest_upload_and_waits_for_exports():
    site = NGINX_SITE.read_text()
    body = int(re.search(r"client_max_body_size (\d+)m;", site)[1]) * 1024 * 1024
    assert body > max(MAX_UPLOAD_BYTES, MAX_FILES_PER_SHEET * MAX_FILE_SIZE)
    read_timeouts = [int(seconds) for seconds in re.findall(r"proxy_read_timeout (\d+)s;", site)]
    assert max(read_timeouts) >= 300


def test_nginx_site_never_serves_attachments_from_disk():
    lines = [line.split("#")[0] for line in NGINX_SITE.read_text().splitlines()]
    code = "\n".join(lines)
    assert "/media" not in code
    assert "alias " not in code
    assert re.findall(r"^\s*root (\S+);", code, re.MULTILINE) == ["/var/www/html"]  # the ACME challenges only


class EchoHeaders(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the request's path and headers."""

    def do_GET(self):  # noqa: N802
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx(tmp_path):
    """deploy/nginx/maillage.conf on free loopback ports, a throwaway certificate, an echo backend."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) or not shutil.which("openssl"):
        pytest.skip("nginx ou openssl absent (deploy/debian-packages.sh ci les installe)")
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=maillage.example.org", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoHeaders)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    site = (
        NGINX_SITE.read_text()
        .replace("/etc/letsencrypt/live/maillage.example.org/fullchain.pem", str(tmp_path / "cert.pem"))
        .replace("/etc/letsencrypt/live/maillage.example.org/privkey.pem", str(tmp_path / "key.pem"))
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{backend.server_address[1]};")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    )
    site = re.sub(r"^\s*listen \[::\]:.*$", "", site, flags=re.MULTILINE)
    (tmp_path / "site.conf").write_text(site)
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp_path / kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n{temp_paths}\n    include {tmp_path / 'site.conf'};\n}}\n"
    )
    command = [nginx_bin, "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        yield http_port, https_port
    finally:
        process.terminate()
        process.wait(timeout=10)
        backend.shutdown()
        backend.server_close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_nginx_redirects_http_to_https(nginx):
    http_port, _ = nginx
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(f"http://127.0.0.1:{http_port}/actions/?q=v%C3%A9lo",
                                     headers={"Host": "maillage.example.org"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as error:
        opener.open(request, timeout=10)
    error.value.close()
    assert error.value.code == 301
    assert error.value.headers["Location"] == "https://maillage.example.org/actions/?q=v%C3%A9lo"


def test_nginx_passes_the_client_scheme_and_host_to_the_application(nginx):
    _, https_port = nginx
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sent = {"Host": "maillage.example.org", "X-Forwarded-For": "203.0.113.9"}
    request = urllib.request.Request(f"https://127.0.0.1:{https_port}/sante/pret", headers=sent)
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        echoed = json.loads(response.read())
    headers = {name.lower(): value for name, value in echoed["headers"].items()}
    assert echoed["path"] == "/sante/pret"
    assert headers["host"] == "maillage.example.org"
    assert headers["x-forwarded-proto"] == "https"
    # What the client claimed, then the address nginx saw: the application trusts only the last hop.
    assert headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"


# --- README ----------------------------------------------------------------------------------------------------


def test_readme_recipe_names_the_deploy_files():
    section = README.read_text().split("## Mettre en production")[1].split("\n## ")[0]
    for name in ["deploy/maillage.env.example", "deploy/nginx/maillage.conf", "maillage-web.service",
                 "deploy/maillage.sh", "/sante/pret", "maillage backup /var/backups/maillage", "maillage-backup.timer",
                 "createsuperuser", "PostgreSQL 15", "Debian 12", *timers()]:  # fmt: skip
        assert name in section, name
