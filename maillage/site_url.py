"""The address the site is served at, for the absolute links of exports, the API description and e-mails.

`SITE_URL` (environment) fixes it. When it is not configured, a page's own links (exports, API
documentation) follow the address the request came to (`www.middleware.remember_site_url`, the host
checked against `ALLOWED_HOSTS` by Django); work done outside a request (e-mails of the worker) uses the
setting's default, which `make run` sets from `PORT` (`deploy/run-dev.sh`).
"""

from contextvars import ContextVar

from django.conf import settings

# Set at the start of each request; a streamed export reads it while its response is sent, in the same thread.
_request_site_url: ContextVar[str | None] = ContextVar("request_site_url", default=None)


def site_url() -> str:
    """`SITE_URL` when configured, else the address of the current request, else the setting's default."""
    if not getattr(settings, "SITE_URL_CONFIGURED", True):
        from_request = _request_site_url.get()
        if from_request:
            return from_request
    return settings.SITE_URL


def remember_request(request) -> None:
    """Note the address `request` came to (`scheme://host[:port]` plus the script prefix, no final slash)."""
    _request_site_url.set(request.build_absolute_uri("/").rstrip("/"))


def forget_request() -> None:
    _request_site_url.set(None)
