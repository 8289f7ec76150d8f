from maillage.exchange.structure_import import import_structures
from maillage.structures.models import StructureKind

from ._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe des structures depuis l'export texte de l'annuaire (chaque fichier en entier ou pas du tout) ; "
        "une structure déjà connue est mise à jour et sa version précédente gardée dans l'historique."
    )
    noun = "structure"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--kind",
            choices=StructureKind.values,
            help="type de toutes les structures du fichier (csx : centre social, evs : espace de vie sociale) ; "
            "sinon donné par l'en-tête de page, ou deviné d'après le nom",
        )

    def import_file(self, path, options, progress):
        return import_structures(path, kind=options["kind"], dry_run=options["dry_run"], progress=progress)
