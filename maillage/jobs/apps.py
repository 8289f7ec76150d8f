from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "maillage.jobs"
    verbose_name = "tâches de fond"
