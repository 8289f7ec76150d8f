"""The history page of a sheet: transitions, versions with readable differences, restoring a version."""

import pytest

from maillage.actions.history import diff_records, restore_version, sheet_versions, text_diff
from maillage.actions.models import ActionState
from maillage.actions.services import action_snapshot
from maillage.actions.workflow import transition
from maillage.audit.models import AuditEvent
from maillage.exchange.records import empty_record
from maillage.history.models import Revision
from tests.factories import change_sheet, make_sheet

from .conftest import ROLES

pytestmark = pytest.mark.django_db
State = ActionState


def test_text_diff_by_paragraph_then_word():
    rows = text_diff("un\ndeux\ntrois mots ici\nquatre\ncinq", "un\ndeux\ntrois MOTS ici\nquatre\ncinq")
    assert [(row.kind, row.segments) for row in rows] == [
        ("same", [("same", "deux")]),
        ("changed", [("same", "trois "), ("removed", "mots"), ("added", "MOTS"), ("same", " ici")]),
        ("same", [("same", "quatre")]),
    ]


def test_diff_records_field_by_field():
    old = {**empty_record(), "title": "Jardin", "summary": "Un potager.", "keywords": ["Culture", "Santé"],
           "status": "En cours"}  # fmt: skip
    new = {**old, "title": "Jardin partagé", "keywords": ["Santé", "Famille"], "status": "Terminée"}
    changes = {change.key: change for change in diff_records(old, new)}
    assert list(changes) == ["title", "status", "keywords"]
    assert (changes["title"].before, changes["title"].after) == ("Jardin", "Jardin partagé")
    assert (changes["keywords"].added, changes["keywords"].removed) == (["Famille"], ["Culture"])
    assert changes["status"].kind == "value" and changes["keywords"].kind == "list"
    reordered = diff_records(old, {**old, "keywords": ["Santé", "Culture"]})
    assert reordered[0].reordered


@pytest.fixture
def edited(world):
    sheet = make_sheet("Jardin des Lilas", world.structure_a, state=State.DRAFT,
                       summary="Un potager.\nOuvert le mercredi.", keywords=["Culture"])  # fmt: skip
    change_sheet(sheet, summary="Un potager partagé.\nOuvert le mercredi.", keywords=["Culture", "Santé"])
    transition(sheet, State.SUBMITTED, acting_user=world.users["member_a"])
    return sheet


def url(sheet) -> str:
    return f"/espace/fiches/{sheet.pk}/historique/"


EXPECTED = {
    "anonymous": 302,
    "member_a": 200,
    "admin_a": 200,
    "member_b": 404,
    "correspondent": 200,
    "other_correspondent": 404,
    "national_admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_history(client, world, edited, role):
    response = world.client_for(client, role).get(url(edited))
    assert response.status_code == EXPECTED[role]
    if response.status_code != 200:
        assert b"potager" not in response.content


def test_history_shows_transitions_and_differences(client, world, edited):
    page = world.client_for(client, "member_a").get(url(edited)).content.decode()
    assert "brouillon → soumise" in page
    assert "Un potager<ins> partagé</ins>." in page
    assert "Ajouté : <ins>Santé</ins>" in page
    assert "Avant : <del>brouillon" not in page  # the state is not content
    assert "Restaurer cette version" in page
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_versions_newest_first(edited):
    change_sheet(edited, title="Jardin des Lilas (2025)")
    versions = sheet_versions(edited)  # a change of state alone leaves the content, so no version
    assert [version.record["title"] for version in versions] == ["Jardin des Lilas", "Jardin des Lilas"]
    assert versions[0].record["summary"] == "Un potager partagé.\nOuvert le mercredi."
    assert versions[1].record["summary"] == "Un potager.\nOuvert le mercredi."
    assert [change.key for change in versions[0].changes] == ["title"]
    assert [change.key for change in versions[1].changes] == ["keywords", "summary"]


def test_restore_through_the_page(client, world, edited):
    oldest = Revision.objects.for_object(edited).order_by("created_at", "id").first()
    response = world.client_for(client, "member_a").post(f"{url(edited)}{oldest.pk}/restaurer/")
    assert response.status_code == 302
    restored = action_snapshot(edited.pk)
    assert restored["summary"] == "Un potager.\nOuvert le mercredi." and restored["keywords"] == ["Culture"]
    edited.refresh_from_db()
    assert edited.state == State.SUBMITTED
    latest = Revision.objects.for_object(edited).first()
    assert latest.source == "restauration" and latest.data["keywords"] == ["Culture", "Santé"]
    assert AuditEvent.objects.filter(object_id=str(edited.pk), details__operation="version_restored").exists()
    page = client.get(url(edited)).content.decode()
    assert "La version a été restaurée" in page


@pytest.mark.parametrize("role", ["anonymous", "member_b", "other_correspondent"])
def test_outsiders_cannot_restore(client, world, edited, role):
    revision = Revision.objects.for_object(edited).first()
    response = world.client_for(client, role).post(f"{url(edited)}{revision.pk}/restaurer/")
    assert response.status_code in (302, 404)
    assert action_snapshot(edited.pk)["keywords"] == ["Culture", "Santé"]


def test_another_structures_draft_is_not_found_like_an_unknown_sheet(client, world, edited):
    """Nothing tells that a sheet the person may not see exists: same answer as for an unknown number."""
    client = world.client_for(client, "member_b")
    hidden, unknown = client.get(url(edited)), client.get("/espace/fiches/999999/historique/")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    revision = Revision.objects.for_object(edited).first()
    assert client.post(f"{url(edited)}{revision.pk}/restaurer/").status_code == 404


def test_revision_of_another_sheet_is_not_found(client, world, edited):
    other = make_sheet("Autre fiche", world.structure_a, state=State.DRAFT)
    change_sheet(other, summary="changé")
    foreign = Revision.objects.for_object(other).first()
    response = world.client_for(client, "member_a").post(f"{url(edited)}{foreign.pk}/restaurer/")
    assert response.status_code == 404


def test_restore_needs_post(client, world, edited):
    revision = Revision.objects.for_object(edited).first()
    assert world.client_for(client, "member_a").get(f"{url(edited)}{revision.pk}/restaurer/").status_code == 405


def test_members_do_not_restore_a_published_sheet_but_moderators_do(world, edited):
    transition(edited, State.PUBLISHED, acting_user=world.users["correspondent"])
    revision = Revision.objects.for_object(edited).order_by("created_at", "id").first()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        restore_version(edited, revision, world.users["member_a"])
    restore_version(edited, revision, world.users["correspondent"])
    assert action_snapshot(edited.pk)["summary"] == "Un potager.\nOuvert le mercredi."
