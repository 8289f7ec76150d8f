from django.core.management.base import BaseCommand
from django.db import transaction

from maillage.search.services import rebuild_index


class Command(BaseCommand):
    help = "Reconstruit entièrement l'index de recherche des fiches actions."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = rebuild_index()
        self.stdout.write(f"Index de recherche reconstruit : {count} fiches indexées.")
