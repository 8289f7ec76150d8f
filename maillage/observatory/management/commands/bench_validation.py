"""`maillage bench_validation`: how long a correspondent's « Valider » takes, and the refresh it leaves to the worker.

On a scratch copy of a benchmark database (it changes data: `--responses` validated answers of the latest campaign
are put back to « transmis », then validated again through the real view, as a national administrator past the
second factor). Prints each POST's time (the answer is the redirection), the refresh jobs left in the queue (one per
year), then runs the worker on the refresh and times it (the publications' builds it queues are dropped). Needs
the database task backend (development and production settings).
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.accounts.models import User
from maillage.jobs.queue import uses_database
from maillage.jobs.worker import Worker
from maillage.observatory.figures.tasks import refresh_figures
from maillage.observatory.models import Campaign, FlagStatus, Response, ResponseStatus

BENCH_EMAIL = "bench-validation@maillage.local"


class Command(BaseCommand):
    help = "Mesure la validation d'un questionnaire (sur une copie d'une base de mesure : elle change des réponses)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--responses", type=int, default=20)

    def handle(self, *, responses: int, **options) -> None:
        if not uses_database(refresh_figures):
            raise CommandError("Il faut la file des tâches en base (réglages de développement ou de production).")
        year = Campaign.objects.order_by("-year").values_list("year", flat=True).first()
        if year is None:
            raise CommandError("Aucune campagne : lancez d'abord seed_demo --structures 4000.")
        chosen = list(
            Response.objects.filter(questionnaire__campaign__year=year, status=ResponseStatus.VALIDATED)
            .exclude(flags__status__in=(FlagStatus.OPEN, FlagStatus.SENT_BACK))
            .order_by("pk")
            .values_list("pk", "structure_id")[:responses]
        )
        Response.objects.filter(pk__in=[pk for pk, _ in chosen]).update(status=ResponseStatus.SUBMITTED)
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()
        client = self.client()
        samples = []
        for _, structure_id in chosen:
            url = reverse("observatory_check:validate", args=[year, structure_id])
            started = time.perf_counter()
            answer = client.post(url)
            samples.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 302:
                raise CommandError(f"{url} : HTTP {answer.status_code}")
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        self.stdout.write(
            f"{len(samples)} validations ({year}) : médiane {statistics.median(samples):.0f} ms, "
            f"p95 {sorted(samples)[round(0.95 * (len(samples) - 1))]:.0f} ms, max {max(samples):.0f} ms, "
            f"première {samples[0]:.0f} ms (processus froid) ; {waiting.count()} recalcul(s) en attente."
        )
        waiting.update(run_after=timezone.now())
        started = time.perf_counter()
        # The refresh only: the publications' builds it queues are left in the queue.
        Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
               max_tasks=1, worker_id="bench-validation", excluded_queue_names=[], heartbeat_seconds=5,
               stale_seconds=60, beat_in_thread=False).run()  # fmt: skip
        self.stdout.write(f"Recalcul par l'exécuteur : {time.perf_counter() - started:.2f} s.")
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()

    def client(self) -> Client:
        user, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"is_staff": True, "is_superuser": True})
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="bench", confirmed=True
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client
