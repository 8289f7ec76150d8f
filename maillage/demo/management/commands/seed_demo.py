import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from maillage.demo.generator import DEFAULT_LAST_YEAR
from maillage.demo.services import DemoError, DemoResult, load_demo
from maillage.french import count_noun
from maillage.observatory.demo import ObservatoryDemoError, seed_observatory

DEFAULT_STRUCTURES = 300
DEFAULT_ACTIONS = 3000
DEFAULT_SEED = 2026
DEFAULT_OBSERVATORY_YEARS = 5
COUNT_OPTIONS = (("structures", "--structures"), ("actions", "--actions"), ("observatory_years", "--observatory-years"))


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, pas « {text} »") from None


class Command(BaseCommand):
    help = (
        "Remplit une base vide avec des structures et des fiches actions inventées, "
        "toujours les mêmes pour une même graine."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--structures",
            type=whole_number,
            default=DEFAULT_STRUCTURES,
            help=f"nombre de structures ({DEFAULT_STRUCTURES})",
        )
        parser.add_argument(
            "--actions",
            type=whole_number,
            default=DEFAULT_ACTIONS,
            help=f"nombre de fiches actions ({DEFAULT_ACTIONS})",
        )
        parser.add_argument(
            "--seed", type=whole_number, default=DEFAULT_SEED, help=f"graine du tirage ({DEFAULT_SEED})"
        )
        parser.add_argument(
            "--last-year",
            type=whole_number,
            default=DEFAULT_LAST_YEAR,
            help=f"année de la dernière campagne ({DEFAULT_LAST_YEAR}) ; les fiches couvrent les six dernières",
        )
        parser.add_argument(
            "--observatory-years",
            type=whole_number,
            default=DEFAULT_OBSERVATORY_YEARS,
            help=f"années de réponses à l'observatoire inventées ({DEFAULT_OBSERVATORY_YEARS}, 0 pour aucune)",
        )

    def handle(self, *args, **options):
        check_options(options)
        started = time.perf_counter()
        try:
            result = load_demo(
                structures=options["structures"],
                actions=options["actions"],
                seed=options["seed"],
                last_year=options["last_year"],
            )
        except DemoError as error:
            raise CommandError(f"Données de démonstration non créées : {error}.") from None
        self.stdout.write(summary(result, time.perf_counter() - started))
        if options["observatory_years"] and result.structures:
            self.stdout.write(seed_answers(options["observatory_years"], options["seed"]))


def check_options(options: dict) -> None:
    for key, flag in COUNT_OPTIONS:
        if not isinstance(options[key], int) or options[key] < 0:
            raise CommandError(f"{flag} attend un nombre entier positif ou nul (reçu : {options[key]!r}).")
    if not isinstance(options["seed"], int):
        raise CommandError(f"--seed attend un nombre entier (reçu : {options['seed']!r}).")
    if not isinstance(options["last_year"], int) or not 2000 <= options["last_year"] <= 2100:
        raise CommandError(f"--last-year attend une année entre 2000 et 2100 (reçu : {options['last_year']!r}).")


def summary(result: DemoResult, seconds: float) -> str:
    report = result.report
    duration = f"{seconds:.1f}".replace(".", ",")
    return (
        f"Données de démonstration créées en {duration} s : {count_noun(result.structures, 'structure')}, "
        f"{count_noun(report.created, 'fiche action publiée', 'fiches actions publiées')} "
        f"({count_noun(report.duplicates, 'doublon ignoré', 'doublons ignorés')}, "
        f"{count_noun(report.flagged, '« doublon probable »', '« doublons probables »')})."
    )


def seed_answers(years: int, seed: int) -> str:
    """Invent the observatory answers of the structures just created; a French summary of what was done."""
    started = time.perf_counter()
    try:
        result = seed_observatory(years=years, seed=seed)
    except ObservatoryDemoError as error:
        raise CommandError(f"Réponses de l'observatoire non créées : {error}") from None
    validated = sum(result.responses.values())
    duration = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    return (
        f"Observatoire créé en {duration} s : "
        f"{count_noun(validated, 'questionnaire validé', 'questionnaires validés')} de {result.years[0]} à "
        f"{result.years[-1]}, {len(result.anomalies)} transmis avec une anomalie à vérifier."
    )
