"""The jobs and the workers' heartbeats in the administration: read-only, in French."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.accounts.models import User
from maillage.jobs.models import Job, WorkerHeartbeat
from tests.logins import log_in

from .sample_tasks import note

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    log_in(client, User.objects.create_superuser(email="admin@example.org", password="mot-de-passe-solide"))
    return client


def test_jobs_are_listed_in_french_and_read_only(admin_client, database_queue, tmp_path):
    result = note.enqueue(str(tmp_path / "out.txt"), "x")
    DBTaskResult.objects.filter(id=result.id).update(status=TaskResultStatus.FAILED, traceback="Traceback: boum")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", host="serveur", pid=42, started_at=now, last_seen=now)
    assert not admin.site.is_registered(DBTaskResult)  # django-tasks-db's English page is replaced
    page = admin_client.get(reverse("admin:jobs_job_changelist"), {"etat": "FAILED"}).content.decode()
    assert "tâches de fond" in page and "en échec" in page and ">note<" in page
    change = admin_client.get(reverse("admin:jobs_job_change", args=[result.id])).content.decode()
    assert "Traceback: boum" in change
    assert admin_client.post(reverse("admin:jobs_job_delete", args=[result.id])).status_code == 403
    assert Job.objects.filter(id=result.id).exists()
    assert "serveur" in admin_client.get(reverse("admin:jobs_workerheartbeat_changelist")).content.decode()
