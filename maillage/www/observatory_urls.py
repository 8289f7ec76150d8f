"""The observatory's public reports, their tables, PDF and XLSX, and "se situer" (`observatory_reports.py`)."""

from django.urls import path

from . import observatory_reports as views

app_name = "observatory"

urlpatterns = [
    path("observatoire/", views.territory_page, name="nation"),
    path("observatoire/<int:year>/", views.territory_page, name="nation-year"),
    path("observatoire/plaquette.pdf", views.plaquette_pdf, name="nation-pdf"),
    path("observatoire/donnees/<slug:slug>.csv", views.chart_csv, name="nation-csv"),
    path("observatoire/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("observatoire/region/<str:code>/", views.territory_page, {"scope_slug": "region"}, name="region"),
    path("observatoire/region/<str:code>/plaquette.pdf", views.plaquette_pdf, {"scope_slug": "region"},
         name="region-pdf"),
    path("observatoire/region/<str:code>/donnees/<slug:slug>.csv", views.chart_csv, {"scope_slug": "region"},
         name="region-csv"),
    path("observatoire/departement/<str:code>/", views.territory_page, {"scope_slug": "departement"},
         name="departement"),
    path("observatoire/departement/<str:code>/plaquette.pdf", views.plaquette_pdf, {"scope_slug": "departement"},
         name="departement-pdf"),
    path("observatoire/departement/<str:code>/donnees/<slug:slug>.csv", views.chart_csv,
         {"scope_slug": "departement"}, name="departement-csv"),
    path("espace/observatoire/situer/", views.situate_choice, name="situate-choice"),
    path("espace/observatoire/situer/<int:pk>/", views.situate, name="situate"),
]  # fmt: skip
