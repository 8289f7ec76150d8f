"""`states.move`: the one function that changes a questionnaire's state, with its event and its audit entry."""

import pytest
from django.test import RequestFactory

from maillage.audit.models import AuditAction, AuditEvent
from maillage.observatory.checks import states
from maillage.observatory.models import Response, ResponseEvent, ResponseStatus

pytestmark = pytest.mark.django_db


def test_move_saves_the_state_and_logs_the_event_and_the_audit(campaign, world):
    response = campaign[0]
    correspondent = world.users["correspondent"]
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    request.user = correspondent
    response.answers = {"RH_SALARIES": 1}  # read earlier, not to be written back by a change of state
    event = states.move(response, ResponseStatus.RETURNED, acting_user=correspondent, comment="À revoir",
                        request=request)  # fmt: skip
    stored = Response.objects.get(pk=response.pk)
    assert stored.status == ResponseStatus.RETURNED and stored.answers != {"RH_SALARIES": 1}
    assert (event.source, event.target, event.acting_user, event.comment) == (
        "submitted", "returned", correspondent, "À revoir"
    )  # fmt: skip
    audit = AuditEvent.objects.get(action=AuditAction.QUESTIONNAIRE_STATUS)
    assert (audit.actor, audit.ip_address, audit.object_type, audit.object_id) == (
        correspondent, "192.0.2.7", "observatory.response", str(response.pk)
    )  # fmt: skip
    assert audit.details == {"from_status": "submitted", "to_status": "returned", "comment": "À revoir"}
    assert audit.get_action_display() == "changement d'état d'un questionnaire"


def test_move_saves_the_fields_changed_with_the_state(campaign, world):
    response = campaign[0]
    response.validated_by = world.users["correspondent"]
    states.move(response, ResponseStatus.VALIDATED, acting_user=response.validated_by, also_save=("validated_by",))
    assert Response.objects.get(pk=response.pk).validated_by == world.users["correspondent"]


def test_move_without_audit_still_logs_the_event(campaign, world):
    states.move(campaign[0], ResponseStatus.VALIDATED, acting_user=None, audit=False)
    assert ResponseEvent.objects.filter(response=campaign[0], target=ResponseStatus.VALIDATED).exists()
    assert not AuditEvent.objects.exists()


def test_an_undeclared_move_is_refused_and_changes_nothing(campaign, world):
    response = campaign[1]  # validated
    with pytest.raises(ValueError):
        states.move(response, ResponseStatus.IN_PROGRESS, acting_user=world.users["correspondent"])
    assert Response.objects.get(pk=response.pk).status == ResponseStatus.VALIDATED
    assert not ResponseEvent.objects.exists() and not AuditEvent.objects.exists()


def test_every_state_has_its_moves():
    assert set(states.MOVES) == set(ResponseStatus.values)
    assert all(set(targets) <= set(ResponseStatus.values) for targets in states.MOVES.values())


def test_a_reminder_is_an_event_without_change_of_state(campaign):
    event = states.note_reminder(campaign[0], "Relance par e-mail")
    assert (event.source, event.target, event.acting_user) == ("submitted", "submitted", None)
    assert not AuditEvent.objects.exists()
