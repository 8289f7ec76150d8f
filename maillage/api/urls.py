from django.urls import path

from . import actions, docs, structures

app_name = "api"
urlpatterns = [
    path("actions", actions.action_list, name="action-list"),
    path("actions/<int:pk>", actions.action_detail, name="action-detail"),
    path("structures", structures.structure_list, name="structure-list"),
    path("structures/<int:pk>", structures.structure_detail, name="structure-detail"),
    path("openapi.json", docs.openapi, name="openapi"),
    path("docs", docs.docs, name="docs"),
]
