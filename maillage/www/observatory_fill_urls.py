"""Structures fill in their yearly questionnaire: « Mon espace › Observatoire »."""

from django.urls import path

from . import observatory_fill as views

app_name = "observatory_fill"
PREFIX = "espace/observatoire/<int:year>/<int:structure_id>/"
urlpatterns = [
    path("espace/observatoire/", views.home, name="home"),
    path(PREFIX, views.summary, name="summary"),
    path(PREFIX + "transmettre/", views.submit, name="submit"),
    path(PREFIX + "<str:section>/", views.section_page, name="section"),
    path(PREFIX + "<str:section>/enregistrement-auto/", views.autosave, name="autosave"),
    path(PREFIX + "<str:section>/reprendre-an-dernier/", views.copy_last_year, name="copy-last-year"),
]
