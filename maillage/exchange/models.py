"""Imports run in the background: one row per job, read by its progress page (`exchange/import_jobs.py`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobKind(models.TextChoices):
    ACTIONS = "actions", "Fiches actions (export texte de la banque d'actions)"
    STRUCTURES = "structures", "Structures (export texte de l'annuaire)"
    STRUCTURE_TABLE = "structure_table", "Structures (tableau CSV ou XLSX, une ligne par structure)"
    PAST_ANSWERS = "past_answers", "Réponses d'une campagne passée de l'observatoire (tableau CSV ou XLSX)"


class JobStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    RUNNING = "running", "en cours"
    DONE = "done", "terminé"
    FAILED = "failed", "échoué"


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class ImportJob(models.Model):
    """An import of an uploaded file, dry run or real, run by the task worker.

    The file is kept outside the public media (`web_import.upload_dir()`, under the random `token`) until the real
    import is done or the dry run failed; files left waiting for a confirmation are removed after a while."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name="lancé par"
    )
    kind = models.CharField("contenu du fichier", max_length=20, choices=JobKind.choices)
    filename = models.CharField("nom du fichier", max_length=200)
    token = models.CharField("nom du fichier gardé", max_length=64)
    options = models.JSONField("options", default=dict, blank=True)
    dry_run = models.BooleanField("essai", default=True)
    confirms = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmation",
        verbose_name="essai confirmé",
    )
    status = models.CharField("état", max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    phase = models.CharField("étape", max_length=100, default="En attente du traitement", blank=True)
    progress_done = models.PositiveBigIntegerField("avancement", default=0)
    progress_total = models.PositiveBigIntegerField("total", default=0)
    progress_unit = models.CharField("unité", max_length=10, default="", blank=True)
    report = models.JSONField("compte rendu", default=dict, blank=True)
    client_address = models.GenericIPAddressField("adresse de la personne", null=True, blank=True)
    attempts = models.PositiveIntegerField("essais d'exécution", default=0)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    committed_at = models.DateTimeField("enregistré le", null=True, blank=True)
    finished_at = models.DateTimeField("fini le", null=True, blank=True)

    class Meta:
        verbose_name = "import en arrière-plan"
        verbose_name_plural = "imports en arrière-plan"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["started_by", "-created_at"], name="importjob_user_created"),
            models.Index(fields=["status", "created_at"], name="importjob_status_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="importjob_status_known"),
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="importjob_kind_known"),
            models.CheckConstraint(
                condition=Q(committed_at__isnull=True) | Q(dry_run=False), name="importjob_dry_run_never_committed"
            ),
        ]

    def __str__(self) -> str:
        what = "Essai d'import" if self.dry_run else "Import"
        return f"{what} de {self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def ok(self) -> bool:
        return self.status == JobStatus.DONE

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
