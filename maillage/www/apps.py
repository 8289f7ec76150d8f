from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "maillage.www"
    verbose_name = "site public"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .request_log import remember_role

        user_logged_in.connect(remember_role, dispatch_uid="maillage.www.request_log.remember_role")
