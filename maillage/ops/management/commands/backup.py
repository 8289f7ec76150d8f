"""`maillage backup DIR [--keep 14]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.ops.archive import ArchiveError
from maillage.ops.backup import create_backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (instantané cohérent, site en marche), les fichiers joints et les "
        "questionnaires (gardés dans la base) dans une archive DOSSIER/maillage-AAAAMMJJ-HHMMSS.tar.gz (heure UTC) "
        "avec un manifeste et les sommes de contrôle, puis ne garde que les --keep plus récentes."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DOSSIER", help="dossier des sauvegardes (il doit exister)")
        parser.add_argument(
            "--keep", type=int, default=14, help="nombre d'archives gardées dans le dossier (défaut : 14)"
        )

    def handle(self, *args, directory: str, keep: int, **options):
        try:
            archive, deleted = create_backup(Path(directory), keep=keep)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        size = f"{archive.stat().st_size / 1_000_000:.1f}".replace(".", ",")
        self.stdout.write(f"Sauvegarde écrite : {archive} ({size} Mo).")
        for path in deleted:
            self.stdout.write(f"Ancienne sauvegarde supprimée : {path}")
