"""The workers' heartbeats: how a worker tells the others that the jobs it runs are not abandoned."""

from django.db import models
from django_tasks_db.models import DBTaskResult


class WorkerHeartbeat(models.Model):
    """One row per running `maillage worker`, refreshed every few seconds; deleted when it stops cleanly.

    A job left RUNNING by a worker whose heartbeat is stale (or whose process is gone, on the same host) is put
    back in the queue by the other workers (`worker.requeue_orphans`)."""

    worker_id = models.CharField("identifiant", max_length=64, unique=True)
    host = models.CharField("machine", max_length=255)
    pid = models.PositiveIntegerField("processus")
    started_at = models.DateTimeField("démarré le")
    last_seen = models.DateTimeField("vu le", db_index=True)

    class Meta:
        verbose_name = "signal de vie d'un exécuteur"
        verbose_name_plural = "signaux de vie des exécuteurs"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"


class Job(DBTaskResult):
    """A background job (django-tasks-db's row), under a French name for the administration."""

    class Meta:
        proxy = True
        verbose_name = "tâche de fond"
        verbose_name_plural = "tâches de fond"
