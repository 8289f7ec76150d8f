from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "maillage.exchange"
    verbose_name = "imports et exports"
