"""Campaigns of the observatory and their questionnaires (national administrators): « Mon espace › Observatoire »."""

from django.urls import path

from . import observatory_admin as views

app_name = "observatory_admin"
urlpatterns = [
    path("espace/observatoire/campagnes/", views.campaign_list, name="campaigns"),
    path("espace/observatoire/campagnes/nouvelle/", views.campaign_create, name="campaign-create"),
    path("espace/observatoire/campagnes/<int:year>/dates/", views.campaign_edit, name="campaign-edit"),
    path(
        "espace/observatoire/campagnes/<int:year>/questionnaire/", views.questionnaire_load, name="questionnaire-load"
    ),  # fmt: skip
    path("espace/observatoire/questionnaires/modeles/<str:name>", views.questionnaire_file, name="questionnaire-file"),
]
