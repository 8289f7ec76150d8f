from django.urls import path

from . import observatory_check as views

app_name = "observatory_check"
RESPONSE = "moderation/observatoire/<int:year>/<int:structure_id>/"
urlpatterns = [
    path("moderation/observatoire/", views.dashboard, name="dashboard"),
    path("moderation/observatoire/relancer/", views.remind, name="remind"),
    path("moderation/observatoire/export.<str:fmt>", views.export, name="export"),
    path(RESPONSE, views.response_detail, name="response"),
    path(f"{RESPONSE}signalements/<int:flag_id>/commenter/", views.flag_comment, name="flag-comment"),
    path(f"{RESPONSE}signalements/<int:flag_id>/accepter/", views.flag_accept, name="flag-accept"),
    path(f"{RESPONSE}renvoyer/", views.return_to_structure, name="return"),
    path(f"{RESPONSE}corriger/", views.correct, name="correct"),
    path(f"{RESPONSE}valider/", views.validate, name="validate"),
    path(f"{RESPONSE}recalculer/", views.recompute, name="recompute"),
]
