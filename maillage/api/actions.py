"""Open API: the published action sheets, searched and faceted as on the list page."""

from maillage.actions.models import Action
from maillage.exchange.action_json import listed_records
from maillage.search.engine import ActionResults, parse_action_filters, search_actions
from maillage.search.params import FACETS
from maillage.search.similar import similar_actions
from maillage.search.snippets import snippets
from maillage.www.page_cache import bank_version, public_page_cache

from .responses import api_view, json_response, not_found, parse_paging


@api_view
@public_page_cache(bank_version)  # inside the API's wrapper: its rate limit counts every hit
def action_list(request):
    filters = parse_action_filters(request.GET, strict=True)
    page, page_size = parse_paging(request.GET)
    results = search_actions(filters, page=page, page_size=page_size)
    items = listed_records(results.ids)
    if results.parsed:
        extracts = snippets(results.ids, results.parsed)
        for item in items:
            item["snippet"] = extracts.get(item["id"], "")
    body = {
        "count": results.count,
        "page": page,
        "page_size": page_size,
        "results": items,
        "facets": facet_counts(results),
    }
    if results.suggestion:
        body["suggestion"] = results.suggestion
    return json_response(body)


def facet_counts(results: ActionResults) -> dict[str, list[dict]]:
    """Facets named as the record's keys, with the exact labels of the sheets as values."""
    return {
        FACETS[name]: [{"value": option.label, "count": option.count} for option in options]
        for name, options in results.facets.items()
    }


@api_view
@public_page_cache(bank_version)
def action_detail(request, pk: int):
    if not Action.objects.published().filter(pk=pk).exists():
        return not_found("Fiche action")
    item = listed_records([pk])[0]
    item["similar"] = [
        {"id": similar["id"], "title": similar["title"], "url": similar["url"]}
        for similar in listed_records(similar_actions(pk))
    ]
    return json_response(item)
