from django.contrib import admin, messages

from .models import CLOSED_LISTS, Department, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]


@admin.action(description="Marquer comme vérifié")
def mark_reviewed(modeladmin, request, queryset):
    count = queryset.filter(to_review=True).update(to_review=False)
    modeladmin.message_user(request, f"{count} valeur(s) marquée(s) comme vérifiée(s).", messages.SUCCESS)


class ReferenceItemAdmin(admin.ModelAdmin):
    """The same screen for every closed list: values met at import (`to_review`) are checked here."""

    list_display = ["label", "position", "to_review", "is_active"]
    list_editable = ["position"]
    list_filter = ["to_review", "is_active"]
    search_fields = ["label"]
    actions = [mark_reviewed]


for _model in CLOSED_LISTS.values():
    admin.site.register(_model, ReferenceItemAdmin)
