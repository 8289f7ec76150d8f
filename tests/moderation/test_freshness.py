"""Freshness: stale sheets, reminders to structures (once per six months), orphan structures."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from maillage.accounts.models import Membership
from maillage.actions.models import Action, ActionState
from maillage.actions.moderation import is_stale, send_freshness_reminders
from tests.factories import make_sheet, make_structure

from .conftest import ROLES, make_old

pytestmark = pytest.mark.django_db
State = ActionState


@pytest.fixture
def stale(world):
    return {
        "a1": make_old(make_sheet("Vieille fiche A1", world.structure_a)),
        "a2": make_old(make_sheet("Vieille fiche A2", world.structure_a)),
        "rhone": make_old(make_sheet("Vieille fiche du Rhône", world.structure_69)),
        "fresh": make_sheet("Fiche récente A", world.structure_a),
        "old_draft": make_old(make_sheet("Vieux brouillon A", world.structure_a, state=State.DRAFT)),
    }


def test_is_stale(stale):
    assert is_stale(stale["a1"]) and not is_stale(stale["fresh"]) and not is_stale(stale["old_draft"])


def test_reminders_go_to_members_else_contact_and_only_once(stale, run_command):
    out, _ = run_command("send_freshness_reminders")
    assert "Structures prévenues : 2 ; fiches à actualiser : 3" in out
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"member_a@maillage.test", "admin_a@maillage.test", "contact@rhone.test"}
    body = by_recipient["member_a@maillage.test"].body
    assert "Vieille fiche A1" in body and "Vieille fiche A2" in body
    assert "Fiche récente A" not in body and "Vieux brouillon A" not in body
    assert f"https://maillage.test/actions/{stale['a1'].pk}-" in body
    stale["a1"].refresh_from_db()
    assert stale["a1"].stale_reminded_at is not None and is_stale(stale["a1"])  # reminding is not updating

    mail.outbox.clear()
    out, _ = run_command("send_freshness_reminders")
    assert mail.outbox == [] and "Structures prévenues : 0" in out


def test_reminded_again_after_six_months(stale):
    send_freshness_reminders()
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=183)
    report = send_freshness_reminders(now=later)
    assert report.sheets == 3 and len(mail.outbox) == 3


def test_dry_run_sends_and_marks_nothing(stale, run_command):
    out, _ = run_command("send_freshness_reminders", "--dry-run")
    assert "Simulation" in out and "Vieille fiche A1" in out
    assert mail.outbox == []
    assert not Action.objects.filter(stale_reminded_at__isnull=False).exists()


def test_structure_without_recipient_is_reported(world, run_command):
    lonely = make_structure("Centre sans contact", "13")
    make_old(make_sheet("Vieille fiche isolée", lonely))
    _, err = run_command("send_freshness_reminders")
    assert "Centre sans contact" in err and mail.outbox == []


def test_stale_tab_lists_them_for_the_correspondent(client, world, stale):
    page = world.client_for(client, "correspondent").get(
        "/moderation/", {"etat": "published", "a_actualiser": "on"}).content.decode()  # fmt: skip
    assert "Vieille fiche A1" in page and "Fiche récente A" not in page and "Vieille fiche du Rhône" not in page


EXPECTED = {"anonymous": 302, "member_a": 403, "admin_a": 403, "member_b": 403, "correspondent": 200,
            "other_correspondent": 200, "national_admin": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_orphan_structures(client, world, role):
    make_structure("Centre orphelin des Bouches", "13")
    make_structure("Centre orphelin du Rhône", "69")
    Membership.objects.create(user=world.users["member_b"], structure=world.structure_69)
    response = world.client_for(client, role).get("/moderation/orphelines/")
    assert response.status_code == EXPECTED[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert ("Centre orphelin des Bouches" in page) is (role != "other_correspondent")
        assert ("Centre orphelin du Rhône" in page) is (role != "correspondent")
        assert "Centre social A" not in page and "Centre social du Rhône" not in page
