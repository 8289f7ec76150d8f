import os
import sys

from django.core.management.base import BaseCommand, CommandError

from maillage.actions.models import Action, ActionState
from maillage.exchange.action_export import FORMATS, export_chunks
from maillage.exchange.action_json import iter_action_records


class Command(BaseCommand):
    help = "Exporte les fiches actions en JSON (format ouvert), CSV (Excel) ou texte (format d'origine)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="json", help="format de sortie (json par défaut)")
        parser.add_argument("--output", "-o", metavar="FICHIER", help="fichier de sortie (sortie standard sinon)")
        parser.add_argument(
            "--state", choices=ActionState.values, help="seulement les fiches dans cet état (toutes sinon)"
        )

    def handle(self, *args, **options):
        queryset = Action.objects.all()
        if options["state"]:
            queryset = queryset.filter(state=options["state"])
        chunks = export_chunks(options["format"], iter_action_records(queryset))
        write_chunks(chunks, options["output"], options["format"])


def write_chunks(chunks, output: str | None, fmt: str) -> None:
    """Write to a file or to standard output; CSV keeps its `\\r\\n` line ends untranslated."""
    if output is None:
        try:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (`… | head`): not an error; silence the final flush too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as stream:
            for chunk in chunks:
                stream.write(chunk)
    except OSError as error:
        raise CommandError(f"{output}: impossible d'écrire le fichier ({error.strerror})") from None
