"""Open API: its OpenAPI 3 description, and the same read by people."""

from django.shortcuts import render
from django.urls import reverse

from .openapi import openapi_document
from .responses import api_view, json_response

EXAMPLES = (
    ("Chercher « vélo »", "actions?q=v%C3%A9lo"),
    ("Actions culturelles pour la jeunesse", "actions?keyword=Culture&public=Jeunesse"),
    ("Actions du Rhône, les plus récentes", "actions?department=69&sort=recent"),
    ("Expression exacte, 50 par page", "actions?q=%22jardin+partag%C3%A9%22&page_size=50"),
    ("Centres sociaux de Gironde", "structures?department=33&kind=csx"),
)


@api_view
def openapi(request):
    return json_response(openapi_document())


def docs(request):
    document = openapi_document()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    base = reverse("api:openapi").removesuffix("openapi.json")
    examples = [(label, base + path) for label, path in EXAMPLES]
    context = {"document": document, "operations": operations, "examples": examples}
    return render(request, "api/docs.html", context)
