"""A starting server asks each kind of public page once, through the whole stack, before forking its workers; a
page that fails does not stop the start, and no connection is left open."""

import logging

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from maillage import health, warm_pages
from tests.factories import make_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(monkeypatch):
    calls = []
    # The test's own connection stays open (`django.db.connections`, as `health` and `warm_pages` call it), also
    # across the requests' signals (as Django's test client keeps it: in the test's transaction it would be closed).
    monkeypatch.setattr(warm_pages.connections, "close_all", lambda: calls.append(True))
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield calls
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_each_kind_of_public_page_is_asked_once_at_start(closed, settings, monkeypatch):
    settings.WARM_PAGES = True
    settings.ALLOWED_HOSTS = [".example.org", "maillage.example.org"]
    sheet = make_sheet("Atelier de vélo solidaire")
    asked = []
    request = warm_pages.request

    def noted(handler, path, query):
        asked.append((path, query))
        return request(handler, path, query)

    monkeypatch.setattr(warm_pages, "request", noted)
    health.warm_up()
    assert [path for path, _ in asked] == ["/actions/", "/actions/", "/api/v1/actions", sheet.get_absolute_url(),
                                           f"/api/v1/actions/{sheet.pk}"]  # fmt: skip
    assert closed == [True, True]  # after loading the index, after the pages


def test_the_pages_answer_as_to_a_visitor(closed, settings):
    settings.ALLOWED_HOSTS = ["maillage.example.org"]
    make_sheet("Atelier de vélo solidaire")
    answers = warm_pages.warm_pages()
    assert len(answers) == 5
    assert {status for _, status in answers} == {200}
    assert warm_pages.warm_host() == "maillage.example.org"


def test_a_failing_page_does_not_stop_the_start(closed, monkeypatch, caplog):
    def broken(handler, path, query):
        raise RuntimeError("page cassée")

    monkeypatch.setattr(warm_pages, "request", broken)
    with caplog.at_level(logging.WARNING, logger="maillage.warm_pages"):
        assert warm_pages.warm_pages() == []
    assert "Préchauffage des pages publiques interrompu" in caplog.text
    assert closed == [True]


def test_behind_the_tls_proxy_the_pages_are_asked_as_it_forwards_them(closed, settings):
    """In production (`HTTPS=true`) a page asked over plain HTTP would be redirected: asked as the proxy forwards."""
    settings.ALLOWED_HOSTS = ["maillage.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    make_sheet("Atelier de vélo solidaire")
    assert {status for _, status in warm_pages.warm_pages()} == {200}
