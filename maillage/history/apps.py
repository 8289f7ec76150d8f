from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "maillage.history"
    verbose_name = "historique des versions"
