from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "maillage.observatory"
    verbose_name = "observatoire"

    def ready(self) -> None:
        # Past answers imported from the web run as background jobs of the exchange.
        from .answers import past_job  # noqa: F401
