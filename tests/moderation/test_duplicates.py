"""Probable duplicates: importer flags and similar titles; merging keeps both histories; dismissing."""

import pytest

from maillage.actions.models import Action, ActionState, ActionTransition
from maillage.actions.moderation import merge_actions, probable_duplicates
from maillage.actions.workflow import transition
from maillage.audit.models import AuditEvent
from maillage.history.models import Revision
from tests.factories import change_sheet, make_sheet

from .conftest import ROLES

pytestmark = pytest.mark.django_db
State = ActionState


@pytest.fixture
def pair(world):
    kept = make_sheet("Jardin partagé des Lilas", world.structure_a, state=State.DRAFT, summary="Version A.")
    removed = make_sheet("Le jardin partagé des Lilas", world.structure_b, state=State.DRAFT, summary="Version B.")
    change_sheet(removed, summary="Version B corrigée.")
    transition(removed, State.SUBMITTED, acting_user=world.users["member_b"])
    Action.objects.filter(pk=removed.pk).update(probable_duplicate_of=kept)
    removed.refresh_from_db()
    return kept, removed


def test_flags_and_similar_titles_in_scope(world, pair):
    kept, removed = pair
    make_sheet("Jardin partagé des Lilas", world.structure_69)  # same title, another department
    lookalike = make_sheet("Jardin partage des lilas !", world.structure_b)
    make_sheet("Jardin partagé des Lilas", world.structure_a)  # same structure as `kept`: not across structures
    found = {frozenset((p.first.pk, p.second.pk)): p for p in probable_duplicates(world.users["correspondent"])}
    flagged = found[frozenset((kept.pk, removed.pk))]
    assert flagged.flagged and "signalé à l'import" in flagged.reasons
    assert frozenset((kept.pk, lookalike.pk)) in found
    assert not found[frozenset((kept.pk, lookalike.pk))].flagged
    assert all(p.first.structure.department.code == "13" for p in found.values())
    assert all(p.first.structure_id != p.second.structure_id for p in found.values())
    assert probable_duplicates(world.users["other_correspondent"]) == []


EXPECTED = {"anonymous": 302, "member_a": 403, "admin_a": 403, "member_b": 403, "correspondent": 200,
            "other_correspondent": 200, "national_admin": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_duplicates_page(client, world, pair, role):
    response = world.client_for(client, role).get("/moderation/doublons/")
    assert response.status_code == EXPECTED[role]
    shown = "Le jardin partagé des Lilas" in response.content.decode()
    assert shown is (role in ("correspondent", "national_admin"))


def test_merge_page_confirms_then_keeps_both_histories(client, world, pair):
    kept, removed = pair
    correspondent = world.client_for(client, "correspondent")
    params = {"garder": kept.pk, "supprimer": removed.pk}
    page = correspondent.get("/moderation/doublons/fusionner/", params).content.decode()
    assert "Confirmer la fusion" in page
    assert Action.objects.filter(pk=removed.pk).exists()
    response = correspondent.post("/moderation/doublons/fusionner/", {**params, "structures_differentes": "on"})
    assert response.status_code == 302 and response["Location"] == f"/moderation/fiches/{kept.pk}/"
    assert not Action.objects.filter(pk=removed.pk).exists()
    moved = ActionTransition.objects.filter(action=kept)
    assert [(t.source, t.target) for t in moved] == [(State.DRAFT, State.SUBMITTED)]
    assert moved[0].comment.startswith(f"[fiche n° {removed.pk}")
    summaries = [revision.data["summary"] for revision in Revision.objects.for_object(kept)]
    assert "Version B." in summaries and "Version B corrigée." in summaries  # its changes and its last state
    events = AuditEvent.objects.filter(details__operation="duplicate_merged")
    assert {event.object_id for event in events} == {str(kept.pk), str(removed.pk)}
    history = correspondent.get(f"/espace/fiches/{kept.pk}/historique/").content.decode()
    assert f"fusion dans la fiche n° {kept.pk}" in history


@pytest.mark.parametrize("role", ["member_a", "member_b", "other_correspondent"])
def test_outsiders_cannot_merge(client, world, pair, role):
    kept, removed = pair
    response = world.client_for(client, role).post(
        "/moderation/doublons/fusionner/", {"garder": kept.pk, "supprimer": removed.pk}
    )
    assert response.status_code in (403, 404)
    assert Action.objects.filter(pk=removed.pk).exists()


def test_merge_a_sheet_with_itself_is_refused(client, world, pair):
    kept, _ = pair
    response = world.client_for(client, "correspondent").post(
        "/moderation/doublons/fusionner/", {"garder": kept.pk, "supprimer": kept.pk}, follow=True
    )
    assert "Choisissez deux fiches différentes." in response.content.decode()
    assert Action.objects.filter(pk=kept.pk).exists()


def test_merge_repoints_other_flags(world, pair):
    kept, removed = pair
    third = make_sheet("Jardin", world.structure_b)
    Action.objects.filter(pk=third.pk).update(probable_duplicate_of=removed)
    merge_actions(kept, removed, acting_user=world.users["national_admin"], allow_across_structures=True)
    third.refresh_from_db()
    assert third.probable_duplicate_of_id == kept.pk


def test_dismiss_clears_the_flag_and_is_not_proposed_again(client, world, pair):
    kept, removed = pair
    correspondent = world.client_for(client, "correspondent")
    response = correspondent.post("/moderation/doublons/ignorer/", {"fiche": removed.pk, "autre": kept.pk})
    assert response.status_code == 302
    removed.refresh_from_db()
    assert removed.probable_duplicate_of is None
    assert AuditEvent.objects.filter(object_id=str(removed.pk), details__operation="duplicate_dismissed").exists()
    assert probable_duplicates(world.users["correspondent"]) == []  # the similar titles too
    assert "Le signalement de doublon a été ignoré." in correspondent.get("/moderation/doublons/").content.decode()


@pytest.mark.parametrize("value", ["²", "x", "99999999999999999999999", ""])
def test_merge_with_an_id_that_is_no_number_is_a_400_naming_it(client, world, pair, value):
    kept, _ = pair
    correspondent = world.client_for(client, "correspondent")
    response = correspondent.get("/moderation/doublons/fusionner/", {"garder": value, "supprimer": kept.pk})
    assert response.status_code == 400
    assert "Paramètre «&nbsp;garder&nbsp;»" in response.content.decode()


def test_dismiss_needs_post_and_scope(client, world, pair):
    kept, removed = pair
    assert world.client_for(client, "correspondent").get("/moderation/doublons/ignorer/").status_code == 405
    client.logout()
    other = world.client_for(client, "other_correspondent")
    assert other.post("/moderation/doublons/ignorer/", {"fiche": removed.pk, "autre": kept.pk}).status_code == 404
    assert other.post("/moderation/doublons/ignorer/", {"fiche": "x", "autre": kept.pk}).status_code == 400
    removed.refresh_from_db()
    assert removed.probable_duplicate_of_id == kept.pk
