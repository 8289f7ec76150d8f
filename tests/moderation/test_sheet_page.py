"""The moderation page of a sheet: preview, transitions log, decisions through the workflow."""

import pytest
from django.core import mail

from maillage.actions.models import ActionState, ActionTransition
from maillage.actions.workflow import transition
from tests.factories import make_sheet
from tests.logins import log_in

from .conftest import ROLES

pytestmark = pytest.mark.django_db
State = ActionState


@pytest.fixture
def submitted(world):
    sheet = make_sheet("Jardin <script>alert(1)</script>", world.structure_a, state=State.DRAFT,
                       summary="Un potager partagé.")  # fmt: skip
    transition(sheet, State.SUBMITTED, acting_user=world.users["member_a"])
    return sheet


def url(sheet) -> str:
    return f"/moderation/fiches/{sheet.pk}/"


EXPECTED = {
    "anonymous": 302,
    "member_a": 403,
    "admin_a": 403,
    "member_b": 403,
    "correspondent": 200,
    "other_correspondent": 404,
    "national_admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_a_sheet(client, world, submitted, role):
    response = world.client_for(client, role).get(url(submitted))
    assert response.status_code == EXPECTED[role]
    if response.status_code != 200:
        assert b"potager" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_who_may_publish(client, world, submitted, role):
    response = world.client_for(client, role).post(url(submitted), {"target": State.PUBLISHED})
    submitted.refresh_from_db()
    allowed = role in ("correspondent", "national_admin")
    assert (submitted.state == State.PUBLISHED) is allowed
    assert response.status_code == (302 if allowed else EXPECTED[role])


def test_preview_log_and_buttons(client, world, submitted):
    page = world.client_for(client, "correspondent").get(url(submitted)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "Un potager partagé." in page
    assert "brouillon → soumise" in page
    assert 'value="published"' in page and "Publier" in page and "Renvoyer à la structure" in page
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_publish_through_the_page(client, world, submitted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(client, "correspondent").post(url(submitted), {"target": State.PUBLISHED})
    assert response.status_code == 302 and response["Location"] == url(submitted)
    submitted.refresh_from_db()
    assert submitted.state == State.PUBLISHED
    assert mail.outbox and "publiée" in mail.outbox[0].subject
    page = client.get(url(submitted)).content.decode()
    assert "La fiche est maintenant publiée." in page


def test_return_needs_a_comment(client, world, submitted):
    correspondent = world.client_for(client, "correspondent")
    response = correspondent.post(url(submitted), {"target": State.RETURNED, "comment": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Un commentaire est obligatoire pour renvoyer une fiche" in page
    assert 'aria-describedby="comment-help comment-error"' in page
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    response = correspondent.post(url(submitted), {"target": State.RETURNED, "comment": "Précisez le public."})
    assert response.status_code == 302
    logged = ActionTransition.objects.filter(action=submitted).last()
    assert (logged.target, logged.comment, logged.acting_user) == (
        State.RETURNED, "Précisez le public.", world.users["correspondent"])  # fmt: skip


def test_impossible_move_is_explained(client, world, submitted):
    response = world.client_for(client, "correspondent").post(url(submitted), {"target": State.DRAFT})
    assert response.status_code == 400
    assert "ne peut pas devenir brouillon" in response.content.decode()


def test_post_without_csrf_token_is_refused(world, submitted):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    log_in(client, world.users["correspondent"])
    response = client.post(url(submitted), {"target": State.PUBLISHED})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_unknown_sheet_is_not_found(client, world):
    assert world.client_for(client, "national_admin").get("/moderation/fiches/999999/").status_code == 404


def test_a_comment_holding_a_nul_character_is_a_400_and_changes_nothing(client, world, submitted):
    correspondent = world.client_for(client, "correspondent")
    response = correspondent.post(url(submitted), {"target": State.RETURNED, "comment": "Précisez\x00 le public."})
    assert response.status_code == 400
    assert "Paramètre «&nbsp;comment&nbsp;»" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
