"""Two application nodes on one database: node A (gunicorn, two workers) and node B (gunicorn, one worker).

What one node does, the other knows: a sheet published through A is found through B, with its facet counts,
within a second (each process's facet index follows the log of changes in the database), and the rate limits
are counted once for all (the shared cache, a table of the same database). On the file SQLite of the first run
of .ci/run, and on PostgreSQL in the second.
"""

import json
import time
from urllib.parse import quote

import pytest
from django_otp.oath import totp

from tests.ops.nodes import CSRF_FIELD, Node, ScratchDatabase, prepare, run_python, server_environment

PASSWORD = "Un mot de passe solide 42"
LIMITS = {"API_RATE_LIMIT_PER_MINUTE": 30, "EXPORT_RATE_LIMIT_PER_MINUTE": 3, "LOGIN_RATE_LIMIT_PER_MINUTE": 3}
SEED = f"""
from django_otp.plugins.otp_totp.models import TOTPDevice
from maillage.accounts.models import CorrespondentScope, User
from maillage.actions.models import ActionState
from maillage.referentials.models import Department
from tests.factories import make_sheet, make_structure

structure = make_structure("Centre social des deux nœuds", "13")
make_sheet("Jardin partagé du quartier", structure, keywords=["Culture"])
submitted = make_sheet("Atelier de théâtre entre voisins", structure, state=ActionState.SUBMITTED,
                       keywords=["Culture"])
user = User.objects.create_user("correspondant@noeuds.test", password="{PASSWORD}")
CorrespondentScope.objects.create(user=user, department=Department.objects.get(code="13"), organisation="caf")
device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
print(json.dumps({{"sheet": submitted.pk, "key": device.key}}))
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    var = tmp_path_factory.mktemp("nodes")
    database = ScratchDatabase.create(var)
    nodes = []
    try:
        env = server_environment(var, database.url, TRUSTED_PROXIES="127.0.0.1",
                                 **{name: str(value) for name, value in LIMITS.items()})  # fmt: skip
        prepare(env)
        seeded = run_python(env, SEED)
        nodes.append(Node.start("noeud-a", env, var, workers=2))
        nodes.append(Node.start("noeud-b", env, var, workers=1))
        yield nodes[0], nodes[1], seeded
    finally:
        for node in nodes:
            node.stop()
        database.drop()


def from_address(address: str) -> dict:
    """Requests from distinct clients (the nodes trust 127.0.0.1 as their proxy): one limit each."""
    return {"X-Forwarded-For": address}


def search(node: Node, query: str, address: str) -> dict:
    status, body = node.request(f"/api/v1/actions?q={quote(query)}", headers=from_address(address))
    assert status == 200, body
    return json.loads(body)


def keyword_count(results: dict, label: str) -> int:
    return next((option["count"] for option in results["facets"]["keywords"] if option["value"] == label), 0)


def wait_for_a_fresh_minute() -> None:
    """The limits count per calendar minute: a test near the end of one would be counted in two."""
    if time.time() % 60 > 50:
        time.sleep(60 - time.time() % 60 + 0.1)


def test_a_sheet_published_through_node_a_is_found_through_node_b_within_a_second(cluster):
    node_a, node_b, seeded = cluster
    before = search(node_b, "", "192.0.2.10")
    assert before["count"] == 1
    assert keyword_count(before, "Culture") == 1
    assert search(node_b, "théâtre", "192.0.2.10")["count"] == 0

    assert node_a.post_form("/connexion/", {"username": "correspondant@noeuds.test", "password": PASSWORD})[0] == 200
    code = f"{totp(bytes.fromhex(seeded['key'])):06d}"
    status, page = node_a.post_form("/connexion/double-authentification/", {"code": code})
    assert status == 200, page
    status, page = node_a.post_form(f"/moderation/fiches/{seeded['sheet']}/", {"target": "published"})
    assert status == 200, page
    assert "La fiche est maintenant publiée" in page

    published = time.monotonic()
    while True:
        found = search(node_b, "théâtre", "192.0.2.10")
        if found["count"] == 1:
            break
        assert time.monotonic() - published < 1, "le nœud B ne trouve pas la fiche publiée par le nœud A en 1 s"
        time.sleep(0.05)
    assert time.monotonic() - published < 1
    assert [item["title"] for item in found["results"]] == ["Atelier de théâtre entre voisins"]
    assert keyword_count(found, "Culture") == 1
    everything = search(node_b, "", "192.0.2.10")
    assert everything["count"] == 2
    assert keyword_count(everything, "Culture") == 2
    # Both of node A's workers see it too (a fresh connection each: the two workers take turns).
    assert all(search(node_a, "théâtre", "192.0.2.10")["count"] == 1 for _ in range(4))


def test_the_api_limit_is_counted_once_for_every_worker_and_node(cluster):
    node_a, node_b, _ = cluster
    wait_for_a_fresh_minute()
    limit = LIMITS["API_RATE_LIMIT_PER_MINUTE"]
    statuses = [(node_a, node_b)[i % 2].request("/api/v1/actions?page_size=1", headers=from_address("192.0.2.20"))[0]
                for i in range(limit)]  # fmt: skip
    assert statuses == [200] * limit
    for node in (node_a, node_b):
        assert node.request("/api/v1/actions?page_size=1", headers=from_address("192.0.2.20"))[0] == 429
    # Another client still gets answers.
    assert node_b.request("/api/v1/actions?page_size=1", headers=from_address("192.0.2.21"))[0] == 200


def test_the_export_and_login_limits_are_counted_once_for_every_node(cluster):
    node_a, node_b, _ = cluster
    wait_for_a_fresh_minute()
    address = from_address("192.0.2.30")
    exports = [(node_a, node_b)[i % 2].request("/actions/export.csv", headers=address)[0] for i in range(3)]
    assert exports == [200, 200, 200]
    assert node_a.request("/actions/export.csv", headers=address)[0] == 429
    assert node_b.request("/actions/export.csv", headers=address)[0] == 429

    address = from_address("192.0.2.31")
    for node in (node_a, node_b):
        node.cookies.clear()  # nobody logged in: the login form each time
    attempts = []
    for i in range(4):
        node = (node_a, node_b)[i % 2]
        status, page = node.request("/connexion/", headers=address)
        token = CSRF_FIELD.search(page).group(1)
        data = {"csrfmiddlewaretoken": token, "username": f"inconnu{i}@noeuds.test", "password": "mauvais"}
        attempts.append(node.request("/connexion/", data, headers=address)[0])
    assert attempts == [200, 200, 200, 429]
