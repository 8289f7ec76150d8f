from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "maillage.www"
    verbose_name = "site public"
