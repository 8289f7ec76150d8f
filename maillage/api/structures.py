"""Open API: structures.

`GET /api/v1/structures` searches the directory with the parameters of the directory page (`q` and the
facets, see `maillage.structures.directory`) plus `page` and `page_size`; `GET /api/v1/structures/<id>`
gives one structure's open-data record with its published sheets.
"""

from maillage.exchange.structure_json import STRUCTURE_RELATIONS, structure_export
from maillage.search.params import InvalidParameter
from maillage.site_url import site_url
from maillage.structures.directory import PARAMETERS, parse_structure_filters, search_structures
from maillage.structures.models import Structure

from .responses import api_view, json_response, not_found, parse_paging

LIST_PARAMETERS = (*PARAMETERS, "page", "page_size")


@api_view
def structure_list(request):
    unknown = next((name for name in request.GET if name not in LIST_PARAMETERS), None)
    if unknown:
        raise InvalidParameter(unknown[:50], f"paramètre inconnu ; paramètres acceptés : {', '.join(LIST_PARAMETERS)}.")
    page, page_size = parse_paging(request.GET)
    filters = parse_structure_filters(request.GET)
    results = search_structures(filters, page=page, page_size=page_size)
    return json_response(
        {
            "count": results.count,
            "page": results.page,
            "page_size": results.page_size,
            "results": [structure_export(structure) for structure in results.structures],
            "facets": {
                param: [
                    {"value": option.value, "label": option.label, "count": option.count, "selected": option.selected}
                    for option in options
                ]
                for param, options in results.facets.items()
            },
        }
    )


@api_view
def structure_detail(request, pk: int):
    structure = Structure.objects.select_related(*STRUCTURE_RELATIONS).filter(pk=pk).first()
    if structure is None:
        return not_found("Structure")
    actions = structure.actions.published().order_by("title", "id")
    return json_response(
        {
            **structure_export(structure),
            "actions": [
                {"id": action.pk, "title": action.title, "url": site_url() + action.get_absolute_url()}
                for action in actions
            ],
        }
    )
