import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from maillage.observatory.aggregates import ALL, refresh_all, territory_figures
from maillage.observatory.models import Aggregate, AggregateScope


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Mesure le recalcul des agrégats et la lecture des chiffres clés (France, une région, un département, "
        "5 ans) depuis les agrégats : médiane et 95e centile sur des lectures répétées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=50, help="lectures par territoire (50)")
        parser.add_argument("--no-refresh", action="store_true", help="ne pas mesurer le recalcul")

    def handle(self, *args, repeat, no_refresh, **options):
        if not no_refresh:
            started = time.perf_counter()
            counts = refresh_all()
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"refresh_aggregates : {sum(counts.values())} agrégats pour {len(counts)} années en {elapsed:.2f} s."
            )
        years = sorted(set(Aggregate.objects.values_list("year", flat=True)))[-5:]
        if not years:
            raise CommandError("Aucun agrégat : lancez « maillage seed_observatory » d'abord.")
        busiest = (
            Aggregate.objects.filter(scope=AggregateScope.DEPARTMENT, code="REPONSES", group=ALL, year=years[-1])
            .order_by("-structure_count")
            .values_list("scope_code", flat=True)
            .first()
        )
        region = (
            Aggregate.objects.filter(scope=AggregateScope.REGION, code="REPONSES", group=ALL, year=years[-1])
            .order_by("-structure_count")
            .values_list("scope_code", flat=True)
            .first()
        )
        for label, scope, code in (
            ("France", AggregateScope.NATION, ""),
            (f"région {region}", AggregateScope.REGION, region),
            (f"département {busiest}", AggregateScope.DEPARTMENT, busiest),
        ):
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                figures = territory_figures(scope, code, years)
                samples.append((time.perf_counter() - started) * 1000)
            self.stdout.write(
                f"{label} : {len(figures)} indicateurs × {len(years)} ans, médiane "
                f"{statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms (une requête)."
            )
