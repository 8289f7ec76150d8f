import time

from django.core.management.base import BaseCommand, CommandError

from maillage.observatory.definitions.wording import campaign_label
from maillage.observatory.figures.aggregates import refresh_all, refresh_year
from maillage.observatory.models import Campaign


class Command(BaseCommand):
    help = (
        "Recalcule les chiffres clés précalculés (agrégats) à partir des réponses validées : "
        "une année avec --year, toutes les campagnes sinon."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="année observée (toutes les campagnes par défaut)")

    def handle(self, *args, year=None, **options):
        started = time.perf_counter()
        if year is not None:
            if not Campaign.objects.filter(year=year).exists():
                raise CommandError(f"Pas de campagne {campaign_label(year)}.")
            counts = {year: refresh_year(year)}
        else:
            counts = refresh_all()
            if not counts:
                self.stdout.write("Aucune campagne : rien à calculer.")
                return
        for done, rows in counts.items():
            self.stdout.write(f"{done} : {rows} agrégats.")
        self.stdout.write(f"Terminé en {time.perf_counter() - started:.1f} s.")
