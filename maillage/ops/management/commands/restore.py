"""`maillage restore FILE [--force]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.french import count_noun
from maillage.ops.archive import ArchiveError
from maillage.ops.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restaure une archive de « maillage backup » dans la base configurée (DATABASE_URL), après avoir vérifié "
        "ses sommes de contrôle et son manifeste ; refuse une base qui contient déjà des données sans --force. "
        "Arrêtez le site pendant la restauration."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="FICHIER", help="archive maillage-AAAAMMJJ-HHMMSS.tar.gz")
        parser.add_argument(
            "--force", action="store_true", help="remplacer le contenu d'une base qui contient déjà des données"
        )

    def handle(self, *args, archive: str, force: bool, **options):
        try:
            result = restore_backup(Path(archive), force=force, stdout=self.stdout)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        files = count_noun(result.media_files, "fichier joint", "fichiers joints")
        self.stdout.write(f"{archive} restaurée : base {result.vendor}, {files}.")
        if result.migrated:
            self.stdout.write(f"Migrations appliquées ensuite : {', '.join(result.migrated)}.")
