"""Whole rendered public pages kept for anonymous visitors (`@public_page_cache`), correct by construction.

A page is served from the cache (`CACHES["pages"]`: Redis when `REDIS_URL` is set, else files under
`PAGE_CACHE_DIR`, shared by the workers of a node) only when its key is the one a fresh rendering would have. The
key holds:
- the content version of what the page shows, read at each request (`bank_version`: the facet index's
  `content_change`, one indexed query of the search's change log, which moves in the same transaction as any change
  of a published sheet — its text, lists, attachments, state —, of the name, department or e-mail of a structure
  with published sheets, or of a closed-list label or department name they show; `figures_version`: when each
  year's observatory figures were computed, one query);
- the address asked (scheme, host and path with its query string: absolute links and permalinks follow it);
- the code (`code_version`: the files of the `maillage` package, so that a deployment never serves pages of the
  previous templates).
What changes without a version moving is bounded by `PAGE_CACHE_SECONDS` (300 by default; 0 turns the cache
off): the « À actualiser » badge of a sheet (a date passing), a region's name (renamed in the admin without a
log entry), and on the observatory pages the names of regions and departments.

Only anonymous GET or HEAD requests with no session of a logged-in person (not even before their second factor)
and no message pending are served or stored; only a 200 answer with no cookie, no `Vary` and no private or
no-store `Cache-Control` is stored. A CSRF token rendered into a page (the alert form of the action list) is
replaced by a placeholder before storing, and each visitor gets their own in its place (so their own CSRF cookie).
While a page that may be kept is rendered, `{% csrf_token %}` writes the placeholder (the context processor
`csrf_placeholder`), replaced as the page leaves; a token asked for any other way is found in the page and hidden.
The decorator wraps the view only: the middleware (request log, security and CSP headers, session, CSRF cookie)
and the API's rate limit (`api_view`, outside it) run for a hit as for a miss.

With a read replica, a page is stored only when the replica has every change the primary had logged when the
version was read (else a lagging replica's older records would be stored under the newer version).
"""

import functools
import hashlib
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token

from maillage.observatory.models import Campaign
from maillage.ops.replica import PRIMARY, REPLICA, reading_replica
from maillage.search.facets import facet_index
from maillage.search.models import IndexChange

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
HEADER = "X-Cache"
SAFE_METHODS = ("GET", "HEAD")
# Stands for the visitor's CSRF token in a stored page; a visitor typing it into a sheet would see only their own.
CSRF_PLACEHOLDER = "maillage-page-cache-csrf-token"
# A run of letters and digits as long as a CSRF secret or more: a masked token is one of 64, the secret one of 32.
LETTER_RUN = re.compile(rb"[A-Za-z0-9]{32,}")
TOKEN_LENGTHS = (32, 64)
UNCACHEABLE_CONTROLS = ("private", "no-store", "no-cache")


def bank_version(request) -> str:
    """The bank's pages (list, search, sheets, open API of sheets): the last change of a published sheet."""
    change = facet_index().content_change
    return f"bank:{change[0]}:{change[1]}"


def figures_version(request) -> str:
    """The observatory's report pages: when each year's figures were computed (one small query)."""
    years = Campaign.objects.order_by("year").values_list("year", "aggregates_computed_at")
    return "figures:" + ",".join(f"{year}={stamp.isoformat() if stamp else '-'}" for year, stamp in years)


def public_page_cache(version: Callable[[object], str]):
    """Decorate a public view: anonymous GET/HEAD answers kept `PAGE_CACHE_SECONDS` under `version(request)`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if seconds <= 0 or not anonymous_visit(request):
                return view(request, *args, **kwargs)
            key = page_key(request, version(request))
            stored = _cache_call("get", key)
            if stored is not None:
                return replayed(request, stored)
            may_store = not reading_replica() or replica_caught_up()
            request.csrf_placeholder = True  # forms render CSRF_PLACEHOLDER (`csrf_placeholder`), not a token
            response = view(request, *args, **kwargs)
            entry = page_entry(request, response) if may_store else None
            if entry is not None:
                _cache_call("set", key, entry, seconds)
            give_own_token(request, response)
            response[HEADER] = "miss"
            return response

        return wrapped

    return decorator


def _cache_call(method: str, *args):
    """A read or write of the pages' cache; when it fails (Redis away, a full disk), the page is rendered as if the
    cache were empty, and the failure logged."""
    try:
        return getattr(caches[CACHE_ALIAS], method)(*args)
    except Exception:  # noqa: BLE001 - whatever the backend raises, a page is still answered
        logger.warning("Cache des pages : %s impossible", "lecture" if method == "get" else "écriture", exc_info=True)
        return None


def anonymous_visit(request) -> bool:
    """GET or HEAD by nobody logged in (a session is read only when the request has one) with no message waiting."""
    if request.method not in SAFE_METHODS:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
        return False  # logged in, even when the second factor is still to come (shown the pages as anonymous)
    return not request.user.is_authenticated and not pending_messages(request)


def pending_messages(request) -> int:
    storage = getattr(request, "_messages", None)
    return len(storage) if storage is not None else 0


def page_key(request, version: str) -> str:
    material = "\n".join((code_version(), version, request.scheme, request.get_host(), request.get_full_path()))
    return "page:" + hashlib.sha256(material.encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """A fingerprint of the package's files (name, size, time): new templates or code, new keys."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(files):
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def replica_caught_up() -> bool:
    """Whether the replica holds every change the primary has logged (read before the view: it only moves on)."""
    last = IndexChange.objects.order_by("-id").values_list("id", flat=True)
    return (last.using(REPLICA).first() or 0) >= (last.using(PRIMARY).first() or 0)


def page_entry(request, response) -> dict | None:
    """What is kept of a response (content and the view's headers), or None when it must not be kept."""
    if response.status_code != 200 or response.streaming or response.cookies or response.has_header("Vary"):
        return None
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in UNCACHEABLE_CONTROLS) or pending_messages(request):
        return None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return None
    # Forms rendered the placeholder; a token asked for some other way while rendering is looked for in the page.
    content, asked_token = without_csrf_token(request, response.content)
    with_token = asked_token or CSRF_PLACEHOLDER.encode() in content
    return {"content": content, "headers": list(response.items()), "csrf": with_token}


def csrf_placeholder(request) -> dict:
    """Context processor: on a page that may be kept, `{% csrf_token %}` renders the placeholder, replaced by the
    visitor's own token as the page leaves (`give_own_token`): no search of the page for tokens to hide (5 % of
    the servers' time under `make loadtest`)."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "csrf_placeholder", False) else {}


def give_own_token(request, response) -> None:
    """The placeholder of a rendered page replaced by this visitor's token (so their CSRF cookie is set)."""
    if response.streaming:
        return
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())


def without_csrf_token(request, content: bytes) -> tuple[bytes, bool]:
    """The page with every string that gives away this visitor's CSRF secret replaced by the placeholder."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return content, False  # no token was asked for while rendering
    # Runs of letters and digits found in the bytes (half the time of a search of the decoded text by length).
    pieces, start = [], 0
    for match in LETTER_RUN.finditer(content):
        if _gives_away(match.group().decode(), secret):
            pieces += [content[start : match.start()], CSRF_PLACEHOLDER.encode()]
            start = match.end()
    if not pieces:
        return content, False
    return b"".join([*pieces, content[start:]]), True


def _gives_away(word: str, secret: str) -> bool:
    """Whether a run of letters and digits is the secret itself or a token masking it."""
    if len(word) not in TOKEN_LENGTHS:
        return False
    return word == secret or (len(word) == 64 and _unmask_cipher_token(word) == secret)


def replayed(request, stored: dict) -> HttpResponse:
    content = stored["content"]
    if stored["csrf"]:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content, headers=dict(stored["headers"]))
    response[HEADER] = "hit"
    return response
