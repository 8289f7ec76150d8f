from django.apps import AppConfig
from django.core.signals import request_finished, request_started


class SearchConfig(AppConfig):
    name = "maillage.search"
    verbose_name = "recherche"

    def ready(self) -> None:
        from . import facets

        request_started.connect(facets.start_request, dispatch_uid="search-index-request-started")
        request_finished.connect(facets.end_request, dispatch_uid="search-index-request-finished")
