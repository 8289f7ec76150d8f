from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "maillage.alerts"
    verbose_name = "alertes par e-mail"
