"""Import of past campaigns' answers (national administrators): « Mon espace › Observatoire › Import »."""

from django.urls import path

from . import observatory_import as views

app_name = "observatory_import"
urlpatterns = [
    path("espace/observatoire/import/", views.import_upload, name="upload"),
    path("espace/observatoire/import/modele-<int:year>.<str:fmt>", views.import_template, name="template"),
]
