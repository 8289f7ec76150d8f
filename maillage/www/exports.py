"""Exports of action lists: the list a reader sees (search, filters, sort), as CSV, XLSX or JSON.

The file is streamed: its first bytes leave before the sheets are all read (see `exchange.web_exports`).
Exports are limited per client address (`EXPORT_RATE_LIMIT_PER_MINUTE`, `throttling.py`).
"""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from maillage.exchange.web_exports import FORMATS
from maillage.search.engine import parse_action_filters, search_actions
from maillage.search.params import FACET_LABELS, InvalidParameter

from .throttling import export_limited


@require_safe
@export_limited
def action_export(request, fmt: str):
    export = FORMATS.get(fmt)
    if export is None:
        raise Http404("Format d'export inconnu.")
    try:
        filters = parse_action_filters(request.GET)
    except InvalidParameter as error:
        return bad_parameter(error)
    # A HEAD (link checkers) gets the headers without reading the whole list.
    chunks = export.chunks(search_actions(filters).ordered_ids()) if request.method == "GET" else iter(())
    response = StreamingHttpResponse(chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="maillage-actions-{timezone.localdate():%Y-%m-%d}.{fmt}"'
    # Proxies (nginx) would otherwise hold the file back until it is complete.
    response["X-Accel-Buffering"] = "no"
    return response


def bad_parameter(error: InvalidParameter) -> HttpResponse:
    """Plain text: the link is followed to download a file, and says what to correct in the address."""
    label = FACET_LABELS.get(error.parameter)
    name = f"« {error.parameter} » ({label})" if label else f"« {error.parameter} »"
    message = f"Export impossible. Paramètre {name} : {error.message}\n"
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
