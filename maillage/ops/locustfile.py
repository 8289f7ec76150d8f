"""The visitors of `make loadtest` (locust, headless; `deploy/loadtest.sh` runs it).

Public visitors (LOADTEST_USERS, 32 by default) each ask, in this mix: 40 % searches (`/actions/?q=` with real
words of the data), 20 % the list with one or two facets ticked, 20 % sheet pages, 10 % the open API (a search or
a record) and 10 % observatory pages. Each keeps to LOADTEST_PACE requests a second at most (4 by default; 0: as
fast as the server answers). Every visitor comes through a trusted proxy with an address of its own
(`X-Forwarded-For`), as behind nginx, so that the per-client limits apply as in production.

Logged-in editors (one per account of the plan) autosave their draft sheet and their questionnaire every few
seconds, opening the form now and then. Their requests are named `espace …` and kept apart from the public mix in
the report.

A request cut by the server (connection reset: a killed worker) is sent again on a new connection, for a GET or a
HEAD, by the HTTP client (geventhttpclient), as browsers do: the visitor does not see it. LOADTEST_CLIENT_RETRIES=0
turns that off, so that the kill drill (deploy/drills/kill-web-worker.sh) counts every request the crash cut.

At the end the results (every response time, errors, load average, CPU of this process and of the server) are
written to LOADTEST_RESULTS as JSON, for `maillage/ops/loadreport.py`.
"""

import json
import os
import random
import resource
import secrets
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, constant_throughput, events, task

PLAN = json.loads(Path(os.environ.get("LOADTEST_PLAN", "var/loadtest/plan.json")).read_text(encoding="utf-8"))
PACE = float(os.environ.get("LOADTEST_PACE", "4"))
if os.environ.get("LOADTEST_CLIENT_RETRIES", "1") == "0":
    import geventhttpclient.client

    geventhttpclient.client._may_retry_after_send_error = lambda method: False
SORTS = ("", "", "recent", "title", "department")

times: dict[str, list[float]] = defaultdict(list)
errors: dict[str, int] = defaultdict(int)
error_samples: list[str] = []
error_times: list[float] = []  # wall clock (seconds since the epoch) of each error, for the drills
timeline: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # second since the epoch → [answered, errors]
clock: dict[str, float] = {}


def server_cpu() -> float:
    """CPU seconds used so far by the server (its master and live workers), when its pid is known."""
    pid = os.environ.get("LOADTEST_SERVER_PID")
    if not pid:
        return 0.0
    import psutil

    try:
        master = psutil.Process(int(pid))
        processes = [master, *master.children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in processes if p.is_running())
    except psutil.Error:
        return 0.0


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@events.test_start.add_listener
def started(**kwargs):
    clock.update(
        start=time.monotonic(),
        started_at=time.time(),
        load_start=os.getloadavg()[0],
        cpu=own_cpu(),
        server=server_cpu(),
    )


@events.request.add_listener
def measured(request_type, name, response_time, response_length, exception=None, response=None, **kwargs):
    times[name].append(response_time)
    timeline[int(time.time())][exception is not None] += 1
    if exception is not None:
        errors[name] += 1
        error_times.append(time.time())
        if len(error_samples) < 20:
            status = getattr(response, "status_code", "")
            error_samples.append(f"{name} {request_type} {status} {str(exception)[:200]}")


@events.test_stop.add_listener
def stopped(**kwargs):
    path = os.environ.get("LOADTEST_RESULTS")
    if not path or "start" not in clock:
        return
    load = os.getloadavg()
    results = {
        "duration": time.monotonic() - clock["start"],
        "users": int(os.environ.get("LOADTEST_USERS", "0") or 0),
        "pace": PACE,
        "times": times,
        "errors": errors,
        "error_samples": error_samples,
        "error_times": error_times,
        "timeline": timeline,
        "started_at": clock["started_at"],
        "load_average": {"start": clock["load_start"], "end_1min": load[0], "end_5min": load[1]},
        "client_cpu": own_cpu() - clock["cpu"],
        "server_cpu": server_cpu() - clock["server"],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(results, out)


class Visitor(FastHttpUser):
    """Someone reading the public pages and the open API."""

    wait_time = constant_throughput(PACE) if PACE > 0 else constant(0)
    weight = 100

    def on_start(self):
        self.address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"

    def get(self, url: str, name: str):
        self.client.get(url, name=name, headers={"X-Forwarded-For": self.address})

    @task(40)
    def search(self):
        query = {"q": random.choice(PLAN["words"])}
        if random.random() < 0.3:
            query.update([random.choice(PLAN["facets"])])
        self.get("/actions/?" + urlencode(query), "recherche")

    @task(20)
    def facets(self):
        query = [tuple(pair) for pair in random.sample(PLAN["facets"], random.choice((1, 1, 2)))]
        sort = random.choice(SORTS)
        if sort:
            query.append(("sort", sort))
        if random.random() < 0.3:
            query.append(("page", str(random.randint(2, 5))))
        self.get("/actions/?" + urlencode(query), "liste à facettes")

    @task(20)
    def sheet(self):
        self.get(random.choice(PLAN["sheets"]), "fiche")

    @task(10)
    def api(self):
        if random.random() < 0.5:
            query = {"q": random.choice(PLAN["words"])}
            query.update([random.choice(PLAN["facets"])])
            self.get("/api/v1/actions?" + urlencode(query), "API")
        else:
            self.get(f"/api/v1/actions/{random.choice(PLAN['sheet_ids'])}", "API")

    @task(10)
    def observatory(self):
        self.get(random.choice(PLAN["observatory"]), "observatoire")


class Editor(FastHttpUser):
    """A member of a centre social writing a draft sheet and the year's questionnaire (autosaved)."""

    wait_time = between(2, 4)
    fixed_count = len(PLAN["editors"])
    editors = list(PLAN["editors"])

    def on_start(self):
        self.account = Editor.editors.pop() if Editor.editors else random.choice(PLAN["editors"])
        self.csrf = secrets.token_hex(16)  # 32 characters: Django takes it as the cookie's secret
        self.headers = {
            "Cookie": f"sessionid={self.account['session']}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
            "X-Forwarded-For": f"192.168.{random.randint(0, 255)}.{random.randint(1, 254)}",
        }
        self.form_headers = {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}
        self.form = dict(self.account["sheet_form"])
        self.rounds = 0

    @task
    def write(self):
        if self.rounds % 5 == 0:
            self.client.get(self.account["sheet_edit"], name="espace fiche (formulaire)", headers=self.headers)
            self.client.get(self.account["section_page"], name="espace questionnaire (page)", headers=self.headers)
        self.rounds += 1
        self.form["summary"] = f"Brouillon enregistré en continu, tour {self.rounds}."
        body = urlencode(self.form, doseq=True)
        with self.client.post(self.account["sheet_autosave"], data=body, name="espace fiche (brouillon)",
                              headers=self.form_headers, catch_response=True) as reply:  # fmt: skip
            if reply.status_code == 200:
                self.form["version"] = reply.json()["version"]
        answer = {"RH_SALARIES": str(random.randint(1, 40))}
        with self.client.post(self.account["section_autosave"], data=urlencode(answer),
                              name="espace questionnaire (auto)", headers=self.form_headers,
                              catch_response=True) as reply:  # fmt: skip
            if reply.status_code == 200 and not reply.json().get("saved"):
                reply.failure("questionnaire non enregistré")
