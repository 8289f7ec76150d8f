"""What the import commands share: arguments, per-file atomicity, summaries and exit status."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.exchange.reading import ImportFileError

from ._progress import file_progress


class ImportCommand(BaseCommand):
    noun = "fiches"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER", help="fichier(s) texte à importer")
        parser.add_argument("--dry-run", action="store_true", help="lire et rendre compte sans rien enregistrer")
        parser.add_argument("--quiet", action="store_true", help="ni barre de progression ni avertissements détaillés")

    def import_file(self, path: Path, options, progress):  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        failures = 0
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}: fichier introuvable")
                failures += 1
                continue
            try:
                with file_progress(path, quiet=options["quiet"]) as progress:
                    report = self.import_file(path, options, progress)
            except ImportFileError as error:
                self.stderr.write(f"{error} — rien n'a été importé de ce fichier")
                failures += 1
                continue
            self.stdout.write(report.summary(self.noun))
            if not options["quiet"]:
                for warning in report.warnings:
                    self.stdout.write(f"  avertissement {warning}")
        if failures:
            raise CommandError(f"{failures} fichier(s) en erreur")
