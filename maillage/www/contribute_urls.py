"""The contributors' area: « Mon espace », the sheet form, autosave, attachment downloads."""

from django.urls import path

from . import contribute

app_name = "contribute"
urlpatterns = [
    path("espace/", contribute.home, name="home"),
    path("espace/fiches/nouvelle/", contribute.sheet_new, name="sheet-new"),
    path("espace/fiches/<int:pk>/modifier/", contribute.sheet_edit, name="sheet-edit"),
    path("espace/fiches/<int:pk>/brouillon/", contribute.sheet_autosave, name="sheet-autosave"),
    path("espace/fichiers/<int:pk>/", contribute.member_file_download, name="member-file"),
    path("fichiers/<int:pk>/", contribute.file_download, name="public-file"),
]
