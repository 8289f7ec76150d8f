"""Autosave of drafts (only drafts, only editors, CSRF) and the warning about similar sheets."""

import pytest
from django.test import Client
from django.urls import reverse

from maillage.actions.models import ActionState
from tests.factories import make_sheet

from .conftest import ROLES, pass_second_factor
from .helpers import form_data

pytestmark = pytest.mark.django_db


def autosave_url(action) -> str:
    return reverse("contribute:sheet-autosave", kwargs={"pk": action.pk})


def test_autosave_saves_a_draft_and_returns_the_new_version(login, people):
    draft = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = login("member")
    response = client.post(autosave_url(draft), form_data(draft, summary="Écrit en partie"))
    assert response.status_code == 200
    body = response.json()
    assert body["message"].startswith("Brouillon enregistré à ") and body["saved_at"] in body["message"]
    draft.refresh_from_db()
    assert draft.summary == "Écrit en partie"
    # The next save starts from the returned version: no conflict with one's own autosave.
    again = client.post(autosave_url(draft), form_data(draft, summary="Suite", version=body["version"]))
    assert again.status_code == 200


def test_autosave_refuses_what_is_not_a_draft(login, people):
    for state in (ActionState.SUBMITTED, ActionState.PUBLISHED, ActionState.RETURNED):
        sheet = make_sheet(f"Fiche {state}", people["structure"], state=state, summary="Tel quel")
        response = login("member").post(autosave_url(sheet), form_data(sheet, summary="Changé"))
        assert response.status_code == 409 and "Seuls les brouillons" in response.json()["error"]
        sheet.refresh_from_db()
        assert sheet.summary == "Tel quel"


def test_autosave_reports_invalid_fields_and_conflicts(login, people):
    draft = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = login("member")
    invalid = client.post(autosave_url(draft), form_data(draft, title=""))
    assert invalid.status_code == 400 and "title" in invalid.json()["fields"]
    stale = form_data(draft, summary="Ancienne base")
    client.post(autosave_url(draft), form_data(draft, summary="Plus récent"))
    conflict = client.post(autosave_url(draft), stale)
    assert conflict.status_code == 409 and "modifiée par quelqu'un d'autre" in conflict.json()["error"]
    draft.refresh_from_db()
    assert draft.summary == "Plus récent"


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_autosave(login, people, role):
    draft = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    response = login(role).post(autosave_url(draft), form_data(draft, summary="Intrus"))
    expected = {"anonymous": 302, "other_member": 404, "far_correspondent": 404}.get(role, 200)
    assert response.status_code == expected
    draft.refresh_from_db()
    assert draft.summary == ("Intrus" if expected == 200 else "")


def test_autosave_needs_the_csrf_token(people):
    draft = make_sheet("Ateliers", people["structure"], state=ActionState.DRAFT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["member"])
    pass_second_factor(client, people["member"])
    assert client.post(autosave_url(draft), form_data(draft, summary="Sans jeton")).status_code == 403
    assert client.get(autosave_url(draft)).status_code == 405


def test_similar_sheets_of_the_structure_are_shown_as_a_warning(login, people):
    existing = make_sheet("Jardin partagé des Lilas", people["structure"], summary="Un potager au pied des immeubles.")
    make_sheet("Jardin partagé des Lilas", people["other_structure"])  # another structure: not shown
    make_sheet("Sortie à la mer", people["structure"])
    client = login("member")
    response = client.post(f"{reverse('contribute:sheet-new')}?structure={people['structure'].pk}",
                           form_data(title="Jardin partage des lilas"), follow=True)  # fmt: skip
    html = response.content.decode()
    assert "ressemble à d'autres fiches de votre structure" in html
    assert reverse("contribute:sheet-edit", kwargs={"pk": existing.pk}) in html
    assert "Sortie à la mer" not in html
    assert html.count("modifier cette fiche") == 1


def test_no_warning_for_a_different_sheet(login, people):
    make_sheet("Sortie à la mer", people["structure"], summary="Une journée à la plage avec les familles.")
    sheet = make_sheet("Atelier informatique", people["structure"], state=ActionState.DRAFT,
                       summary="Apprendre à utiliser un ordinateur.")  # fmt: skip
    html = login("member").get(reverse("contribute:sheet-edit", kwargs={"pk": sheet.pk})).content.decode()
    assert "ressemble à" not in html
