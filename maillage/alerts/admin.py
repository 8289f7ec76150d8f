"""Subscriptions hold e-mail addresses: the admin shows them only to those given the model's
permissions (national administrators), read-only; deleting one is how a removal request is served."""

from django.contrib import admin

from .models import AlertSubscription


class ConfirmedFilter(admin.SimpleListFilter):
    title = "confirmation"
    parameter_name = "confirmee"

    def lookups(self, request, model_admin):
        return [("oui", "Confirmées"), ("non", "En attente de confirmation")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(confirmed_at__isnull=False)
        if self.value() == "non":
            return queryset.filter(confirmed_at__isnull=True)
        return queryset


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "description", "created_at", "confirmed_at", "last_sent_at"]
    list_filter = [ConfirmedFilter]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    # Tokens are credentials: never shown.
    fields = [
        "email",
        "description",
        "query",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "last_sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
