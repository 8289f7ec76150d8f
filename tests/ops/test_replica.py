"""The read replica (`DATABASE_REPLICA_URL`): anonymous public reads go to it, all the rest to the primary.

The router's decisions are checked in this process; then for real, with a throwaway PostgreSQL primary and a
streaming replica made by `pg_basebackup -R` on loopback ports, and a gunicorn node using both. The replica's
replay is paused and a sheet changed on the primary: what an anonymous visitor reads is the replica's (older)
title, what a logged-in person reads, and a login, are the primary's. Where PostgreSQL's programs are installed
(.ci/run installs them); as root they run as the postgres user, as .ci/run does.
"""

import glob
import json
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache.backends.db import DatabaseCache
from django.test import RequestFactory

from maillage.accounts.models import User
from maillage.actions.models import Action
from maillage.ops.replica import PRIMARY, REPLICA, ReplicaReadsMiddleware, ReplicaRouter
from maillage.search.models import IndexChange
from maillage.structures.models import Structure
from tests.ops.nodes import Node, free_port, prepare, run_python, server_environment

router = ReplicaRouter()
CACHE_MODEL = DatabaseCache("maillage_cache", {}).cache_model_class


def decisions(request, during=lambda: None) -> dict[str, str]:
    """Where the router sends reads while `ReplicaReadsMiddleware` handles `request` (after `during` ran)."""
    seen = {}

    def view(request):
        during()
        seen.update(action=router.db_for_read(Action), structure=router.db_for_read(Structure),
                    user=router.db_for_read(User), cache=router.db_for_read(CACHE_MODEL),
                    index_change=router.db_for_read(IndexChange))  # fmt: skip

    ReplicaReadsMiddleware(view)(request)
    return seen


def anonymous(method: str, path: str):
    request = RequestFactory().generic(method, path)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("path", ["/actions/", "/actions/12/", "/structures/", "/api/v1/actions", "/observatoire/"])
def test_anonymous_public_reads_of_public_data_go_to_the_replica(path):
    seen = decisions(anonymous("GET", path))
    assert (seen["action"], seen["structure"]) == (REPLICA, REPLICA)
    # Who may do what, the shared cache and the search's change log always follow the primary.
    assert (seen["user"], seen["cache"], seen["index_change"]) == (PRIMARY, PRIMARY, PRIMARY)
    assert router.db_for_read(Action) == PRIMARY  # outside a request


@pytest.mark.parametrize(("method", "path"), [("POST", "/actions/"), ("GET", "/connexion/"),
                                              ("GET", "/espace/compte/"), ("GET", "/moderation/")])  # fmt: skip
def test_writes_and_private_pages_read_the_primary(method, path):
    assert decisions(anonymous(method, path))["action"] == PRIMARY


def test_logged_in_people_read_the_primary():
    request = RequestFactory().get("/actions/")
    request.user = User(email="personne@maillage.test")
    assert decisions(request)["action"] == PRIMARY


def test_after_a_write_the_request_reads_the_primary_but_a_rate_counter_is_no_write():
    assert decisions(anonymous("GET", "/api/v1/actions"), lambda: router.db_for_write(CACHE_MODEL))["action"] == REPLICA
    assert decisions(anonymous("GET", "/actions/"), lambda: router.db_for_write(Action))["action"] == PRIMARY


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(PRIMARY, "actions")
    assert not router.allow_migrate(REPLICA, "actions")


# --- a real primary and its streaming replica --------------------------------------------------------------------

PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name))
OLD_TITLE = "Atelier lu sur le réplica"
NEW_TITLE = "Atelier changé sur le primaire"
PASSWORD = "Un mot de passe solide 42"


class Cluster:
    """A PostgreSQL data directory run on a loopback port, by the postgres user when this is root."""

    def __init__(self, directory: Path, name: str):
        self.bin = Path(PG_BINS[-1])
        self.directory = directory
        self.data = directory / name
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/maillage"

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.getuid() == 0:
            command = ["su", "postgres", "-s", "/bin/bash", "-c", shlex.join(command)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", f"{self.data}.log", "-w", "-o", options, "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def connect(self, database: str = "maillage") -> psycopg.Connection:
        return psycopg.connect(self.url.rsplit("/", 1)[0] + f"/{database}", autocommit=True)


@pytest.fixture(scope="module")
def primary_and_replica():
    directory = Path(tempfile.mkdtemp(prefix="maillage-replica-"))
    if os.getuid() == 0:
        os.chown(directory, pwd.getpwnam("postgres").pw_uid, -1)
    primary, replica = Cluster(directory, "primary"), Cluster(directory, "replica")
    try:
        primary.run("initdb", "-D", str(primary.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--locale=C.UTF-8")  # fmt: skip
        primary.start()
        primary.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        replica.start()
        with primary.connect("postgres") as connection:
            connection.execute("CREATE DATABASE maillage")
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(directory, ignore_errors=True)


def wait_for(check, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "le réplica ne rattrape pas le primaire"
        time.sleep(0.05)


def replica_has_the_sheet(replica: Cluster) -> bool:
    try:
        with replica.connect() as connection:
            return connection.execute("SELECT count(*) FROM actions_action").fetchone()[0] == 1
    except psycopg.Error:
        return False  # the database or its tables are not replayed yet


@pytest.mark.skipif(not PG_BINS, reason="programmes de PostgreSQL absents (.ci/run les installe)")
def test_anonymous_visitors_read_the_replica_and_logins_and_logged_in_people_the_primary(primary_and_replica,
                                                                                        tmp_path):  # fmt: skip
    primary, replica = primary_and_replica
    env = server_environment(tmp_path, primary.url, DATABASE_REPLICA_URL=replica.url)
    prepare(env)
    seeded = run_python(env, f"from tests.factories import make_sheet\n"
                             f"print(json.dumps({{'sheet': make_sheet({OLD_TITLE!r}).pk}}))")  # fmt: skip
    wait_for(lambda: replica_has_the_sheet(replica))
    with replica.connect() as connection:
        connection.execute("SELECT pg_wal_replay_pause()")
    with primary.connect() as connection:
        connection.execute("UPDATE actions_action SET title = %s WHERE id = %s", [NEW_TITLE, seeded["sheet"]])
    create_user = f"User.objects.create_user('lecteur@replica.test', password={PASSWORD!r})"
    run_python(env, f"from maillage.accounts.models import User\n{create_user}\nprint('{{}}')")

    node = Node.start("noeud-replica", env, tmp_path)
    try:
        status, record = node.get_json(f"/api/v1/actions/{seeded['sheet']}")
        assert (status, record["title"]) == (200, OLD_TITLE)
        status, listed = node.get_json("/api/v1/actions")
        assert [item["title"] for item in listed["results"]] == [OLD_TITLE]
        status, page = node.request(f"/actions/{seeded['sheet']}/")
        assert status == 200
        assert OLD_TITLE in page

        # The person exists on the primary only: the login reads and writes there.
        status, page = node.post_form("/connexion/", {"username": "lecteur@replica.test", "password": PASSWORD})
        assert status == 200
        assert 'name="password"' not in page  # not the login form again: logged in
        status, page = node.request(f"/actions/{seeded['sheet']}/")
        assert status == 200
        assert NEW_TITLE in page
    finally:
        node.stop()


def replica_has_every_change(primary: Cluster, replica: Cluster) -> bool:
    query = "SELECT coalesce(max(id), 0) FROM search_indexchange"
    with primary.connect() as on_primary, replica.connect() as on_replica:
        return on_replica.execute(query).fetchone()[0] >= on_primary.execute(query).fetchone()[0]


def anonymous_record(node: Node, sheet: int) -> tuple[str, str]:
    """(title, X-Cache) of the open API's record of a sheet, for a visitor with no cookie."""
    with urllib.request.urlopen(f"{node.url}/api/v1/actions/{sheet}", timeout=20) as response:
        return json.loads(response.read())["title"], response.headers["X-Cache"]


@pytest.mark.skipif(not PG_BINS, reason="programmes de PostgreSQL absents (.ci/run les installe)")
def test_a_page_read_from_a_lagging_replica_is_not_kept(primary_and_replica, tmp_path):
    """The page cache's version is the primary's change log: a page read from a replica that lags behind it would
    be an older page under the newer version, so it is not kept (www/page_cache.py)."""
    primary, replica = primary_and_replica
    # No rate limit: its counter is a write, after which a request reads the primary.
    env = server_environment(tmp_path, primary.url, DATABASE_REPLICA_URL=replica.url, API_RATE_LIMIT_PER_MINUTE="0")
    prepare(env)
    seeded = run_python(env, "from tests.factories import make_sheet\n"
                             "print(json.dumps({'sheet': make_sheet('Jardin lu sur le réplica').pk}))")  # fmt: skip
    with replica.connect() as connection:
        connection.execute("SELECT pg_wal_replay_resume()")
    wait_for(lambda: replica_has_every_change(primary, replica))
    node = Node.start("noeud-replica-cache", env, tmp_path)
    try:
        assert anonymous_record(node, seeded["sheet"]) == ("Jardin lu sur le réplica", "miss")
        assert anonymous_record(node, seeded["sheet"]) == ("Jardin lu sur le réplica", "hit")
        with replica.connect() as connection:
            connection.execute("SELECT pg_wal_replay_pause()")
        run_python(env, f"from maillage.actions.models import Action\nfrom tests.factories import change_sheet\n"
                        f"change_sheet(Action.objects.get(pk={seeded['sheet']}), title='Jardin changé')\n"
                        f"print('{{}}')")  # fmt: skip
        # The replica still shows the old title under the new version: answered, never kept.
        assert anonymous_record(node, seeded["sheet"]) == ("Jardin lu sur le réplica", "miss")
        assert anonymous_record(node, seeded["sheet"]) == ("Jardin lu sur le réplica", "miss")
        with replica.connect() as connection:
            connection.execute("SELECT pg_wal_replay_resume()")
        wait_for(lambda: replica_has_every_change(primary, replica))
        assert anonymous_record(node, seeded["sheet"]) == ("Jardin changé", "miss")
        assert anonymous_record(node, seeded["sheet"]) == ("Jardin changé", "hit")
    finally:
        node.stop()
