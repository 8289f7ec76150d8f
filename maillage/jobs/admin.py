"""The background jobs and the workers' heartbeats in the administration, read-only and in French (in place of
django-tasks-db's English page)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import Job, WorkerHeartbeat

STATUS_LABELS = {"READY": "en attente", "RUNNING": "en cours", "SUCCESSFUL": "terminée", "FAILED": "en échec"}

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class StatusFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() in STATUS_LABELS else queryset


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(ReadOnly):
    list_display = ("task", "state", "enqueued_at", "not_before", "started_at", "finished_at", "runs")
    list_filter = (StatusFilter,)
    search_fields = ("task_path",)
    ordering = ("-enqueued_at",)
    fields = ("task", "state", "arguments", "enqueued_at", "not_before", "started_at", "finished_at", "runs",
              "exception_class_path", "traceback")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="tâche", ordering="task_path")
    def task(self, job: Job) -> str:
        return job.task_path.rsplit(".", 1)[-1]

    @admin.display(description="état", ordering="status")
    def state(self, job: Job) -> str:
        return STATUS_LABELS.get(job.status, job.status)

    @admin.display(description="pas avant", ordering="run_after")
    def not_before(self, job: Job):
        return None if job.run_after == get_date_max() else job.run_after

    @admin.display(description="exécutions")
    def runs(self, job: Job) -> int:
        return len(job.worker_ids)

    @admin.display(description="arguments")
    def arguments(self, job: Job) -> str:
        return str(job.args_kwargs)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnly):
    list_display = ("worker_id", "host", "pid", "started_at", "last_seen")
    ordering = ("-last_seen",)
