from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite has no `unaccent` and its LOWER() knows only ASCII: searches fold text with Python's
    `fold`, registered on every new SQLite connection (see `querysets.Folded`)."""
    if connection.vendor == "sqlite":
        from .querysets import SQLITE_FOLD_FUNCTION, fold_or_none

        connection.connection.create_function(SQLITE_FOLD_FUNCTION, 1, fold_or_none, deterministic=True)


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    verbose_name = "structures"

    def ready(self):
        connection_created.connect(register_sqlite_functions, dispatch_uid="maillage-sqlite-functions")
