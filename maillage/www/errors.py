"""Error pages that need more than a template: a bad request says which parameter to correct."""

from django.shortcuts import render

from maillage.api.responses import error_response
from maillage.parameters import InvalidParameter


def bad_request(request, exception=None):
    """HTTP 400, naming the parameter when an `InvalidParameter` was raised; JSON under `/api/`."""
    parameter = exception.parameter if isinstance(exception, InvalidParameter) else ""
    message = exception.message if isinstance(exception, InvalidParameter) else "La requête est mal formée."
    if request.path.startswith("/api/"):
        return error_response(parameter or "request", message)
    return render(request, "400.html", {"parameter": parameter, "message": message}, status=400)
