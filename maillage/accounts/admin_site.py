"""The administration site: open to staff and to national administrators, who hold every permission
(`NationalAdminBackend`)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class MaillageAdminSite(admin.AdminSite):
    site_header = "Maillage — administration"
    site_title = "Maillage"
    index_title = "Gestion de la plateforme"

    def has_permission(self, request) -> bool:
        from . import perms  # this module is imported while the apps load

        user = request.user
        return user.is_active and (user.is_staff or perms.is_national_admin(user))

    def login(self, request, extra_context=None):
        """The admin's login form counts against the same per-address limit as the site's."""
        from maillage.www.throttling import login_limited  # the web layer, loaded once the apps are

        return login_limited(super().login)(request, extra_context)


class MaillageAdminConfig(AdminConfig):
    default_site = "maillage.accounts.admin_site.MaillageAdminSite"


class NationalAdminBackend:
    """Gives national administrators every model permission (they run the whole platform); authenticates
    nobody by itself."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return _is_national_admin(user_obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return _is_national_admin(user_obj)


def _is_national_admin(user) -> bool:
    from . import perms  # this module is imported while the apps load

    return perms.is_national_admin(user)
