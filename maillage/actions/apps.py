from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "maillage.actions"
    verbose_name = "fiches actions"
