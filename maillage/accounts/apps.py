from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maillage.accounts"
    verbose_name = "comptes"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the audit receivers)
