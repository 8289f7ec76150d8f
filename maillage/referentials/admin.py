from django.contrib import admin, messages

from maillage.actions.services import sheets_showing
from maillage.french import count_noun
from maillage.search.services import reindexing

from .models import CLOSED_LISTS, Department, Region


class ShownOnSheetsAdmin(admin.ModelAdmin):
    """Renaming a value that sheets show (a label, a department name) refreshes their search index entries."""

    shown_field = "label"

    def save_model(self, request, obj, form, change):
        if not change or self.shown_field not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        with reindexing(sheets_showing(obj)):
            super().save_model(request, obj, form, change)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(ShownOnSheetsAdmin):
    shown_field = "name"
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]


@admin.action(description="Marquer comme vérifié")
def mark_reviewed(modeladmin, request, queryset):
    count = queryset.filter(to_review=True).update(to_review=False)
    done = count_noun(count, "valeur marquée comme vérifiée", "valeurs marquées comme vérifiées")
    modeladmin.message_user(request, f"{done}.", messages.SUCCESS)


class ReferenceItemAdmin(ShownOnSheetsAdmin):
    """The same screen for every closed list: values met at import (`to_review`) are checked here."""

    list_display = ["label", "position", "to_review", "is_active"]
    list_editable = ["position"]
    list_filter = ["to_review", "is_active"]
    search_fields = ["label"]
    actions = [mark_reviewed]


for _model in CLOSED_LISTS.values():
    admin.site.register(_model, ReferenceItemAdmin)
