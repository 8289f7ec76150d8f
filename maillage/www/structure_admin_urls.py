from django.urls import path

from . import import_jobs, structure_admin

app_name = "structure_admin"
urlpatterns = [
    path("espace/structures/nouvelle/", structure_admin.structure_create, name="structure-create"),
    path("espace/structures/<int:pk>/modifier/", structure_admin.structure_edit, name="structure-edit"),
    # Moved to the team page (`account:team`): a permanent redirect for old links.
    path(
        "espace/structures/<int:pk>/membres/", structure_admin.structure_members_moved, name="structure-members-moved"
    ),
    path("espace/imports/", structure_admin.import_upload, name="import-upload"),
    path("espace/imports/modele-structures.<str:fmt>", structure_admin.import_template, name="import-template"),
    path("espace/imports/modele-<slug:name>.txt", structure_admin.import_text_template, name="import-text-template"),
    # The page of a background import (structures, action sheets, past answers of the observatory).
    path("espace/imports/<int:pk>/", import_jobs.job_page, name="import-job"),
    path("espace/imports/<int:pk>/etat.json", import_jobs.job_state_json, name="import-job-state"),
    path("espace/imports/<int:pk>/confirmer/", import_jobs.job_confirm, name="import-job-confirm"),
]
