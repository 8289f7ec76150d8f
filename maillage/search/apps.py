from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "maillage.search"
    verbose_name = "recherche"
