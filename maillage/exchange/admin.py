from django.contrib import admin

from maillage.accounts.perms import is_national_admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Background imports, read-only, for national administrators only (the job's page shows its report)."""

    list_display = ["created_at", "started_by", "kind", "filename", "dry_run", "status", "phase", "finished_at"]
    list_filter = ["status", "kind", "dry_run"]
    search_fields = ["filename", "started_by__email"]
    date_hierarchy = "created_at"
    list_select_related = ["started_by"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_module_permission(self, request):
        return is_national_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_national_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
