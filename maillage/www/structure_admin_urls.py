from django.urls import path

from . import structure_admin

app_name = "structure_admin"
urlpatterns = [
    path("espace/structures/nouvelle/", structure_admin.structure_create, name="structure-create"),
    path("espace/structures/<int:pk>/modifier/", structure_admin.structure_edit, name="structure-edit"),
    # Moved to the team page (`account:team`): a permanent redirect for old links.
    path(
        "espace/structures/<int:pk>/membres/", structure_admin.structure_members_moved, name="structure-members-moved"
    ),
    path("espace/imports/", structure_admin.import_upload, name="import-upload"),
    path("espace/imports/confirmer/", structure_admin.import_confirm, name="import-confirm"),
]
