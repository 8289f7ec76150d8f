import time

from django.core.management.base import BaseCommand, CommandError

from maillage.actions.models import Action
from maillage.demo.services import ADMIN_EMAIL, DemoError, ensure_admin, load_demo
from maillage.structures.models import Structure

from .seed_demo import (
    DEFAULT_ACTIONS,
    DEFAULT_OBSERVATORY_YEARS,
    DEFAULT_SEED,
    DEFAULT_STRUCTURES,
    seed_answers,
    summary,
)


class Command(BaseCommand):
    help = (
        "Prépare une installation de démonstration : des données inventées si la base n'a aucune fiche action, "
        "un compte administrateur s'il n'y en a aucun. Sans effet la deuxième fois."
    )

    def handle(self, *args, **options):
        if not Action.objects.exists():
            self._seed()
        try:
            password = ensure_admin()
        except DemoError as error:
            self.stderr.write(f"Attention : {error}.")
            return
        if password is not None:
            self.stdout.write(
                f"Compte administrateur créé : {ADMIN_EMAIL} ; mot de passe : {password} (affiché une seule fois)"
            )

    def _seed(self) -> None:
        if Structure.objects.exists():
            self.stderr.write(
                "Attention : la base contient des structures mais aucune fiche action ; "
                "données de démonstration non créées."
            )
            return
        started = time.perf_counter()
        try:
            result = load_demo(structures=DEFAULT_STRUCTURES, actions=DEFAULT_ACTIONS, seed=DEFAULT_SEED)
        except DemoError as error:
            raise CommandError(f"Données de démonstration non créées : {error}.") from None
        self.stdout.write(summary(result, time.perf_counter() - started))
        self.stdout.write(seed_answers(DEFAULT_OBSERVATORY_YEARS, DEFAULT_SEED))
