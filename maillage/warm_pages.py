"""One anonymous request of each kind of public page, through the whole server stack, when a server starts.

A process's first sheet page, search, API answer or observatory page cost 5 to 12 times the next ones (about
250 ms for the first observatory page against 20 ms): templates compiled, modules imported on first use, the
middleware's first calls, the first connections' lookups. gunicorn's master makes these requests once before
forking (`maillage.health.warm_up`): its workers inherit all of it, instead of each paying it while the first
visitors wait (the first 20 s of `make loadtest` on PostgreSQL answered at p95 0.5–0.9 s).

The requests are GETs to this process's own WSGI application, as a visitor with no cookie; the database
connections they open are closed afterwards (the workers must not share them). A page that fails is logged
and the start goes on.
"""

import io
import logging
import sys
from urllib.parse import urlencode

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.urls import reverse

from maillage.actions.models import Action, ActionState
from maillage.observatory.models import Campaign

logger = logging.getLogger(__name__)

# A word most banks hold (a search with results, ranked).
SEARCH_WORD = "atelier"


def warm_pages() -> list[tuple[str, int]]:
    """Ask each kind of public page once; returns (path, status) of each."""
    handler = WSGIHandler()
    answers = []
    try:
        for path, query in pages():
            answers.append((path, request(handler, path, query)))
    except Exception:  # noqa: BLE001 - the server starts all the same, only its first visitors wait longer
        logger.warning("Préchauffage des pages publiques interrompu", exc_info=True)
    finally:
        connections.close_all()
    return answers


def pages() -> list[tuple[str, str]]:
    found = [
        (reverse("www:action-list"), ""),
        (reverse("www:action-list"), urlencode({"q": SEARCH_WORD})),
        (reverse("api:action-list"), urlencode({"q": SEARCH_WORD})),
    ]
    sheet = Action.objects.filter(state=ActionState.PUBLISHED).order_by("-pk").only("title").first()
    if sheet is not None:
        found += [(sheet.get_absolute_url(), ""), (reverse("api:action-detail", kwargs={"pk": sheet.pk}), "")]
    if Campaign.objects.filter(aggregates_computed_at__isnull=False).exists():
        found.append((reverse("observatory:nation"), ""))
    return found


def request(handler: WSGIHandler, path: str, query: str) -> int:
    """GET `path` through the application; its status code."""
    host = warm_host()
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if settings.SECURE_SSL_REDIRECT else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if settings.SECURE_SSL_REDIRECT else "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if settings.SECURE_SSL_REDIRECT and proxy_header:  # as the TLS proxy says it (else Django redirects to https)
        environ[proxy_header[0]] = proxy_header[1]
    statuses = []
    response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        for _ in response:
            pass
    finally:
        response.close()
    return int(statuses[0].split()[0])


def warm_host() -> str:
    """A host the site accepts (`ALLOWED_HOSTS`), so that Django answers the page rather than a 400."""
    for host in settings.ALLOWED_HOSTS:
        if host not in ("*", "") and not host.startswith("."):
            return host
    return "localhost"
