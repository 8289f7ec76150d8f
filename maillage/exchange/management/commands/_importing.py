"""What the import commands share: arguments, per-file atomicity, summaries and exit status."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.exchange.reading import ImportFileError
from maillage.french import count_noun

from ._progress import file_progress

logger = logging.getLogger(__name__)


class ImportCommand(BaseCommand):
    noun = "fiche"  # singular: `ImportReport.summary` makes the plural

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER", help="fichier(s) texte à importer")
        parser.add_argument("--dry-run", action="store_true", help="lire et rendre compte sans rien enregistrer")
        parser.add_argument("--quiet", action="store_true", help="ni barre de progression ni avertissements détaillés")

    def import_file(self, path: Path, options, progress):  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        failures = 0
        for name in options["files"]:
            problem = self._import_one(Path(name), options)
            if problem:
                self.stderr.write(f"{problem} — rien n'a été importé de ce fichier")
                failures += 1
        if failures:
            raise CommandError(f"{count_noun(failures, 'fichier')} en erreur")

    def _import_one(self, path: Path, options) -> str | None:
        """Import one file and print its report; returns what went wrong, if anything did."""
        if not path.is_file():
            return f"{path}: fichier introuvable"
        try:
            with file_progress(path, quiet=options["quiet"]) as progress:
                report = self.import_file(path, options, progress)
        except ImportFileError as error:
            return str(error)
        except OSError as error:
            return f"{path}: impossible de lire le fichier ({error.strerror})"
        except Exception as error:  # noqa: BLE001 - the file's transaction is rolled back; details go to the log
            logger.exception("Import de %s", path)
            return f"{path}: erreur inattendue pendant l'import ({error})"
        self.stdout.write(report.summary(self.noun))
        if not options["quiet"]:
            for warning in report.warnings:
                self.stdout.write(f"  avertissement {warning}")
        return None
