from django.contrib import admin
from django.db import transaction

from maillage.history.admin import revisions_summary
from maillage.history.services import record_revision

from .models import Structure
from .services import record_structure_change, structure_snapshot

ADMIN_SOURCE = "admin"


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "commune", "siret_flagged"]
    list_filter = [
        "kind",
        "department__region",
        "department",
        "management_mode",
        "territory_type",
        "priority_geography",
        "siret_flagged",
        "fcsf_member",
    ]
    list_select_related = ["department"]
    search_fields = ["name", "commune", "postcode", "siret", "email"]
    autocomplete_fields = ["department"]
    readonly_fields = ["created_at", "updated_at", "revisions"]
    # Grouped as the identity sheet of the directory (docs: domain.md, "Structure sheet").
    fieldsets = [
        ("Fiche identité", {"fields": ["name", "kind"]}),
        ("Adresse", {"fields": ["street", "postcode", "commune", "department"]}),
        ("Contact", {"fields": ["email", "website", "siret", "siret_flagged"]}),
        ("Historique", {"fields": ["first_approval", "population", "history"]}),
        ("Axes du projet en cours", {"fields": list(Structure.AXIS_FIELDS)}),
        ("Mode de gestion", {"fields": ["management_mode"]}),
        (
            "Territoire d’intervention et géographie prioritaire",
            {"fields": ["territory_type", "territory_size", "priority_geography"]},
        ),
        ("Adhésion à une fédération", {"fields": ["fcsf_member", "other_federation"]}),
        ("Spécificités de la structure", {"fields": ["travellers", "multi_site", "itinerant"]}),
        ("Suivi", {"fields": ["created_at", "updated_at", "revisions"]}),
    ]

    @admin.display(description="versions précédentes")
    def revisions(self, structure: Structure):
        return revisions_summary(structure)

    def save_model(self, request, obj, form, change):
        # Read before saving: the database still holds the previous version.
        obj._previous_snapshot = structure_snapshot(obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        structure = form.instance
        record_structure_change(
            structure, getattr(structure, "_previous_snapshot", None), acting_user=request.user, source=ADMIN_SOURCE
        )

    def delete_model(self, request, obj):
        # A structure with sheets cannot be deleted (PROTECT), so the index has nothing to drop;
        # its last state is kept in the history like a deleted sheet's.
        record_revision(
            obj, structure_snapshot(obj.pk), acting_user=request.user, source=ADMIN_SOURCE, comment="Suppression"
        )
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for structure in queryset:
            self.delete_model(request, structure)
