"""`make loadtest`: the plan drawn from the data (real words, sheets, logged-in editors whose sessions work) and
the report (percentiles, exit status on errors)."""

import json

import pytest
from django.conf import settings
from django.test import Client

from maillage.actions.models import Action, ActionState
from maillage.observatory.models import Response
from maillage.ops import drillcheck, loadreport
from maillage.ops.loadtest import PlanError, prepare_plan
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db


def test_plan_draws_from_the_data_and_its_editors_autosave():
    structure = make_structure()
    # Ids far from 1, as in a base where sheets were deleted (or PostgreSQL's sequences after other tests): a plan
    # drawn from 1 to the last id would miss them.
    make_sheet("Jardin partagé des Lilas", structure, pk=10_000)
    make_sheet("Atelier vélo solidaire", structure, pk=10_001)
    plan = prepare_plan(editors=1)
    assert {"jardin", "partagé", "atelier", "solidaire"} <= set(plan["words"])
    assert sorted(plan["sheet_ids"]) == sorted(
        Action.objects.filter(state=ActionState.PUBLISHED).values_list("pk", flat=True)
    )
    assert ["department", "13"] in plan["facets"] and plan["observatory"][0] == "/observatoire/"

    editor = plan["editors"][0]
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = editor["session"]
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    assert client.get(editor["sheet_edit"]).status_code == 200
    form = {**editor["sheet_form"], "summary": "Écrit pendant l'essai"}
    saved = client.post(editor["sheet_autosave"], form, HTTP_X_CSRFTOKEN="a" * 32)
    assert saved.status_code == 200, saved.content
    assert Action.objects.get(state=ActionState.DRAFT, structure=structure).summary == "Écrit pendant l'essai"
    assert client.get(editor["section_page"]).status_code == 200
    answered = client.post(editor["section_autosave"], {"RH_SALARIES": "7"}, HTTP_X_CSRFTOKEN="a" * 32)
    assert answered.json()["saved"] is True
    assert Response.objects.get(structure=structure).answers["RH_SALARIES"] == 7

    # Prepared again (a second run on the same base): the same account and draft, a new session.
    again = prepare_plan(editors=1)["editors"][0]
    assert again["sheet_autosave"] == editor["sheet_autosave"]
    assert Action.objects.filter(state=ActionState.DRAFT).count() == 1


def test_plan_refuses_an_empty_base():
    with pytest.raises(PlanError, match="Aucune fiche publiée"):
        prepare_plan(editors=0)


def results(errors: dict) -> dict:
    return {
        "duration": 10.0,
        "users": 2,
        "pace": 4,
        "times": {"recherche": [float(ms) for ms in range(1, 101)], "espace fiche (brouillon)": [50.0]},
        "errors": errors,
        "error_samples": [],
        "load_average": {"start": 1.0, "end_1min": 1.5, "end_5min": 1.2},
        "client_cpu": 1.0,
        "server_cpu": 5.0,
    }


def test_report_gives_percentiles_per_kind_and_fails_on_errors(tmp_path, capsys):
    text, total_errors, summary = loadreport.report(results({}))
    assert "| recherche | 100 | 10.0 | 50 | 95 | 99 | 100 | 0 |" in text
    assert summary == {"rps": 10.0, "p95": 95.0, "errors": 0}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results({})))
    assert loadreport.main([str(path)]) == 0
    path.write_text(json.dumps(results({"recherche": 3})))
    assert loadreport.main([str(path)]) == 1
    assert loadreport.main([str(path), "--max-errors", "3"]) == 0
    assert "3 erreur(s)" in capsys.readouterr().out


def test_a_drill_passes_when_errors_fall_within_the_fault(tmp_path):
    events = tmp_path / "events"
    events.write_text("start 1000.2\nend 1001.0\n")
    run = results({"fiche": 2}) | {"timeline": {"999": [5, 0], "1000": [1, 1], "1001": [0, 1], "1004": [6, 0]}}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(run | {"error_times": [1000.5, 1002.9]}))
    assert drillcheck.main([str(path), str(events), "--grace", "2"]) == 0
    assert drillcheck.main([str(path), str(events), "--grace", "2", "--max-errors", "1"]) == 1
    path.write_text(json.dumps(run | {"error_times": [1000.5, 1003.5]}))  # one after the fault and its grace
    assert drillcheck.main([str(path), str(events), "--grace", "2"]) == 1
    no_recovery = run | {"error_times": [1000.5], "timeline": {"1000": [1, 1]}}
    path.write_text(json.dumps(no_recovery))
    assert drillcheck.main([str(path), str(events), "--grace", "2"]) == 1
