"""`python -m maillage.demo.bench_locking FICHIER`: other people use the site while a file of action sheets is imported.

In one process, on the database of `DATABASE_URL` (settings `config.settings.dev` unless `DJANGO_SETTINGS_MODULE`
says otherwise): `import_actions` reads FICHIER in a thread (`--dry-run` as the command's) while the main thread,
as another person, logs in, autosaves a draft and asks for an alert, round after round until the import ends,
through Django's test client. Each round is printed as a line of JSON as it ends, then the summary: the import's
time and report, the answers by status code, the slowest. On SQLite the two threads have their own connections,
so the import's write lock is met as a web worker meets it.

The person is `bench-verrou@maillage.local`, member of « Centre social du banc d'essai » with a draft: created when
missing, kept. `--lock-wait` shortens the wait for SQLite's lock (the settings' `timeout`).
"""

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter

EMAIL = "bench-verrou@maillage.local"
PASSWORD = "banc d'essai du verrou 2026"
STRUCTURE = "Centre social du banc d'essai"
DRAFT = "Brouillon du banc d'essai"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", metavar="FICHIER")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--lock-wait", type=float, help="secondes d'attente du verrou SQLite (sinon : les réglages)")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    if options.lock_wait is not None and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["OPTIONS"]["timeout"] = options.lock_wait  # before any connection opens
    setup_test_environment()  # the test client's host, e-mails kept in memory
    from django.test import Client

    draft = _prepare_person()
    Client().get("/connexion/")  # the first request loads URLs and templates: not a lock wait
    outcome: dict = {}
    importer = threading.Thread(target=_import, args=(options.file, options.dry_run, outcome), name="import")
    started = time.monotonic()
    importer.start()
    answers = []
    number = 0
    while importer.is_alive():
        number += 1
        round_answers = _round(number, draft)
        answers += round_answers
        _print({"round": number, "answers": round_answers})
    importer.join()
    statuses = Counter(str(status) for _, status, _ in answers)
    slowest = max(answers, key=lambda answer: answer[2], default=None)
    outcome["seconds"] = round(outcome.get("ended", started) - started, 2)
    outcome.pop("ended", None)
    _print({"import": outcome, "rounds": number, "statuses": dict(statuses), "slowest": slowest})


def _print(data: dict) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _import(path: str, dry_run: bool, outcome: dict) -> None:
    from django.db import connection

    from maillage.exchange.reading import ImportFileError
    from maillage.exchange.services import import_actions

    try:
        report = import_actions(path, dry_run=dry_run)
        outcome["summary"] = report.summary()
    except ImportFileError as error:
        outcome["error"] = str(error)
    except Exception as error:  # noqa: BLE001 - reported in the summary, which the caller reads
        outcome["error"] = f"{type(error).__name__}: {error}"
    finally:
        outcome["ended"] = time.monotonic()
        connection.close()


def _prepare_person():
    from maillage.accounts.models import Membership, User
    from maillage.actions import editing
    from maillage.actions.models import Action
    from maillage.referentials.models import ActionStatus, Department
    from maillage.structures.models import Structure

    structure, _ = Structure.objects.get_or_create(
        name=STRUCTURE, defaults={"kind": "csx", "department": Department.objects.get(code="13")}
    )
    person = User.objects.filter(email=EMAIL).first() or User.objects.create_user(EMAIL, password=PASSWORD)
    Membership.objects.get_or_create(user=person, structure=structure)
    draft = Action.objects.filter(title=DRAFT, structure=structure).first()
    if draft is None:
        status = ActionStatus.objects.order_by("position").first()
        content = editing.SheetContent(texts={"title": DRAFT, "summary": "Un résumé."}, status_id=status.pk)
        draft = editing.create_sheet(structure, content, acting_user=person)
    return draft


def _round(number: int, draft) -> list[tuple[str, int, float]]:
    """Log in, autosave the draft, ask for an alert: (what, HTTP status, seconds) of each."""
    from django.test import Client

    from maillage.actions import editing

    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"  # per-address limits
    client = Client(raise_request_exception=False, REMOTE_ADDR=address)
    draft.refresh_from_db()
    content = editing.SheetContent.of(draft)
    autosave = {**content.texts, "status": content.status_id or "", "territory": content.territory_id or ""}
    autosave.update({key: ids for key, ids in content.lists.items()})
    autosave["summary"] = f"Résumé enregistré au tour {number}."
    autosave["version"] = editing.edit_version(draft, editing.pending_of(draft))
    requests = [
        ("login", "/connexion/", {"username": EMAIL, "password": PASSWORD}),
        ("autosave", f"/espace/fiches/{draft.pk}/brouillon/", autosave),
        ("alert", "/alertes/", {"email": f"abonne-{number}@maillage.local", "query": "q=jardin"}),
    ]
    answers = []
    for name, url, data in requests:
        started = time.monotonic()
        response = client.post(url, data)
        answers.append((name, response.status_code, round(time.monotonic() - started, 3)))
    return answers


if __name__ == "__main__":
    sys.exit(main())
