import time

from django.core.management.base import BaseCommand, CommandError

from maillage.observatory.demo import ObservatoryDemoError, seed_observatory


class Command(BaseCommand):
    help = (
        "Invente les réponses au questionnaire de l'observatoire des structures existantes (après « maillage "
        "seed_demo ») pour les dernières campagnes closes, avec quelques anomalies plantées, puis recalcule les "
        "chiffres clés. Toujours les mêmes réponses pour une même graine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, help="nombre d'années (5), la dernière close en dernier")
        parser.add_argument("--seed", type=int, default=2026, help="graine du tirage (2026)")
        parser.add_argument("--last-year", type=int, help="dernière année observée (la dernière campagne close)")
        parser.add_argument("--replace", action="store_true", help="remplacer les réponses déjà saisies de ces années")

    def handle(self, *args, years, seed, last_year, replace, **options):
        started = time.perf_counter()
        try:
            result = seed_observatory(years=years, seed=seed, last_year=last_year, replace=replace)
        except ObservatoryDemoError as error:
            raise CommandError(str(error)) from None
        for note in result.notes:
            self.stdout.write(f"Note : {note}")
        for year in result.years:
            self.stdout.write(
                f"{year} : {result.responses[year]} réponses validées sur {result.structures} structures, "
                f"{result.aggregates.get(year, 0)} agrégats."
            )
        self.stdout.write(
            f"{len(result.anomalies)} réponses {result.years[-1]} avec une anomalie plantée laissées « transmis » : "
            + ", ".join(f"{kind} (structure {pk})" for pk, kind in result.anomalies)
            + "."
        )
        self.stdout.write(f"Terminé en {time.perf_counter() - started:.1f} s.")
