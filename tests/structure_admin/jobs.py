"""Posting a form that starts a background import, and running the job as the worker would.

Tests run inside a transaction that never commits, so the task enqueued on commit is run by capturing the commit
callbacks (the ImmediateBackend then runs the task at once, as `config/settings/test.py` says)."""

from django.test import TestCase

from maillage.exchange.models import ImportJob

JOB_PAGE = "/espace/imports/{}/"


def post_and_run(client, url: str, data: dict | None = None):
    """POST, running the jobs the request enqueued; the response as it came (a redirect to the job's page)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data or {})


def job_of(response) -> ImportJob | None:
    """The job whose page a response redirects to (None: no job was started)."""
    if response.status_code != 302 or not response["Location"].startswith("/espace/imports/"):
        return None
    return ImportJob.objects.get(pk=int(response["Location"].split("/")[3]))


def post_and_follow(client, url: str, data: dict | None = None):
    """POST then GET the job's page (with `.job` set); a response without redirect comes back as it is."""
    response = post_and_run(client, url, data)
    job = job_of(response)
    if job is None:
        response.job = None
        return response
    page = client.get(response["Location"])
    page.job = ImportJob.objects.get(pk=job.pk)
    return page
