from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "maillage.audit"
    verbose_name = "journal d'audit"
