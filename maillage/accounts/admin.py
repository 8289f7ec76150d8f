from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm

from .models import AccessRequest, Invitation, StructureRequest, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["full_name"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (
            "Correspondant : ce que les pages des départements montrent",
            {"fields": ["listed_as_correspondent", "public_contact_email"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined", "email_confirmed_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        )
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent and accepted through the site (the token exists only in the e-mail)."""

    list_display = [
        "email",
        "role",
        "structure",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "cancelled_at",
    ]
    list_filter = ["role", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["structure", "invited_by"]
    fields = [
        "email",
        "role",
        "structure",
        "departments",
        "organisation",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "cancelled_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "structure", "kind", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["user__email", "structure__name"]
    list_select_related = ["user", "structure", "decided_by"]
    raw_id_fields = ["user", "structure", "decided_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StructureRequest)
class StructureRequestAdmin(admin.ModelAdmin):
    """Read-only: the department's correspondents decide on the site (« Demandes d'accès »), which creates the
    structure and its administrator."""

    list_display = ["name", "kind", "department", "user", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "commune", "user__email"]
    list_select_related = ["user", "department", "decided_by"]
    raw_id_fields = ["user", "decided_by", "structure"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
