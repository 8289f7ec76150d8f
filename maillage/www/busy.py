"""A busy database is a 503 asking to retry, not a 500.

On SQLite one connection writes at a time; another waits for the lock (`timeout` in the settings) and fails past
it. Imports keep their write short, but a wait can still run out: the person then gets a page in French saying to
retry in a moment, with `Retry-After` (JSON under `/api/`). `server_error` is the project's `handler500`, so that
it also catches a lock met outside the view (the session saved by its middleware, at login).
"""

import sys

from django.http import HttpResponse
from django.template import loader
from django.views import defaults

from maillage.api.responses import error_response
from maillage.exchange.transactions import is_database_busy

RETRY_AFTER_SECONDS = 30
API_MESSAGE = "La base de données est occupée par une longue écriture : réessayez dans une trentaine de secondes."


def server_error(request):
    """`handler500`: 503 when the error is a database lock wait that ran out, else Django's 500 page."""
    error = sys.exc_info()[1]
    if error is not None and is_database_busy(error):
        return database_busy(request)
    return defaults.server_error(request)


def database_busy(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = error_response("database", API_MESSAGE, status=503)
    else:
        # Rendered without the request's context: its processors would read the database again.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
