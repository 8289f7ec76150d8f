from django.urls import path

from . import moderation

app_name = "moderation"
urlpatterns = [
    path("moderation/", moderation.queue, name="queue"),
    path("moderation/fiches/<int:pk>/", moderation.sheet, name="sheet"),
    path("moderation/doublons/", moderation.duplicates, name="duplicates"),
    path("moderation/doublons/fusionner/", moderation.merge, name="merge"),
    path("moderation/doublons/ignorer/", moderation.dismiss, name="dismiss"),
    path("moderation/modifications/", moderation.pending_list, name="pending"),
    path("moderation/modifications/<int:pk>/", moderation.pending_detail, name="pending-detail"),
    path("moderation/orphelines/", moderation.orphans, name="orphans"),
    path("espace/fiches/<int:pk>/historique/", moderation.sheet_history, name="history"),
    path(
        "espace/fiches/<int:pk>/historique/<int:revision_id>/restaurer/",
        moderation.restore,
        name="restore",
    ),
]
