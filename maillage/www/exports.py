"""Exports of action lists: the list a reader sees (search, filters, sort), as CSV, XLSX or JSON.

The file is streamed: its first bytes leave before the sheets are all read (see `exchange.web_exports`).
Exports are limited per client address (`EXPORT_RATE_LIMIT_PER_MINUTE`, `throttling.py`).
"""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from maillage.exchange import directory_exports
from maillage.exchange.web_exports import FORMATS
from maillage.search.engine import parse_action_filters, search_actions
from maillage.search.params import FACET_LABELS, InvalidParameter
from maillage.structures.directory import FACETS, matching_structures, parse_structure_filters

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


DIRECTORY_LABELS = {"q": "Recherche", **{facet.param: facet.title for facet in FACETS}}


@require_safe
@export_limited
def structure_export(request, fmt: str):
    """The structures of a directory view (same parameters as the page, every page) as a streamed file."""
    export = directory_exports.FORMATS.get(fmt)
    if export is None:
        raise Http404("Format d'export inconnu.")
    try:
        filters = parse_structure_filters(request.GET)
    except InvalidParameter as error:
        return bad_parameter(error, DIRECTORY_LABELS)
    chunks = export.chunks(matching_structures(filters)) if request.method == "GET" else iter(())
    response = StreamingHttpResponse(chunks, content_type=export.content_type)
    name = f"maillage-structures-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Accel-Buffering"] = "no"
    return response


def bad_parameter(error: InvalidParameter, labels: dict = FACET_LABELS) -> HttpResponse:
    """Plain text: the link is followed to download a file, and says what to correct in the address."""
    label = labels.get(error.parameter)
    name = f"« {error.parameter} » ({label})" if label else f"« {error.parameter} »"
    message = f"Export impossible. Paramètre {name} : {error.message}\n"
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
