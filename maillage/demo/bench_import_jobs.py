"""`python -m maillage.demo.bench_import_jobs [--structures N]`: what a web import costs the request, now that it is
a background job.

On the database of `DATABASE_URL` (migrated first; settings `config.settings.dev` unless `DJANGO_SETTINGS_MODULE` says
otherwise), through Django's test client as a national administrator: upload a CSV table of N structures (the
request only stores the file and queues the job), run the dry run's job as the worker does, confirm, run the real
import's job, ask the job's JSON state. Prints the times. The base should hold no structure named « Centre social
Banc … » (an empty base is simplest); `ALLOWED_HOSTS` must allow `testserver`.
"""

import argparse
import os
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=4000)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(run(options.structures))


def run(count: int) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maillage.accounts.models import User
    from maillage.exchange import import_jobs
    from maillage.exchange.models import ImportJob, JobStatus

    rows = ["name;kind;postcode;commune"]
    rows += [f"Centre social Banc {n};csx;13{n % 16:03d};Marseille" for n in range(count)]
    content = ("\n".join(rows) + "\n").encode()
    admin, _ = User.objects.get_or_create(email="bench-imports@maillage.local", defaults={"is_national_admin": True})
    client = Client()
    client.force_login(admin)
    session = client.session
    device, _ = TOTPDevice.objects.get_or_create(user=admin, name="banc", defaults={"confirmed": True})
    session["otp_device_id"] = device.persistent_id  # past the second factor
    session.save()
    client.get("/espace/imports/")  # the process's first request loads what every later one shares

    upload, response = _timed(
        client.post, "/espace/imports/", {"kind": "structure_table", "file": SimpleUploadedFile("t.csv", content)}
    )
    assert response.status_code == 302, response.status_code
    dry_run = ImportJob.objects.get(pk=int(response["Location"].split("/")[3]))
    reading, _ = _timed(import_jobs.run_job, dry_run.pk)
    confirm, response = _timed(client.post, f"/espace/imports/{dry_run.pk}/confirmer/")
    real = ImportJob.objects.get(confirms=dry_run)
    writing, _ = _timed(import_jobs.run_job, real.pk)
    state, _ = _timed(client.get, f"/espace/imports/{real.pk}/etat.json")
    real.refresh_from_db()
    assert real.status == JobStatus.DONE, real.report
    return (
        f"{count} structures ({len(content) // 1024} Kio de CSV) : envoi {upload * 1000:.0f} ms (tâche en file), "
        f"essai dans le worker {reading:.1f} s, confirmation {confirm * 1000:.0f} ms, import dans le worker "
        f"{writing:.1f} s, état JSON {state * 1000:.0f} ms"
    )


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


if __name__ == "__main__":
    main()
