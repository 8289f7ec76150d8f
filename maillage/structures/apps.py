from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    verbose_name = "structures"
