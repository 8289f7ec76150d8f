"""The OpenAPI 3 description of the open API, built from the same definitions the endpoints use.

Facet parameters list the values currently known (closed-list labels, department codes and names),
so that the document stays true when a list changes.
"""

from django.conf import settings

from maillage.exchange.records import CONTENT_KEYS, TEXT_KEYS
from maillage.exchange.structure_json import STRUCTURE_KEYS
from maillage.search.facets import facet_index
from maillage.search.params import FACET_LABELS, FACETS, SORTS
from maillage.site_url import site_url
from maillage.structures.directory import PARAMETERS

from .responses import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

LIST_KEYS = ("dimensions", "keywords", "initiative", "public", "partners", "files")
TEXT = {"type": "string"}
STRING_LIST = {"type": "array", "items": TEXT}
NULLABLE_TEXT = {"type": "string", "nullable": True}


def _record_properties() -> dict:
    properties = {}
    for key in CONTENT_KEYS:
        if key in TEXT_KEYS:
            properties[key] = TEXT
        elif key in LIST_KEYS:
            properties[key] = STRING_LIST
        elif key == "structure":
            properties[key] = {
                "type": "object",
                "nullable": True,
                "properties": {"name": TEXT, "department": NULLABLE_TEXT},
            }
        else:
            properties[key] = NULLABLE_TEXT
    return properties


def _schemas() -> dict:
    action = {
        "type": "object",
        "description": "Une fiche action publiée, au format des données ouvertes.",
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "year": {"type": "integer", "nullable": True, "description": "Année de saisie."},
            **_record_properties(),
        },
        "required": ["id", "url", "year", *CONTENT_KEYS],
    }
    listed = {
        "allOf": [
            {"$ref": "#/components/schemas/Action"},
            {
                "type": "object",
                "properties": {
                    "snippet": {
                        "type": "string",
                        "description": "Extrait où figurent les mots cherchés (avec une recherche `q`) : texte "
                        "échappé pour HTML, mots trouvés entre balises <mark>.",
                    }
                },
            },
        ]
    }
    facet_value = {
        "type": "object",
        "properties": {"value": TEXT, "count": {"type": "integer"}},
        "required": ["value", "count"],
    }
    page = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "description": "Nombre total de fiches trouvées."},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ListedAction"}},
            "facets": {
                "type": "object",
                "properties": {name: {"type": "array", "items": facet_value} for name in FACETS.values()},
            },
            "suggestion": {"type": "string", "description": "Recherche corrigée proposée quand rien n'est trouvé."},
        },
        "required": ["count", "page", "page_size", "results", "facets"],
    }
    detail = {
        "allOf": [
            {"$ref": "#/components/schemas/Action"},
            {
                "type": "object",
                "properties": {
                    "similar": {
                        "type": "array",
                        "description": "Les 5 fiches publiées les plus proches.",
                        "items": {
                            "type": "object",
                            "properties": {"id": {"type": "integer"}, "title": TEXT, "url": TEXT},
                        },  # fmt: skip
                    }
                },
            },
        ]
    }
    error = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {"parameter": TEXT, "message": TEXT},
                "required": ["parameter", "message"],
            }
        },
    }
    return {"Action": action, "ListedAction": listed, "ActionPage": page, "ActionDetail": detail, "Error": error}


def _parameter(name: str, description: str, schema: dict, *, repeat: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description}
    if repeat:
        parameter.update(schema={"type": "array", "items": schema}, style="form", explode=True)
    else:
        parameter["schema"] = schema
    return parameter


def _action_parameters() -> list[dict]:
    index = facet_index()
    parameters = [
        _parameter("q", "Recherche en texte libre (mots, \"expression exacte\", -exclu, OR).", {"type": "string",
                                                                                             "maxLength": 300}),
    ]  # fmt: skip
    for name in FACETS:
        facet = index.facets[name]
        values = sorted(
            {str(value) for value in facet.values.values()} | {str(label) for label in facet.labels.values()}
        )
        schema = {"type": "string", "enum": values} if name != "year" else {"type": "integer"}
        description = f"{FACET_LABELS[name]} ; répéter le paramètre pour plusieurs valeurs (OU)."
        if name in ("department", "region"):
            description += " Code INSEE ou nom."
        parameters.append(_parameter(name, description, schema, repeat=True))
    parameters += [
        _parameter("sort", "Tri (pertinence par défaut avec `q`, sinon les plus récentes).",
                   {"type": "string", "enum": list(SORTS)}),
        _parameter("page", "Numéro de page, à partir de 1.", {"type": "integer", "minimum": 1, "default": 1}),
        _parameter("page_size", f"Fiches par page, au plus {MAX_PAGE_SIZE}.",
                   {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}),
    ]  # fmt: skip
    return parameters


def _structure_parameters() -> list[dict]:
    described = {"q": "Nom ou commune.", "department": "Code ou nom du département.",
                 "region": "Code ou nom de la région.", "kind": "csx ou evs."}  # fmt: skip
    return [
        _parameter(name, described.get(name, "Valeur de la liste (répéter pour plusieurs)."), {"type": "string"},
                   repeat=name != "q")
        for name in PARAMETERS
    ] + [
        _parameter("page", "Numéro de page, à partir de 1.", {"type": "integer", "minimum": 1}),
        _parameter("page_size", f"Structures par page, au plus {MAX_PAGE_SIZE}.", {"type": "integer", "minimum": 1,
                                                                                   "maximum": MAX_PAGE_SIZE}),
    ]  # fmt: skip


def _responses(schema: str, description: str) -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "200": {"description": description, "content": {"application/json": {"schema": {"$ref": schema}}}},
        "400": {"description": "Paramètre invalide : le corps nomme le paramètre.", "content": error},
        "404": {"description": "Introuvable.", "content": error},
        "429": {"description": "Trop de requêtes depuis cette adresse IP ; voir l'en-tête Retry-After.",
                "content": error},
    }  # fmt: skip


def _identifier() -> dict:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


BOOLEAN_KEYS = ("fcsf_member", "travellers", "multi_site", "itinerant")


def _structure_schemas() -> dict:
    """The structure's open-data record (`exchange.structure_json`) plus what the API adds."""
    properties = {key: NULLABLE_TEXT for key in STRUCTURE_KEYS}
    properties.update(
        name=TEXT,
        population={"type": "integer", "nullable": True},
        axes=STRING_LIST,
        **{key: {"type": "boolean", "nullable": True} for key in BOOLEAN_KEYS},
    )
    structure = {
        "type": "object",
        "description": "Fiche d'identité d'une structure.",
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "department_code": NULLABLE_TEXT,
            "region": NULLABLE_TEXT,
            "siret_flagged": {"type": "boolean", "description": "SIRET à vérifier (longueur ou clé fausse)."},
            **{key: properties[key] for key in STRUCTURE_KEYS},
        },
    }
    option = {"type": "object", "properties": {"value": TEXT, "label": TEXT, "count": {"type": "integer"},
                                               "selected": {"type": "boolean"}}}  # fmt: skip
    page = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Structure"}},
            "facets": {"type": "object", "additionalProperties": {"type": "array", "items": option}},
        },
        "required": ["count", "page", "page_size", "results", "facets"],
    }
    sheet = {"type": "object", "properties": {"id": {"type": "integer"}, "title": TEXT, "url": TEXT}}
    detail = {
        "allOf": [
            {"$ref": "#/components/schemas/Structure"},
            {"type": "object", "properties": {"actions": {"type": "array", "items": sheet}}},
        ]
    }
    return {"Structure": structure, "StructurePage": page, "StructureDetail": detail}


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Maillage — API ouverte",
            "version": "1.0.0",
            "description": "Banque d'actions et annuaire des centres sociaux et espaces de vie sociale, en lecture "
            "seule et sans compte. Seules les fiches publiées sont visibles. Limite : "
            f"{settings.API_RATE_LIMIT_PER_MINUTE} requêtes par minute et par adresse IP.",
            "license": {
                "name": "Licence Ouverte / Open Licence 2.0",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            },
        },  # fmt: skip
        "servers": [{"url": site_url() + "/api/v1"}],
        "paths": {
            "/actions": {
                "get": {
                    "summary": "Rechercher des fiches actions",
                    "operationId": "listActions",
                    "parameters": _action_parameters(),
                    "responses": _responses("#/components/schemas/ActionPage", "Une page de fiches."),
                }
            },
            "/actions/{id}": {
                "get": {
                    "summary": "Une fiche action et ses fiches similaires",
                    "operationId": "getAction",
                    "parameters": [_identifier()],
                    "responses": _responses("#/components/schemas/ActionDetail", "La fiche."),
                }
            },
            "/structures": {
                "get": {
                    "summary": "Rechercher dans l'annuaire des structures",
                    "operationId": "listStructures",
                    "parameters": _structure_parameters(),
                    "responses": _responses("#/components/schemas/Structure", "Une page de structures."),
                }
            },
            "/structures/{id}": {
                "get": {
                    "summary": "Une structure et ses fiches publiées",
                    "operationId": "getStructure",
                    "parameters": [_identifier()],
                    "responses": _responses("#/components/schemas/Structure", "La structure."),
                }
            },
        },  # fmt: skip
        "components": {"schemas": {**_schemas(), **_structure_schemas()}},
    }
