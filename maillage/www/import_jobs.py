"""The page of a background import: its state while it runs, then its report and the « Confirmer l'import » button.

The page asks `static/js/import-progress.js` to poll the job's state (JSON) and reloads itself once the job is
finished; without JavaScript an « Actualiser » link does the same. Only the person who started the job and the
national administrators see it (`perms.visible_import_jobs`); anyone else gets a 404, as for a job that does not
exist. Only the person who ran the dry run confirms it, and only while they may still import.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from maillage.accounts import perms
from maillage.accounts.client import client_address
from maillage.exchange import import_jobs
from maillage.exchange.models import ImportJob, JobKind
from maillage.french import count_noun


def _visible_job(request, pk: int) -> ImportJob:
    jobs = perms.visible_import_jobs(request.user, ImportJob.objects.select_related("confirmation"))
    return get_object_or_404(jobs, pk=pk)


def may_start(user, kind: str) -> bool:
    if kind == JobKind.PAST_ANSWERS:
        return perms.is_national_admin(user)
    return perms.can_import(user)


def upload_url(kind: str) -> str:
    if kind == JobKind.PAST_ANSWERS:
        return reverse("observatory_import:upload")
    return reverse("structure_admin:import-upload")


def job_state(job: ImportJob) -> dict:
    """What the page shows while the job runs, as the JSON endpoint gives it."""
    return {
        "status": job.status,
        "label": job.get_status_display(),
        "phase": job.phase,
        "percent": job.percent,
        "done": job.progress_done,
        "total": job.progress_total,
        "unit": job.progress_unit,
        # « 1 ligne sur 3 », written here so that the page and its script say it alike
        "lines": f"{count_noun(job.progress_done, 'ligne')} sur {job.progress_total}"
        if job.progress_unit == "lignes" and job.progress_total
        else "",
        "finished": job.finished,
    }


@never_cache
@login_required
@require_GET
def job_page(request, pk: int):
    job = _visible_job(request, pk)
    confirmation = getattr(job, "confirmation", None)
    report = job.report or {}
    context = {
        "job": job,
        "state": job_state(job),
        "kind_label": JobKind(job.kind).label,
        "report": report,
        "errors": report.get("errors", []),
        "warnings": report.get("warnings", []),
        "confirmation": confirmation,
        "may_confirm": (
            confirmation is None
            and job.started_by_id == request.user.pk
            and may_start(request.user, job.kind)
            and import_jobs.can_confirm(job)
        ),
        "upload_url": upload_url(job.kind),
    }
    return render(request, "imports/job.html", context)


@never_cache
@login_required
@require_GET
def job_state_json(request, pk: int):
    job = _visible_job(request, pk)
    return JsonResponse(job_state(job))


@never_cache
@login_required
@require_POST
def job_confirm(request, pk: int):
    """Run for real the import whose dry run the person has seen: a second job on the same stored file."""
    job = _visible_job(request, pk)
    if job.started_by_id != request.user.pk or not may_start(request.user, job.kind):
        raise PermissionDenied("Seule la personne qui a lancé l'essai peut confirmer l'import.")
    real = import_jobs.confirm_job(job, user=request.user, client_address=client_address(request))
    if real is None:
        context = {"job": job, "upload_url": upload_url(job.kind)}
        return render(request, "imports/expired.html", context, status=409)
    return redirect("structure_admin:import-job", pk=real.pk)
