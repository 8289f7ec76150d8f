from django.core.management.base import BaseCommand

from maillage.exchange.structure_export import FORMATS, export_chunks, iter_structures

from .export_actions import write_chunks


class Command(BaseCommand):
    help = "Exporte l'annuaire des structures en JSON (format ouvert), CSV (Excel) ou texte (format de l'annuaire)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="json", help="format de sortie (json par défaut)")
        parser.add_argument("--output", "-o", metavar="FICHIER", help="fichier de sortie (sortie standard sinon)")

    def handle(self, *args, **options):
        chunks = export_chunks(options["format"], iter_structures())
        write_chunks(chunks, options["output"], options["format"])
