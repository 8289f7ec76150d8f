"""The open API for action sheets: JSON shape, facet counts, bad parameters, rate limit, OpenAPI."""

import jsonschema
import pytest
from django.core.cache import cache

from maillage.actions.models import Action, ActionState
from maillage.exchange.records import CONTENT_KEYS
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db
FACET_NAMES = {"keywords", "public", "dimensions", "status", "initiative", "territory", "partners", "department",
               "region", "kind", "year"}  # fmt: skip


@pytest.fixture
def bank():
    lyon = make_structure("Centre social Lyon Sud", "69")
    gap = make_structure("Espace de vie Les Alpes", "05", kind="evs")
    make_sheet("Ateliers vélo", lyon, keywords=["mobilité / transport"], public=["Adultes"], status="En cours",
               partners=["Éducation Nationale"], dimensions=["Citoyenneté"], summary="Réparer son vélo.")  # fmt: skip
    make_sheet("Café des parents", gap, keywords=["Parentalité", "Démocratie & citoyenneté"], public=["familles"])
    make_sheet("Sortie au musée", gap, keywords=["Culture"], public=["Jeunesse"], year=2022)
    make_sheet("Brouillon", lyon, state=ActionState.DRAFT, keywords=["Culture"])


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_list_gives_the_documented_shape(client, bank):
    body = get(client, "/api/v1/actions?q=velo")
    assert set(body) == {"count", "page", "page_size", "results", "facets"}
    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 20)
    result = body["results"][0]
    assert set(result) == {"id", "url", "year", "snippet", *CONTENT_KEYS}
    assert result["title"] == "Ateliers vélo"
    assert result["url"] == f"https://maillage.test/actions/{result['id']}-ateliers-velo/"
    assert result["structure"] == {"name": "Centre social Lyon Sud", "department": "Rhône"}
    assert "<mark>vélo</mark>" in result["snippet"]
    assert set(body["facets"]) == FACET_NAMES
    assert body["facets"]["partners"] == [{"value": "Éducation Nationale", "count": 1}]
    assert body["facets"]["department"] == [{"value": "Rhône", "count": 1}]


def test_results_without_a_query_have_no_snippet_and_exclude_unpublished_sheets(client, bank):
    body = get(client, "/api/v1/actions?page_size=100")
    assert body["count"] == 3
    assert "Brouillon" not in [result["title"] for result in body["results"]]
    assert all("snippet" not in result for result in body["results"])


def test_facet_values_are_the_exact_labels_and_counts_match_a_direct_count(client, bank):
    body = get(client, "/api/v1/actions")
    keywords = {facet["value"]: facet["count"] for facet in body["facets"]["keywords"]}
    assert keywords["Démocratie & citoyenneté"] == 1
    for label, count in keywords.items():
        assert count == Action.objects.published().filter(keywords__label=label).count()
    departments = {facet["value"]: facet["count"] for facet in body["facets"]["department"]}
    assert departments == {"Rhône": 1, "Hautes-Alpes": 2}


def test_repeated_parameters_combine_with_or(client, bank):
    body = get(client, "/api/v1/actions?keyword=Culture&keyword=Parentalit%C3%A9&sort=title")
    assert [result["title"] for result in body["results"]] == ["Café des parents", "Sortie au musée"]
    body = get(client, "/api/v1/actions?keyword=Culture&department=Rh%C3%B4ne")
    assert body["count"] == 0


def test_paging(client, bank):
    body = get(client, "/api/v1/actions?sort=title&page=2&page_size=2")
    assert (body["count"], body["page"], body["page_size"]) == (3, 2, 2)
    assert [result["title"] for result in body["results"]] == ["Sortie au musée"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("keyword=Inconnu", "keyword"),
        ("department=Atlantide", "department"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("page_size=1000", "page_size"),
        ("page_size=0", "page_size"),
        ("q=%22velo", "q"),
        ("q=-velo", "q"),
        ("sort=hasard", "sort"),
        ("keywords=Culture", "keywords"),
        ("year=20x4", "year"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter(client, bank, query, parameter):
    body = get(client, f"/api/v1/actions?{query}", status=400)
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"]


def test_detail_gives_the_record_and_similar_sheets(client, bank):
    sheet = Action.objects.get(title="Sortie au musée")
    body = get(client, f"/api/v1/actions/{sheet.pk}")
    assert body["title"] == "Sortie au musée"
    assert body["year"] == 2022
    assert isinstance(body["similar"], list)
    assert all(set(item) == {"id", "title", "url"} for item in body["similar"])


def test_unpublished_or_unknown_sheets_are_not_found(client, bank):
    draft = Action.objects.get(title="Brouillon")
    assert get(client, f"/api/v1/actions/{draft.pk}", status=404)["error"]["parameter"] == "id"
    get(client, "/api/v1/actions/999999", status=404)


def test_only_get_is_accepted(client, bank):
    response = client.post("/api/v1/actions")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_requests_are_limited_per_ip(client, bank, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    cache.clear()
    statuses = [client.get("/api/v1/actions", REMOTE_ADDR="10.0.0.1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/actions", REMOTE_ADDR="10.0.0.1")
    assert int(limited["Retry-After"]) > 0
    assert client.get("/api/v1/actions", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_the_api_is_open_to_other_sites(client, bank):
    assert client.get("/api/v1/actions")["Access-Control-Allow-Origin"] == "*"


def test_openapi_document_is_valid_and_lists_current_values(client, bank):
    document = get(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/actions", "/actions/{id}", "/structures", "/structures/{id}"}
    keyword = next(p for p in document["paths"]["/actions"]["get"]["parameters"] if p["name"] == "keyword")
    assert "Démocratie & citoyenneté" in keyword["schema"]["items"]["enum"]
    # The documented shape validates a real answer.
    schemas = document["components"]["schemas"]
    page_schema = {**schemas["ActionPage"], "components": {"schemas": schemas}}
    page_schema = _resolvable(page_schema)
    jsonschema.validate(get(client, "/api/v1/actions?q=velo"), page_schema)


def _resolvable(schema: dict) -> dict:
    """OpenAPI 3.0 schemas use `nullable`; JSON Schema needs the null type instead."""
    if isinstance(schema, dict):
        schema = {key: _resolvable(value) for key, value in schema.items()}
        if schema.pop("nullable", False) and "type" in schema:
            schema["type"] = [schema["type"], "null"]
        return schema
    if isinstance(schema, list):
        return [_resolvable(item) for item in schema]
    return schema


def test_the_human_documentation_page(client, bank):
    response = client.get("/api/v1/docs")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>API ouverte</h1>" in content
    assert "GET /api/v1/actions" in content
    assert 'href="/api/v1/openapi.json"' in content


def test_the_openapi_document_describes_the_structures_answers(client, bank):
    document = get(client, "/api/v1/openapi.json")
    schemas = document["components"]["schemas"]
    resolvable = _resolvable({**schemas["StructurePage"], "components": {"schemas": schemas}})
    jsonschema.validate(get(client, "/api/v1/structures?department=69"), resolvable)
    structure_id = get(client, "/api/v1/structures")["results"][0]["id"]
    detail = _resolvable({**schemas["StructureDetail"], "components": {"schemas": schemas}})
    jsonschema.validate(get(client, f"/api/v1/structures/{structure_id}"), detail)
