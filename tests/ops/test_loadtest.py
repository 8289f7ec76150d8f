"""`make loadtest`: the plan drawn from the data (real words, sheets, logged-in editors whose sessions work) and
the report (percentiles, exit status on errors)."""

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from maillage.actions.models import Action, ActionState
from maillage.observatory.models import Response
from maillage.ops import busyworker, drillcheck, loadreport
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


def test_a_drill_that_cut_no_request_tested_nothing(tmp_path, capsys):
    events = tmp_path / "events"
    events.write_text("start 1000.2\nend 1001.0\n")
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results({}) | {"timeline": {"999": [5, 0], "1004": [6, 0]}, "error_times": []}))
    assert drillcheck.main([str(path), str(events), "--min-errors", "1"]) == 1
    assert "la panne n'a rien éprouvé" in capsys.readouterr().out
    path.write_text(json.dumps(results({}) | {"timeline": {"1004": [6, 0]}, "error_times": [1000.5]}))
    assert drillcheck.main([str(path), str(events), "--min-errors", "1", "--max-errors", "1"]) == 0


# A master with two worker processes, as gunicorn's: the first accepts 3 connections, the second 1.
MASTER = """
import os, socket, sys, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
for accepted in (3, 1):
    sys.stdin.readline()
    if os.fork() == 0:
        held = [listener.accept()[0] for _ in range(accepted)]
        print("accepted", flush=True)
        time.sleep(60)
        os._exit(0)
time.sleep(60)
"""


def test_the_drill_picks_the_worker_holding_the_most_connections():
    master = subprocess.Popen([sys.executable, "-c", MASTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    clients = []
    try:
        port = int(master.stdout.readline())
        for count in (3, 1):
            master.stdin.write("fork\n")
            master.stdin.flush()
            clients += [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
            assert master.stdout.readline().strip() == "accepted"
        counts = busyworker.connections_by_worker(master.pid)
        assert sorted(counts.values()) == [1, 3]
        busiest = next(pid for pid, count in counts.items() if count == 3)
        assert busyworker.busiest(master.pid, wait=0, min_connections=2) == (busiest, 3)
    finally:
        for client in clients:
            client.close()
        for pid in busyworker.children(master.pid):
            os.kill(pid, signal.SIGKILL)
        master.kill()
        master.communicate()
