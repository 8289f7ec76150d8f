"""The workflow of a sheet: who may move it where, comments, log, notifications, index."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import QueryDict

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.actions.models import Action, ActionState, ActionTransition
from maillage.actions.workflow import TransitionError, allowed_moves, transition
from maillage.audit.models import AuditEvent
from maillage.referentials.models import Department
from maillage.search.engine import parse_action_filters, search_actions
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db
State = ActionState


@pytest.fixture
def people():
    structure = make_structure("Centre social des Lilas", "13")
    member = User.objects.create_user("membre@lilas.test")
    Membership.objects.create(user=member, structure=structure)
    other = User.objects.create_user("autre@ailleurs.test")
    Membership.objects.create(user=other, structure=make_structure("Autre centre", "13"))
    correspondent = User.objects.create_user("caf13@caf.test")
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    far = User.objects.create_user("caf69@caf.test")
    CorrespondentScope.objects.create(user=far, department=Department.objects.get(code="69"), organisation="caf")
    admin = User.objects.create_user("national@maillage.test", is_national_admin=True)
    sheet = make_sheet("Jardin des Lilas", structure, state=State.DRAFT, summary="Un potager.")
    return {"structure": structure, "member": member, "other": other, "correspondent": correspondent,
            "far": far, "admin": admin, "sheet": sheet}  # fmt: skip


def published_titles() -> set[str]:
    results = search_actions(parse_action_filters(QueryDict("")))
    return set(Action.objects.filter(pk__in=list(results.ordered_ids())).values_list("title", flat=True))


def test_submit_publish_the_whole_way(people, django_capture_on_commit_callbacks):
    sheet = people["sheet"]
    transition(sheet, State.SUBMITTED, acting_user=people["member"])
    with django_capture_on_commit_callbacks(execute=True):
        transition(sheet, State.PUBLISHED, acting_user=people["correspondent"])
    sheet.refresh_from_db()
    assert sheet.state == State.PUBLISHED and sheet.published_at is not None
    assert "Jardin des Lilas" in published_titles()
    assert [(t.source, t.target) for t in ActionTransition.objects.filter(action=sheet)] == [
        (State.DRAFT, State.SUBMITTED),
        (State.SUBMITTED, State.PUBLISHED),
    ]
    assert AuditEvent.objects.filter(action="transition", object_id=str(sheet.pk)).count() == 2
    assert [message.to for message in mail.outbox] == [["membre@lilas.test"]]
    assert "a été publiée" in mail.outbox[0].subject


def test_returning_needs_a_comment_and_tells_the_structure(people, django_capture_on_commit_callbacks):
    sheet = people["sheet"]
    transition(sheet, State.SUBMITTED, acting_user=people["member"])
    with pytest.raises(TransitionError, match="commentaire est obligatoire"):
        transition(sheet, State.RETURNED, acting_user=people["correspondent"], comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        transition(sheet, State.RETURNED, acting_user=people["correspondent"], comment="Précisez le public <b>.")
    assert "Précisez le public <b>." in mail.outbox[0].body
    transition(sheet, State.SUBMITTED, acting_user=people["member"])
    sheet.refresh_from_db()
    assert sheet.state == State.SUBMITTED


@pytest.mark.parametrize("who", ["member", "other", "far"])
def test_only_moderators_of_the_department_publish(people, who):
    sheet = people["sheet"]
    transition(sheet, State.SUBMITTED, acting_user=people["member"])
    with pytest.raises(PermissionDenied):
        transition(sheet, State.PUBLISHED, acting_user=people[who])
    sheet.refresh_from_db()
    assert sheet.state == State.SUBMITTED


def test_a_member_of_another_structure_cannot_submit(people):
    with pytest.raises(PermissionDenied):
        transition(people["sheet"], State.SUBMITTED, acting_user=people["other"])


def test_impossible_moves_are_refused(people):
    with pytest.raises(TransitionError, match="ne peut pas devenir"):
        transition(people["sheet"], State.PUBLISHED, acting_user=people["admin"])


def test_archived_sheets_leave_the_public_bank(people):
    sheet = people["sheet"]
    transition(sheet, State.SUBMITTED, acting_user=people["member"])
    transition(sheet, State.PUBLISHED, acting_user=people["admin"])
    assert "Jardin des Lilas" in published_titles()
    transition(sheet, State.ARCHIVED, acting_user=people["member"])
    assert "Jardin des Lilas" not in published_titles()


def test_buttons_offered_follow_the_role(people):
    sheet = people["sheet"]
    assert [move.target for move in allowed_moves(people["member"], sheet)] == [State.SUBMITTED, State.ARCHIVED]
    assert allowed_moves(people["other"], sheet) == []
    transition(sheet, State.SUBMITTED, acting_user=people["member"])
    sheet.refresh_from_db()
    assert [move.target for move in allowed_moves(people["correspondent"], sheet)] == [State.PUBLISHED, State.RETURNED]
    assert allowed_moves(people["member"], sheet) == []
