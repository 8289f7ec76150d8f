from django.apps import AppConfig


class ReferentialsConfig(AppConfig):
    name = "maillage.referentials"
    verbose_name = "référentiels"
