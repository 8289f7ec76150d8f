"""Public pages. Views parse the request, call a queryset and render: no business rules here."""

from pathlib import Path
from urllib.parse import urlencode

from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from maillage.actions.files import is_stored_image
from maillage.actions.models import Action
from maillage.actions.moderation import is_stale
from maillage.actions.sheet_pdf import sheet_pdf
from maillage.exchange.action_json import action_records, listed_records
from maillage.parameters import MAX_PAGE, positive_int
from maillage.search.engine import parse_action_filters, search_actions
from maillage.search.params import FACET_LABELS, MAX_QUERY_LENGTH, SORTS, ActionFilters, InvalidParameter
from maillage.search.similar import similar_actions
from maillage.structures.models import Structure

from .page_cache import bank_version, public_page_cache
from .search_page import (
    chips,
    export_links,
    facet_options_html,
    list_url,
    page_links,
    result_items,
    result_items_html,
    with_paths,
)
from .throttling import export_limited

LATEST_ACTIONS = 10


def home(request):
    published = Action.objects.published()
    latest = published.select_related("structure__department").order_by(F("published_at").desc(nulls_last=True), "-id")
    context = {
        "action_count": published.count(),
        "structure_count": Structure.objects.count(),
        "latest_actions": latest[:LATEST_ACTIONS],
    }
    return render(request, "www/home.html", context)


@public_page_cache(bank_version)
def action_detail(request, pk: int, slug: str | None = None):
    published = Action.objects.published().select_related("structure__department").prefetch_related("files")
    action = get_object_or_404(published, pk=pk)
    if slug != action.slug:
        return redirect(action, permanent=True)
    record = action_records([action.pk])[action.pk]
    context = {
        "action": action,
        "record": record,
        "similar": with_paths(listed_records(similar_actions(action.pk))),
        "stale": is_stale(action),
        "permalink": request.build_absolute_uri(reverse("www:action-permalink", kwargs={"pk": action.pk})),
        "images": [attached for attached in action.files.all() if attached.file and is_stored_image(attached.file)],
    }
    return render(request, "www/action_detail.html", context)


@export_limited
def action_pdf(request, pk: int):
    """The sheet as a tagged PDF (WeasyPrint, PDF/UA-1), laid out by the print stylesheet."""
    action = get_object_or_404(Action.objects.published().select_related("structure__department"), pk=pk)
    images = [
        {"uri": Path(attached.file.path).as_uri(), "alt": attached.name}
        for attached in action.files.all()
        if attached.file and is_stored_image(attached.file)
    ]
    context = {
        "action": action,
        "record": action_records([action.pk])[action.pk],
        "images": images,
        "permalink": request.build_absolute_uri(reverse("www:action-permalink", kwargs={"pk": action.pk})),
    }
    response = HttpResponse(sheet_pdf(render_to_string("www/action_pdf.html", context)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="fiche-{action.pk}-{action.slug[:60]}.pdf"'
    return response


@public_page_cache(bank_version)
def action_list(request):
    """The action bank: search, facets, sort, pages — all in the query string."""
    context = {"facet_labels": FACET_LABELS, "sorts": SORTS}
    try:
        filters = parse_action_filters(request.GET)
        page = _page_number(request.GET)
    except InvalidParameter as error:
        context.update(error=error, filters=ActionFilters(query=request.GET.get("q", "")[:MAX_QUERY_LENGTH]))
        return render(request, "www/action_list.html", context, status=400)
    results = search_actions(filters, page=page)
    items = result_items(results)
    context.update(
        filters=filters,
        results=results,
        items=items,
        items_html=result_items_html(items),
        facets=[
            (name, FACET_LABELS[name], facet_options_html(name, options))
            for name, options in results.facets.items()
            if options
        ],
        chips=chips(results),
        pages=page_links(results),
        first_url=list_url(filters),
        previous_url=list_url(filters, results.page - 1) if 1 < results.page <= results.page_count else "",
        next_url=list_url(filters, results.page + 1) if results.page < results.page_count else "",
        exports=export_links(filters),
        alert_query=urlencode(filters.query_pairs(sort=False)),
    )
    return render(request, "www/action_list.html", context)


def _page_number(params) -> int:
    return positive_int(params.get("page", "1"), "page", maximum=MAX_PAGE, what="un numéro de page")
