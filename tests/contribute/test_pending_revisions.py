"""Editing a published sheet: a proposal waits for a correspondent; the published version stays online."""

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from maillage.actions import editing
from maillage.actions.models import ActionFile, ActionState, PendingRevision
from maillage.history.models import Revision
from tests.factories import make_sheet

from .helpers import form_data, pdf

pytestmark = pytest.mark.django_db


def edit_url(action) -> str:
    return reverse("contribute:sheet-edit", kwargs={"pk": action.pk})


@pytest.fixture
def published(people):
    return make_sheet("Jardin des Lilas", people["structure"], summary="Version publiée", status="En cours")


def test_editing_a_published_sheet_creates_a_pending_revision(login, people, published, client):
    response = login("member").post(edit_url(published), form_data(published, summary="Nouvelle version"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.summary == "Version publiée" and published.state == ActionState.PUBLISHED
    pending = PendingRevision.objects.get(action=published)
    assert pending.data["content"]["texts"]["summary"] == "Nouvelle version"
    assert pending.submitted_by == people["member"]
    client.logout()
    public = client.get(published.get_absolute_url()).content.decode()
    assert "Version publiée" in public and "Nouvelle version" not in public
    # The author sees their proposal when they come back to the form.
    html = login("member").get(edit_url(published)).content.decode()
    assert "Nouvelle version" in html and "attendent la validation" in html


def test_approval_applies_the_revision_and_keeps_the_old_version(
    login, people, published, client, django_capture_on_commit_callbacks
):
    login("member").post(edit_url(published), form_data(published, summary="Nouvelle version"))
    pending = PendingRevision.objects.get(action=published)
    with pytest.raises(PermissionDenied):
        editing.approve_pending_revision(pending, people["far_correspondent"])
    with pytest.raises(PermissionDenied):
        editing.approve_pending_revision(pending, people["member"])
    with django_capture_on_commit_callbacks(execute=True):
        editing.approve_pending_revision(pending, people["correspondent"])
    published.refresh_from_db()
    assert published.summary == "Nouvelle version" and published.state == ActionState.PUBLISHED
    assert not PendingRevision.objects.exists()
    revision = Revision.objects.for_object(published).first()
    assert revision.data["summary"] == "Version publiée" and revision.changed_by == people["correspondent"]
    client.logout()
    assert "Nouvelle version" in client.get(published.get_absolute_url()).content.decode()
    assert mail.outbox[-1].to == [people["member"].email] and "validée" in mail.outbox[-1].subject
    with pytest.raises(editing.EditConflict, match="déjà été traitée"):
        editing.approve_pending_revision(pending, people["correspondent"])


def test_rejection_needs_a_comment_and_changes_nothing(login, people, published, django_capture_on_commit_callbacks):
    login("member").post(edit_url(published), form_data(published, summary="Nouvelle version"))
    pending = PendingRevision.objects.get(action=published)
    with pytest.raises(editing.EditRefused, match="commentaire est obligatoire"):
        editing.reject_pending_revision(pending, people["correspondent"], " ")
    with django_capture_on_commit_callbacks(execute=True):
        editing.reject_pending_revision(pending, people["correspondent"], "Le résumé était mieux <b>avant</b>.")
    published.refresh_from_db()
    assert published.summary == "Version publiée" and not PendingRevision.objects.exists()
    assert "Le résumé était mieux <b>avant</b>." in mail.outbox[-1].body


def test_files_of_a_proposal_wait_for_approval(
    login, people, published, media_root, django_capture_on_commit_callbacks
):
    client = login("member")
    client.post(edit_url(published), {**form_data(published), "files": [pdf("affiche.pdf")]})
    pending = PendingRevision.objects.get(action=published)
    [added] = pending.data["files_added"]
    assert added["name"] == "affiche.pdf" and (media_root / added["path"]).exists()
    assert not ActionFile.objects.filter(action=published).exists()
    editing.approve_pending_revision(pending, people["correspondent"])
    attached = ActionFile.objects.get(action=published)
    assert attached.name == "affiche.pdf" and attached.file.name == added["path"]


def test_rejected_files_leave_the_storage(login, people, published, media_root, django_capture_on_commit_callbacks):
    login("member").post(edit_url(published), {**form_data(published), "files": [pdf("affiche.pdf")]})
    pending = PendingRevision.objects.get(action=published)
    path = media_root / pending.data["files_added"][0]["path"]
    with django_capture_on_commit_callbacks(execute=True):
        editing.reject_pending_revision(pending, people["correspondent"], "Pas d'affiche.")
    assert not path.exists()


def test_removing_a_file_of_a_published_sheet_waits_for_approval(login, people, published, media_root,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    attached = ActionFile(action=published, name="ancienne.pdf")
    attached.file.save("x.pdf", io.BytesIO(b"%PDF-1.4"), save=True)
    login("member").post(edit_url(published), form_data(published, remove_files=[str(attached.pk)]))
    assert ActionFile.objects.filter(pk=attached.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        editing.approve_pending_revision(PendingRevision.objects.get(), people["correspondent"])
    assert not ActionFile.objects.filter(pk=attached.pk).exists()
    assert not (media_root / attached.file.name).exists()


def test_two_proposals_at_once_the_second_is_refused(login, people, published):
    first = form_data(published, summary="Proposition A")
    second = form_data(published, summary="Proposition B")
    assert login("member").post(edit_url(published), first).status_code == 302
    assert login("structure_admin").post(edit_url(published), second).status_code == 400
    assert PendingRevision.objects.get().data["content"]["texts"]["summary"] == "Proposition A"


def test_an_unchanged_form_creates_no_proposal(login, published):
    response = login("member").post(edit_url(published), form_data(published), follow=True)
    assert "Aucune modification" in response.content.decode()
    assert not PendingRevision.objects.exists()
