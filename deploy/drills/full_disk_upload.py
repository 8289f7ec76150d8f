"""Drill: the disk of the attachments fills up during an upload (make drills; docs/drills.md). Needs root (mount).

A 2 MiB tmpfs is mounted as MEDIA_ROOT and filled but for ~100 KiB; the production server (gunicorn, as
deploy/loadtest.sh starts it, on the load test's base) gets a logged-in member's sheet form with a 600 KiB PDF.
Passes when the answer is the form again with the French message, no file is left on the full disk, the sheet is
unchanged; then, the disk freed, the same upload goes through.

    .venv/bin/python deploy/drills/full_disk_upload.py      # DATABASE_URL, else var/loadtest.sqlite3
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = ROOT / "var" / "drills" / "full-disk-upload"
MEDIA = RUN_DIR / "media"
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post(url: str, body: bytes, content_type: str, cookies: str, csrf: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "Cookie": cookies, "X-CSRFToken": csrf})  # fmt: skip

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def stored_files() -> list[Path]:
    return [path for path in MEDIA.rglob("*") if path.is_file() and path.name != "remplissage"]


def main() -> int:
    if os.geteuid() != 0:
        print("Cet exercice monte un système de fichiers : lancez-le en root.", file=sys.stderr)
        return 2
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    MEDIA.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(MEDIA)], check=True)
    server = None
    try:
        filler = MEDIA / "remplissage"
        free = os.statvfs(MEDIA).f_bavail * os.statvfs(MEDIA).f_frsize
        filler.write_bytes(b"\0" * (free - 100 * 1024))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "false",
            "MEDIA_ROOT": str(MEDIA),
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'loadtest.sqlite3'}",
            "WEB_CONCURRENCY": "2",
        }
        plan_file = RUN_DIR / "plan.json"
        subprocess.run([BIN / "maillage", "loadtest_prepare", str(plan_file), "--editors", "1"], env=env, check=True,
                       cwd=ROOT)  # fmt: skip
        editor = json.loads(plan_file.read_text())["editors"][0]
        port = free_port()
        log = (RUN_DIR / "server.log").open("w")
        server = subprocess.Popen(["bash", "deploy/serve.sh", "web"], env={**env, "BIND": f"127.0.0.1:{port}"},
                                  cwd=ROOT, stdout=log, stderr=log)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/sante/vivant", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        csrf = secrets.token_hex(16)
        cookies = f"sessionid={editor['session']}; csrftoken={csrf}"
        fields = {**editor["sheet_form"], "summary": "Écrit pendant que le disque est plein"}
        fields = {
            key: [str(v) for v in value] if isinstance(value, list) else str(value) for key, value in fields.items()
        }
        pdf = b"%PDF-1.4\n" + os.urandom(600 * 1024)
        body, content_type = multipart(fields, {"files": ("programme.pdf", pdf)})
        status, html = post(base + editor["sheet_edit"], body, content_type, cookies, csrf)
        message = "n&#x27;a pas pu être enregistré : le serveur n&#x27;a plus de place"
        full = {"status": status, "message": message in html, "files_left": [str(p) for p in stored_files()],
                "typed_text_kept": "Écrit pendant que le disque est plein" in html}  # fmt: skip
        print(f"Disque plein : réponse {status}, message en français : {full['message']}, texte saisi gardé : "
              f"{full['typed_text_kept']}, fichiers laissés : {full['files_left'] or 'aucun'}")  # fmt: skip
        filler.unlink()
        status_after, _ = post(base + editor["sheet_edit"], body, content_type, cookies, csrf)
        after = stored_files()
        print(f"Disque libéré : réponse {status_after}, fichiers enregistrés : {len(after)}")
        passed = (status == 400 and full["message"] and full["typed_text_kept"] and not full["files_left"]
                  and status_after == 302 and len(after) == 1 and after[0].stat().st_size == len(pdf))  # fmt: skip
        print("Exercice réussi." if passed else "Exercice échoué.")
        return 0 if passed else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        subprocess.run(["umount", str(MEDIA)], check=False)


if __name__ == "__main__":
    sys.exit(main())
