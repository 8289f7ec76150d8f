from django import forms
from django.contrib import admin
from django.db import transaction

from maillage.history.admin import revisions_summary

from .models import SheetErrorReport, Structure
from .phones import PHONE_HELP, normalise_phone
from .services import delete_structure, structure_change
from .siret import is_valid_siret, normalize_siret

ADMIN_SOURCE = "admin"


class StructureForm(forms.ModelForm):
    """A SIRET typed here must be valid; one kept from an import stays flagged until corrected."""

    phone = forms.CharField(label="Téléphone", required=False, max_length=30, help_text=PHONE_HELP)

    class Meta:
        model = Structure
        fields = ["siret"]  # the admin's fieldsets give the full list

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data.get("phone", ""))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data.get("siret", ""))
        if siret and "siret" in self.changed_data and not is_valid_siret(siret):
            raise forms.ValidationError(
                "Numéro SIRET invalide : il faut 14 chiffres, dont le dernier est une clé de contrôle."
            )
        return siret

    def clean(self):
        cleaned = super().clean()
        siret = cleaned.get("siret", "")
        cleaned["siret_flagged"] = bool(siret) and not is_valid_siret(siret)
        self.instance.siret_flagged = cleaned["siret_flagged"]
        return cleaned


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    form = StructureForm
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
    readonly_fields = ["siret_flagged", "created_at", "updated_at", "revisions"]
    # Grouped as the identity sheet of the directory (docs: domain.md, "Structure sheet").
    fieldsets = [
        ("Fiche identité", {"fields": ["name", "kind"]}),
        ("Adresse", {"fields": ["street", "postcode", "commune", "department"]}),
        ("Contact", {"fields": ["email", "website", "phone", "opening_hours", "siret", "siret_flagged"]}),
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
        if not change:
            super().save_model(request, obj, form, change)
            return
        with structure_change(obj, changed_fields=form.changed_data, acting_user=request.user, source=ADMIN_SOURCE):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        delete_structure(obj, acting_user=request.user, source=ADMIN_SOURCE)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for structure in queryset:
            self.delete_model(request, structure)


@admin.register(SheetErrorReport)
class SheetErrorReportAdmin(admin.ModelAdmin):
    list_display = ["action", "created_at", "email", "handled_at"]
    list_filter = ["handled_at"]
    search_fields = ["message", "email", "action__title"]
    raw_id_fields = ["action", "handled_by"]
    date_hierarchy = "created_at"
