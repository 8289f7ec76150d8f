from django.urls import path

from . import alerts, directory, error_reports, exports, views

app_name = "www"
urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.action_list, name="action-list"),
    path("actions/export.<str:fmt>", exports.action_export, name="action-export"),
    path("actions/<int:pk>-<slug:slug>/", views.action_detail, name="action-detail"),
    path("actions/<int:pk>/", views.action_detail, name="action-permalink"),
    path("actions/<int:pk>/fiche.pdf", views.action_pdf, name="action-pdf"),
    path("actions/<int:pk>/signaler/", error_reports.action_report, name="action-report"),
    path("structures/", directory.structure_list, name="structure-list"),
    path("structures/export.<str:fmt>", exports.structure_export, name="structure-export"),
    path("structures/<int:pk>/", directory.structure_detail, name="structure-detail"),
    path("territoires/", directory.territory_index, name="territory-index"),
    path("territoires/<str:code>/", directory.territory_detail, name="territory-detail"),
    path("alertes/", alerts.subscribe, name="alert-subscribe"),
    path("alertes/confirmer/<str:token>/", alerts.confirm, name="alert-confirm"),
    path("alertes/desabonner/<str:token>/", alerts.unsubscribe, name="alert-unsubscribe"),
]
