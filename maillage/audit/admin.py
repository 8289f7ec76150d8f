from django.contrib import admin

from maillage.accounts.perms import is_national_admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, for national administrators only."""

    list_display = ["created_at", "actor_email", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor_email", "object_repr", "object_id", "ip_address"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

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
