"""`maillage loadtest_prepare FILE [--editors 4]`: the plan of `make loadtest` (see maillage/ops/loadtest.py)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.ops.loadtest import PlanError, prepare_plan


class Command(BaseCommand):
    help = (
        "Prépare un essai de charge : mots, fiches, facettes et pages de l'observatoire tirés de la base, et les "
        "comptes des personnes connectées (membres de centres sociaux, avec un brouillon et un questionnaire "
        "ouvert), écrits dans FICHIER (JSON). À lancer avec la même SECRET_KEY que le serveur."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", help="plan de l'essai (JSON) à écrire")
        parser.add_argument("--editors", type=int, default=4, help="personnes connectées (défaut : 4)")
        parser.add_argument("--seed", type=int, default=1, help="graine du tirage (défaut : 1)")

    def handle(self, *args, file: str, editors: int, seed: int, **options):
        if editors < 0:
            raise CommandError("--editors : un nombre positif ou nul.")
        try:
            plan = prepare_plan(editors=editors, seed=seed)
        except PlanError as error:
            raise CommandError(str(error)) from None
        Path(file).write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(
            f"Plan écrit : {file} ({len(plan['words'])} recherches, {len(plan['sheets'])} fiches, "
            f"{len(plan['observatory'])} pages de l'observatoire, {len(plan['editors'])} personnes connectées)."
        )
