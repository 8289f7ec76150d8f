"""What every endpoint of the open API shares: JSON answers, errors naming the parameter, paging,
the per-address rate limit, and open CORS (the data are public)."""

import functools

from django.conf import settings
from django.http import JsonResponse

from maillage.accounts.client import throttle
from maillage.parameters import MAX_PAGE, InvalidParameter, positive_int

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def api_view(view):
    """Wrap an endpoint: GET (and HEAD) only, rate-limited, bad parameters answered with HTTP 400."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error_response("method", "Seules les requêtes GET sont acceptées.", status=405)
            response["Allow"] = "GET, HEAD"
            return response
        retry_after = _throttle(request)
        if retry_after:
            response = error_response("rate", "Trop de requêtes : réessayez dans un instant.", status=429)
            response["Retry-After"] = str(retry_after)
            return _cors(response)
        try:
            response = view(request, *args, **kwargs)
        except InvalidParameter as error:
            response = error_response(error.parameter, error.message)
        return _cors(response)

    return wrapped


def json_response(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error_response(parameter: str, message: str, status: int = 400) -> JsonResponse:
    return json_response({"error": {"parameter": parameter, "message": message}}, status=status)


def not_found(what: str) -> JsonResponse:
    return _cors(error_response("id", f"{what} introuvable.", status=404))


def parse_paging(params) -> tuple[int, int]:
    """`page` (from 1) and `page_size` (1 to 100) from the query string."""
    page = _positive_int(params, "page", 1)
    page_size = _positive_int(params, "page_size", DEFAULT_PAGE_SIZE)
    if page_size > MAX_PAGE_SIZE:
        raise InvalidParameter("page_size", f"au plus {MAX_PAGE_SIZE} résultats par page.")
    return page, page_size


def _positive_int(params, name: str, default: int) -> int:
    values = params.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise InvalidParameter(name, "ce paramètre ne peut être donné qu'une fois.")
    return positive_int(values[0], name, maximum=MAX_PAGE)


def _throttle(request) -> int:
    """Seconds to wait when this client address has used its requests of the current minute, else 0."""
    return throttle(request, "api", settings.API_RATE_LIMIT_PER_MINUTE)


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response
