"""`maillage worker`: runs the background tasks (django-tasks-db's `db_worker`, with heartbeat and recovery).

Every queue by default; `--queue emails` (repeatable, or comma-separated) for the named queues only, as the
e-mail worker does (deploy/systemd/maillage-worker-mail.service, `make serve`, `make run`)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks import task_backends
from django_tasks_db.management.commands import db_worker

from maillage.jobs.worker import Worker


class Command(db_worker.Command):
    help = (
        "Fait tourner les tâches de fond (chiffres de l'observatoire, courriels…) ; signal de vie dans la base, "
        "tâches d'un exécuteur arrêté brutalement remises dans la file."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")  # every queue, e-mails included (django-tasks-db: "default" only)
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            metavar="FILE",
            help="ne fait tourner que les tâches de cette file (ex. emails) ; à répéter pour plusieurs "
            "(défaut : toutes les files)",
        )
        parser.add_argument(
            "--heartbeat",
            type=db_worker.valid_interval,
            default=settings.TASK_WORKER_HEARTBEAT_SECONDS,
            help="secondes entre deux signaux de vie (défaut : %(default)s)",
        )
        parser.add_argument(
            "--stale-after",
            type=db_worker.valid_interval,
            default=settings.TASK_WORKER_STALE_SECONDS,
            help="un exécuteur sans signal de vie depuis ce nombre de secondes est tenu pour arrêté, ses tâches "
            "reprises (défaut : %(default)s)",
        )

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, heartbeat, stale_after, queues, **options) -> None:  # fmt: skip
        self.configure_logging(verbosity)
        if heartbeat >= stale_after:
            raise CommandError("--heartbeat doit être plus court que --stale-after.")
        queue_names = [name.strip() for value in queues or [queue_name] for name in value.split(",") if name.strip()]
        known = task_backends[backend_name].queues
        unknown = set(queue_names) - {"*", *known} if known else set()
        if unknown:
            raise CommandError(f"File inconnue : {', '.join(sorted(unknown))} (files : {', '.join(sorted(known))}).")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues ne va qu'avec --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            heartbeat_seconds=heartbeat,
            stale_seconds=stale_after,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
