"""Browser tests: Playwright drives Debian's chromium against the live server, on the real seed file.

One browser for all the browser tests; a new context (cookies, JavaScript on or off, screen size) and page
per test. The live server needs a transactional database, flushed after each test: `site` loads the
reference data (a migration's data) again when the flush took it, then the seed file.

Playwright's sync API keeps an event loop running in the test thread while the browser is open, so Django
refuses ORM calls from that thread unless `DJANGO_ALLOW_ASYNC_UNSAFE` is set; and since Django keeps its
connections per thread *and per event-loop context*, the tests use other connection objects than those
opened before the browser started. The browser is package-scoped so that the loop and the setting end
with the browser tests.

On SQLite those connections share the in-memory test database through SQLite's shared cache, where a table read
by one connection is locked for another's write and the write fails at once (« database table is locked »); a
test reading the database while a page saves would fail that save. While the browser runs, the test's and the
server's connections read uncommitted data, which takes no such lock: as in production (WAL on SQLite, PostgreSQL),
a reader never blocks a writer (what it reads may be a write in progress, which production would not show).
"""

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.db import OperationalError, connections
from django.db.backends.signals import connection_created
from playwright.sync_api import sync_playwright

from maillage.actions.models import Action
from maillage.exchange.services import import_actions
from maillage.referentials.models import Region
from maillage.search import engine, facets, similar, suggestions, vocabulary
from maillage.search.services import remove_actions
from maillage.structures.models import Structure
from tests.conftest import SEEDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEED = SEEDS / "000_aa8ed177602d5f0b.txt"
SEED_SHEETS = 23  # 25 sheets, two of them twice
# The regions, departments and closed lists: data of a migration, which a flush deletes.
REFERENCE_DATA = import_module("maillage.referentials.migrations.0002_seed_reference_data")
TIMEOUT_MS = 10_000
PHONE = {"width": 360, "height": 740}
READ_UNCOMMITTED = "browser-tests-read-uncommitted"


@pytest.fixture(scope="package")
def browser(django_db_setup):
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} est absent : les tests navigateur ont besoin du paquet Debian chromium "
            "(apt-get install --no-install-recommends chromium ; .ci/run l'installe).",
            pytrace=False,
        )
    with async_unsafe_allowed(), reads_without_table_locks(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The connections opened while the loop ran are not those that Django closes at the end.
            connections.close_all()


@contextmanager
def reads_without_table_locks():
    """The SQLite connections opened while the browser runs read uncommitted data (see the module's docstring)."""
    connection_created.connect(read_without_table_locks, dispatch_uid=READ_UNCOMMITTED)
    try:
        yield
    finally:
        connection_created.disconnect(dispatch_uid=READ_UNCOMMITTED)


def read_without_table_locks(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


@contextmanager
def async_unsafe_allowed():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser):
    """Open pages in fresh contexts: `new_page(java_script_enabled=False, viewport=PHONE)`.

    Whatever the Content-Security-Policy blocked on the way (an inline script or style, a handler
    attribute) fails the test: the browser reports it in the console.
    """
    contexts, blocked = [], []

    def open_page(**options):
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: _note_csp_violation(message, page, blocked))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert blocked == [], "bloqué par la Content-Security-Policy"


def _note_csp_violation(message, page, blocked: list) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        blocked.append(f"{page.url}: {message.text}")


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def axe():
    """axe-core, injected into pages to check their accessibility (`pages.blocking_violations`)."""
    return Axe()


@dataclass(frozen=True)
class Site:
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


def pytest_collection_modifyitems(items):
    """Browser tests use a transactional database. Setting `available_apps` (to all of them) lets the flush
    that ends each test truncate with CASCADE: on PostgreSQL the search index table refers to the sheets."""
    here = Path(__file__).parent
    every_app = [config.name for config in apps.get_app_configs()]
    marker = pytest.mark.django_db(transaction=True, available_apps=every_app)
    for item in items:
        if here in item.path.parents:
            item.add_marker(marker)


@pytest.fixture
def site(browser, live_server, transactional_db):
    """The live server with the 23 distinct sheets of the seed file, published."""
    for server_connection in live_server.thread.connections_override.values():  # opened before the browser
        read_without_table_locks(None, server_connection)
    try:
        if not Region.objects.exists():  # flushed by the previous transactional test
            REFERENCE_DATA.load(apps, None)
        report = import_actions(SEED)
        assert report.created == SEED_SHEETS, report
        assert Action.objects.published().count() == SEED_SHEETS
        assert not Structure.objects.filter(department=None).exists(), "départements absents de la base de test"
        _forget_search_state()
        yield Site(live_server.url)
    finally:
        # The SQLite index is a virtual table, not a model: the flush that ends the test leaves it alone.
        _remove_indexed_sheets()
        _forget_search_state()


def _remove_indexed_sheets(tries: int = 50) -> None:
    """Remove every sheet from the text index, once the server thread lets go of it.

    A page closed as the test ends may still be saving through the server thread (the questionnaire saves when it is
    hidden or left). On the shared in-memory SQLite database of the tests a table lock does not wait: the removal
    fails at once with « database table is locked », so it is tried again for a few seconds."""
    for attempt in range(1, tries + 1):
        try:
            remove_actions(list(Action.objects.values_list("id", flat=True)))
            return
        except OperationalError as error:
            if "locked" not in str(error) or attempt == tries:
                raise
            time.sleep(0.1)


def _forget_search_state() -> None:
    """Drop what this process keeps of the previous test's index (the server thread shares it)."""
    facets.forget()
    similar.forget()
    engine.clear_match_cache()
    vocabulary.forget()
    suggestions.forget_vocabulary()
