"""Changes proposed to published sheets: listed for moderators of the department, approved or rejected."""

import pytest

from maillage.actions.editing import SheetContent, edit_version, save_sheet
from maillage.actions.models import ActionState, PendingRevision
from maillage.actions.services import action_snapshot
from tests.factories import make_sheet

from .conftest import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(world):
    sheet = make_sheet("Jardin des Lilas", world.structure_a, state=ActionState.PUBLISHED, summary="Un potager.")
    content = SheetContent.of(sheet)
    content.texts["summary"] = "Un potager <b>partagé</b>."
    outcome = save_sheet(sheet, content, version=edit_version(sheet), acting_user=world.users["member_a"])
    assert outcome.pending is not None
    return outcome.pending


EXPECTED = {"anonymous": 302, "member_a": 403, "admin_a": 403, "member_b": 403, "correspondent": 200,
            "other_correspondent": 404, "national_admin": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_proposal(client, world, pending, role):
    listing = world.client_for(client, role).get("/moderation/modifications/")
    detail = client.get(f"/moderation/modifications/{pending.pk}/")
    assert detail.status_code == EXPECTED[role]
    if role == "other_correspondent":
        assert listing.status_code == 200 and "Jardin des Lilas" not in listing.content.decode()
    if detail.status_code == 200:
        page = detail.content.decode()
        assert "Un potager<ins> &lt;b&gt;partagé&lt;/b&gt;</ins>." in page and "<b>partagé" not in page
        assert "INVALID TEMPLATE VARIABLE" not in page
    else:
        assert b"partag" not in detail.content


def test_reject_needs_a_comment_then_approve(client, world, pending):
    correspondent = world.client_for(client, "correspondent")
    url = f"/moderation/modifications/{pending.pk}/"
    response = correspondent.post(url, {"decision": "reject", "comment": " "})
    assert response.status_code == 400 and "Un commentaire est obligatoire" in response.content.decode()
    response = correspondent.post(url, {"decision": "approve"})
    assert response.status_code == 302
    assert not PendingRevision.objects.exists()
    assert action_snapshot(pending.action_id)["summary"] == "Un potager <b>partagé</b>."


def test_reject(client, world, pending):
    response = world.client_for(client, "national_admin").post(
        f"/moderation/modifications/{pending.pk}/", {"decision": "reject", "comment": "Trop vague."}
    )
    assert response.status_code == 302
    assert not PendingRevision.objects.exists()
    assert action_snapshot(pending.action_id)["summary"] == "Un potager."


def test_rejecting_a_change_of_a_sheet_whose_stored_title_has_a_line_break_tells_its_author(
    client, world, pending, django_capture_on_commit_callbacks
):
    from django.core import mail

    from maillage.actions.models import Action

    Action.objects.filter(pk=pending.action_id).update(title="Jardin\ndes Lilas")  # saved before titles were checked
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(client, "national_admin").post(
            f"/moderation/modifications/{pending.pk}/", {"decision": "reject", "comment": "Trop vague."}
        )
    assert response.status_code == 302
    assert [message.subject for message in mail.outbox] == [
        "Votre modification de la fiche « Jardin des Lilas » a été refusée"
    ]
