from django.core.management.base import CommandError

from maillage.exchange.services import import_actions

from ._importing import ImportCommand

MIN_YEAR, MAX_YEAR = 1990, 2100


class Command(ImportCommand):
    help = (
        "Importe des fiches actions depuis l'export texte de la banque d'actions "
        "(chaque fichier en entier ou pas du tout)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--draft", action="store_true", help="importer en brouillon au lieu de publier")
        parser.add_argument("--year", type=int, help="année de saisie des fiches")
        parser.add_argument(
            "--update-matching",
            action="store_true",
            help="mettre à jour la fiche de même structure et même titre au lieu d'en créer une nouvelle",
        )

    def handle(self, *args, **options):
        year = options["year"]
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"--year : année attendue entre {MIN_YEAR} et {MAX_YEAR}, pas {year}")
        super().handle(*args, **options)

    def import_file(self, path, options, progress):
        return import_actions(
            path,
            dry_run=options["dry_run"],
            draft=options["draft"],
            year=options["year"],
            update_matching=options["update_matching"],
            progress=progress,
        )
