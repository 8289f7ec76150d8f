from django.contrib import admin
from django.db import transaction

from maillage.history.admin import revisions_summary

from .models import (
    Action,
    ActionDimension,
    ActionFile,
    ActionInitiative,
    ActionKeyword,
    ActionPartner,
    ActionPublic,
)
from .services import begin_action_change, delete_action, record_action_change

ADMIN_SOURCE = "admin"


class OrderedChoiceInline(admin.TabularInline):
    """A multi-valued list of the sheet, in the order the sheet gives it."""

    fields = ["item", "position"]
    extra = 0


class ActionDimensionInline(OrderedChoiceInline):
    model = ActionDimension
    verbose_name = "dimension"
    verbose_name_plural = "dimensions"


class ActionKeywordInline(OrderedChoiceInline):
    model = ActionKeyword
    verbose_name = "mot clé"
    verbose_name_plural = "mots clés associés à l'action"


class ActionInitiativeInline(OrderedChoiceInline):
    model = ActionInitiative
    verbose_name = "initiative"
    verbose_name_plural = "qui est à l'initiative de l'action ?"


class ActionPublicInline(OrderedChoiceInline):
    model = ActionPublic
    verbose_name = "public"
    verbose_name_plural = "publics"


class ActionPartnerInline(OrderedChoiceInline):
    model = ActionPartner
    verbose_name = "partenaire d'action"
    verbose_name_plural = "avec qui cette action a-t-elle été menée ?"


class ActionFileInline(admin.TabularInline):
    model = ActionFile
    fields = ["name", "file", "position"]
    extra = 0


class ProbableDuplicateFilter(admin.SimpleListFilter):
    title = "doublon probable"
    parameter_name = "doublon"

    def lookups(self, request, model_admin):
        return [("oui", "Oui"), ("non", "Non")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.flagged_as_duplicates()
        if self.value() == "non":
            return queryset.filter(probable_duplicate_of__isnull=True)
        return queryset


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "structure", "department", "status", "state", "year", "is_probable_duplicate"]
    list_filter = [
        "state",
        "status",
        "year",
        "keywords",
        "public",
        "dimensions",
        "partners",
        "structure__department__region",
        "structure__department",
        ProbableDuplicateFilter,
    ]
    list_select_related = ["structure__department", "status"]
    search_fields = ["title", "summary", "structure__name"]
    autocomplete_fields = ["structure", "probable_duplicate_of"]
    readonly_fields = ["fingerprint", "source", "created_at", "updated_at", "revisions"]
    inlines = [
        ActionDimensionInline,
        ActionKeywordInline,
        ActionInitiativeInline,
        ActionPublicInline,
        ActionPartnerInline,
        ActionFileInline,
    ]
    # Fields in the order of the real sheet (docs: domain.md); the lists are the inlines below.
    fieldsets = [
        ("Fiche action", {"fields": ["title", "structure", "status", "end_reason", "summary"]}),
        ("Initiative et territoire", {"fields": ["initiative_detail", "territory", "experience"]}),
        (
            "Description et moyens",
            {"fields": ["general_description", "financial_resources", "people_mobilised"]},
        ),
        ("Résultats", {"fields": ["result_territory", "result_centre", "result_inhabitants"]}),
        ("Suite de l'action", {"fields": ["limits", "perspectives"]}),
        ("Publication", {"fields": ["state", "year", "published_at", "probable_duplicate_of"]}),
        ("Suivi", {"fields": ["source", "fingerprint", "created_at", "updated_at", "revisions"]}),
    ]

    @admin.display(description="département", ordering="structure__department__code")
    def department(self, action: Action):
        structure = action.structure
        return structure.department if structure and structure.department_id else None

    @admin.display(description="doublon probable", boolean=True, ordering="probable_duplicate_of")
    def is_probable_duplicate(self, action: Action) -> bool:
        return action.probable_duplicate_of_id is not None

    @admin.display(description="versions précédentes")
    def revisions(self, action: Action):
        return revisions_summary(action)

    def save_model(self, request, obj, form, change):
        # The database still holds the previous version, lists included: keep it, and leave the index.
        obj._previous_snapshot = begin_action_change(obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action = form.instance
        record_action_change(
            action, getattr(action, "_previous_snapshot", None), acting_user=request.user, source=ADMIN_SOURCE
        )

    def delete_model(self, request, obj):
        delete_action(obj, acting_user=request.user, source=ADMIN_SOURCE)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for action in queryset:
            delete_action(action, acting_user=request.user, source=ADMIN_SOURCE)
