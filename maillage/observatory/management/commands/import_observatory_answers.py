import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.exchange.reading import ImportFileError
from maillage.french import count_noun
from maillage.observatory.answers.past_import import PastImportError, import_past_answers
from maillage.observatory.answers.past_table import PastImportReport, describe_file_error

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Importe les réponses d'une campagne passée depuis un tableau CSV (UTF-8) ou XLSX : une ligne par "
        "structure (colonne id ou siret), une colonne par code de question. Le fichier est vérifié en entier ; "
        "à la moindre erreur, rien n'est enregistré. Les réponses importées sont validées, puis les chiffres "
        "de l'année recalculés. Format : docs/formats.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", type=Path, help="tableau CSV ou XLSX")
        parser.add_argument("--year", type=int, required=True, help="année observée de la campagne (ex. 2023)")
        parser.add_argument("--dry-run", action="store_true", help="vérifier et rendre compte sans rien enregistrer")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="remplacer aussi les réponses saisies sur le site (sinon ces lignes sont des erreurs)",
        )
        parser.add_argument("--quiet", action="store_true", help="ne pas lister les avertissements")

    def handle(self, *args, file: Path, year: int, dry_run: bool, replace: bool, quiet: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file} : fichier introuvable.")
        report = self._run(file, year=year, dry_run=dry_run, replace=replace)
        for error in report.errors:
            self.stderr.write(f"{report.filename}, {error}")
        if not quiet:
            for warning in report.warnings:
                self.stdout.write(f"  avertissement : {report.filename}, {warning}")
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(f"{report.filename} : {count_noun(len(report.errors), 'erreur')}, rien n'a été importé.")

    def _run(self, file: Path, **options) -> PastImportReport:
        try:
            return import_past_answers(file, **options)
        except PastImportError as error:
            raise CommandError(str(error)) from None
        except ImportFileError as error:
            raise CommandError(f"{describe_file_error(error)} — rien n'a été importé.") from None
        except OSError as error:
            raise CommandError(f"{file} : impossible de lire le fichier ({error.strerror}).") from None
        except Exception as error:  # noqa: BLE001 - the transaction is rolled back; details go to the log
            logger.exception("Import des réponses de %s", file)
            raise CommandError(
                f"{file.name} : erreur inattendue pendant l'import ({type(error).__name__}) — rien n'a été importé."
            ) from None
