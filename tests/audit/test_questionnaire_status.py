"""Questionnaires' changes of state have their own audit action, shown in French in the audit log's admin."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from maillage.accounts.models import User
from maillage.audit.models import AuditAction, AuditEvent
from tests.logins import log_in

pytestmark = pytest.mark.django_db

LABEL = "changement d&#x27;état d&#x27;un questionnaire"


def test_the_audit_log_admin_shows_the_action_in_french(client):
    admin = User.objects.create_superuser(email="admin@maillage.test", password="mot-de-passe-solide")
    AuditEvent.objects.create(action=AuditAction.QUESTIONNAIRE_STATUS, object_type="observatory.response")
    log_in(client, admin)
    url = reverse("admin:audit_auditevent_changelist")
    html = client.get(url).content.decode()
    assert html.count(LABEL) >= 2  # the row and the filter
    filtered = client.get(url, {"action__exact": AuditAction.QUESTIONNAIRE_STATUS})
    assert filtered.status_code == 200 and "1 événement du journal" in filtered.content.decode()


def test_the_migration_relabels_questionnaires_logged_as_sheet_transitions():
    migration = importlib.import_module("maillage.audit.migrations.0002_questionnaire_status")
    questionnaire = AuditEvent.objects.create(action=AuditAction.TRANSITION, object_type="observatory.response")
    sheet = AuditEvent.objects.create(action=AuditAction.TRANSITION, object_type="actions.action")
    migration.relabel(apps, None)
    questionnaire.refresh_from_db()
    sheet.refresh_from_db()
    assert (questionnaire.action, sheet.action) == (AuditAction.QUESTIONNAIRE_STATUS, AuditAction.TRANSITION)
    migration.unlabel(apps, None)
    questionnaire.refresh_from_db()
    assert questionnaire.action == AuditAction.TRANSITION
