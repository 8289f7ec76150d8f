"""A returned sheet: the correspondent's comment where the structure works, and on resubmission what
changed since the return, where the correspondent decides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.actions.history import changes_since_return
from maillage.actions.models import ActionState
from maillage.actions.workflow import transition
from tests.factories import change_sheet, make_sheet

from .conftest import ROLES

pytestmark = pytest.mark.django_db
State = ActionState
COMMENT = "Précisez le public <b>visé</b>.\nEt ajoutez les partenaires."


@pytest.fixture
def returned(world):
    sheet = make_sheet("Jardin des Lilas", world.structure_a, state=State.DRAFT,
                       summary="Un potager.\nOuvert le mercredi.", keywords=["Culture"])  # fmt: skip
    transition(sheet, State.SUBMITTED, acting_user=world.users["member_a"])
    transition(sheet, State.RETURNED, acting_user=world.users["correspondent"], comment=COMMENT)
    sheet.refresh_from_db()
    return sheet


def edit_url(sheet) -> str:
    return f"/espace/fiches/{sheet.pk}/modifier/"


def test_the_edit_page_opens_with_the_comment(client, world, returned):
    page = world.client_for(client, "member_a").get(edit_url(returned)).content.decode()
    notice = page.index('class="alert alert-warning returned-notice"')
    assert notice < page.index('id="sheet-form"')
    assert "Fiche renvoyée le" in page and "par correspondent@maillage.test" in page
    # Escaped, line breaks kept.
    assert "Précisez le public &lt;b&gt;visé&lt;/b&gt;.<br>Et ajoutez les partenaires." in page
    assert "<b>visé</b>" not in page
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_no_notice_once_submitted_again(client, world, returned):
    transition(returned, State.SUBMITTED, acting_user=world.users["member_a"])
    page = world.client_for(client, "member_a").get(edit_url(returned)).content.decode()
    assert "returned-notice" not in page


def test_the_latest_return_is_shown(client, world, returned):
    transition(returned, State.SUBMITTED, acting_user=world.users["member_a"])
    transition(returned, State.RETURNED, acting_user=world.users["correspondent"], comment="Encore un effort.")
    page = world.client_for(client, "member_a").get(edit_url(returned)).content.decode()
    assert "Encore un effort." in page and "Et ajoutez les partenaires" not in page


EDIT_EXPECTED = {"anonymous": 302, "member_a": 200, "admin_a": 200, "member_b": 404, "correspondent": 200,
                 "other_correspondent": 404, "national_admin": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_comment(client, world, returned, role):
    response = world.client_for(client, role).get(edit_url(returned))
    assert response.status_code == EDIT_EXPECTED[role]
    if response.status_code != 200:
        assert b"partenaires" not in response.content


def test_my_space_lists_the_comment_beside_the_sheet(client, world, returned, django_assert_max_num_queries):
    make_sheet("Café des parents", world.structure_a, state=State.DRAFT)
    other = make_sheet("Fête des voisins", world.structure_a, state=State.DRAFT)
    transition(other, State.SUBMITTED, acting_user=world.users["member_a"])
    transition(other, State.RETURNED, acting_user=world.users["correspondent"], comment="Ajoutez une date.")
    member = world.client_for(client, "member_a")
    with django_assert_max_num_queries(12):
        page = member.get("/espace/").content.decode()
    assert "Renvoyées (2)" in page
    assert "Précisez le public &lt;b&gt;visé&lt;/b&gt;.<br>Et ajoutez les partenaires." in page
    assert page.index("Fête des voisins") < page.index("Ajoutez une date.")
    assert page.count("returned-comment") == 2
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_my_space_query_count_does_not_grow_with_returned_sheets(client, world, returned):
    member = world.client_for(client, "member_a")
    member.get("/espace/")
    with CaptureQueriesContext(connection) as few:
        member.get("/espace/")
    for number in range(5):
        sheet = make_sheet(f"Fiche {number}", world.structure_a, state=State.SUBMITTED)
        transition(sheet, State.RETURNED, acting_user=world.users["correspondent"], comment=f"Revoir {number}")
    with CaptureQueriesContext(connection) as many:
        page = member.get("/espace/").content.decode()
    assert "Revoir 4" in page
    assert len(many) == len(few)


def test_changes_since_return_word_by_word(client, world, returned):
    member = world.users["member_a"]
    change_sheet(returned, summary="Un potager partagé.\nOuvert le mercredi.", keywords=["Culture", "Santé"])
    transition(returned, State.SUBMITTED, acting_user=member)
    returned.refresh_from_db()
    since = changes_since_return(returned)
    assert since.returned.comment == COMMENT
    assert [change.key for change in since.changes] == ["keywords", "summary"]
    page = world.client_for(client, "correspondent").get(f"/moderation/fiches/{returned.pk}/").content.decode()
    assert "Modifications depuis le renvoi du" in page
    assert page.index("Modifications depuis le renvoi") < page.index('id="moves-title"')
    assert "Précisez le public &lt;b&gt;visé&lt;/b&gt;.<br>Et ajoutez" in page
    assert "Ajouté : <ins>Santé</ins>" in page
    assert "partagé</ins>" in page
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_earlier_edits_are_not_counted_as_changes_since_the_return(world):
    """Edits before the return are what the correspondent already read; only later ones are shown."""
    sheet = make_sheet("Atelier vélo", world.structure_a, state=State.DRAFT, summary="Avant.")
    change_sheet(sheet, summary="Au moment du renvoi.")
    transition(sheet, State.SUBMITTED, acting_user=world.users["member_a"])
    transition(sheet, State.RETURNED, acting_user=world.users["correspondent"], comment="Trop court.")
    change_sheet(sheet, summary="Après le renvoi, plus long.")
    change_sheet(sheet, summary="Après le renvoi, bien plus long.")
    transition(sheet, State.SUBMITTED, acting_user=world.users["member_a"])
    sheet.refresh_from_db()
    (change,) = changes_since_return(sheet).changes
    assert change.key == "summary"
    old = "".join(part for row in change.rows for op, part in row.segments if op != "added")
    new = "".join(part for row in change.rows for op, part in row.segments if op != "removed")
    assert (old, new) == ("Au moment du renvoi.", "Après le renvoi, bien plus long.")


def test_nothing_changed_since_the_return_is_said(client, world, returned):
    transition(returned, State.SUBMITTED, acting_user=world.users["member_a"])
    returned.refresh_from_db()
    assert changes_since_return(returned).changes == []
    page = world.client_for(client, "correspondent").get(f"/moderation/fiches/{returned.pk}/").content.decode()
    assert "Aucun champ n'a changé depuis le renvoi." in page


def test_a_first_submission_shows_no_return(client, world):
    sheet = make_sheet("Atelier vélo", world.structure_a, state=State.DRAFT)
    transition(sheet, State.SUBMITTED, acting_user=world.users["member_a"])
    sheet.refresh_from_db()
    assert changes_since_return(sheet) is None
    page = world.client_for(client, "correspondent").get(f"/moderation/fiches/{sheet.pk}/").content.decode()
    assert "Modifications depuis le renvoi" not in page


SHEET_EXPECTED = {"anonymous": 302, "member_a": 403, "admin_a": 403, "member_b": 403, "correspondent": 200,
                  "other_correspondent": 404, "national_admin": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_changes_since_the_return(client, world, returned, role):
    change_sheet(returned, summary="Un potager partagé par les voisins.")
    transition(returned, State.SUBMITTED, acting_user=world.users["member_a"])
    response = world.client_for(client, role).get(f"/moderation/fiches/{returned.pk}/")
    assert response.status_code == SHEET_EXPECTED[role]
    if response.status_code != 200:
        assert b"voisins" not in response.content
