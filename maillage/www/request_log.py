"""One JSON line per request on stderr (logger `maillage.requests`, formatted by `maillage.json_logs`).

Each line holds a request id, the method, the path, the status, the duration in milliseconds and the role of the
person (and, for a public page the page cache handles, `cache`: hit or miss) — never a name, an e-mail or an
address. The query string is dropped (an alert link or a search can carry an e-mail address), and so are the
credentials that some paths carry (invitation, alert and password links): they are logged as `<token>`.

The request id is the request's `X-Request-ID` when it is a safe token (set by a proxy, to follow a request
through both logs), else a new one; the response carries it back in `X-Request-ID`. For a streamed response
(exports), the duration is the time until the response began.
"""

import logging
import re
import time
import uuid

from django.db import DatabaseError

from maillage.accounts import perms

logger = logging.getLogger("maillage.requests")

REQUEST_ID_HEADER = "X-Request-ID"
PAGE_CACHE_HEADER = "X-Cache"  # hit or miss, set by www/page_cache.py
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# URL parameters that are credentials: their value never reaches the log.
SECRET_PARAMETERS = frozenset({"token", "uidb64"})
# The role is decided at login and kept in the session: the log asks no query of its own.
ROLE_SESSION_KEY = "maillage_role"


class Role:
    ANONYMOUS = "anonymous"
    ACCOUNT = "account"  # logged in, with no structure or mandate (yet)
    MEMBER = "member"
    STRUCTURE_ADMIN = "structure_admin"
    CORRESPONDENT = "correspondent"
    NATIONAL_ADMIN = "national_admin"


class RequestLogMiddleware:
    """First of the middleware: it times everything after it and logs even the responses made before a view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        fields = {
            "request_id": request.request_id,
            "method": request.method,
            "path": logged_path(request),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "role": request_role(request),
        }
        if cache := response.get(PAGE_CACHE_HEADER):
            fields["cache"] = cache  # how much of the traffic the page cache answers (www/page_cache.py)
        logger.info("request", extra={"fields": fields})
        return response


def request_id(request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def logged_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if name in SECRET_PARAMETERS and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def request_role(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Role.ANONYMOUS
    role = request.session.get(ROLE_SESSION_KEY)
    if role is None:  # a session opened before the log kept roles
        try:
            role = role_of(user)
        except DatabaseError:
            role = "unknown"
    return role


def role_of(user) -> str:
    """The highest of the person's roles (those of `accounts.perms`), read without filling the caches that
    `perms` keeps on the user object (a test's user, when a test logs in)."""
    if perms.is_national_admin(user):
        return Role.NATIONAL_ADMIN
    if user.correspondent_scopes.exists():
        return Role.CORRESPONDENT
    admin_flags = set(user.memberships.values_list("is_admin", flat=True))
    if True in admin_flags:
        return Role.STRUCTURE_ADMIN
    return Role.MEMBER if admin_flags else Role.ACCOUNT


def remember_role(sender, request, user, **kwargs) -> None:
    """On login (`user_logged_in`): the role goes into the new session, for the log of its requests."""
    if request is not None and hasattr(request, "session"):
        request.session[ROLE_SESSION_KEY] = role_of(user)
