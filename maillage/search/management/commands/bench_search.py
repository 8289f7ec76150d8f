"""`maillage bench_search`: latency of the action search through the open API, in-process.

Fills the database with generated sheets when it has fewer published ones than `--actions` (use a
scratch database: `DATABASE_URL=sqlite:///var/bench-search.sqlite3`), then times 30 representative French
queries, each with a filter and every facet count, and the browse page (no query, all facets, random
pages and sorts). Each query is timed with an empty cache of text matches (as for a reader's first
search); the facet index and the vocabulary are loaded once before timing (as after a server start),
and their load times are reported on their own. The first round starts with empty word caches (the
indexed variants of each word, the sheets holding each, the words for suggestions): each word is read
from the index the first time it is met; later rounds keep them, as a running server does for the
words it has already met.
"""

import random
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings

from maillage.actions.models import Action
from maillage.search import engine, facets, suggestions, vocabulary
from maillage.search.backends import get_backend

QUERIES = (
    ("vélo", "department=69"),
    ("atelier parentalité", "public=familles"),
    ("jardin partagé", "region=84"),
    ("seniors isolement", "keyword=Viellissement"),
    ("cours de français", "public=Adultes"),
    ("accompagnement scolarité", "year=2024"),
    ("sorties familles", "kind=csx"),
    ("fête de quartier", "territory=Un quartier"),
    ("numérique", "department=13"),
    ("mobilité", "kind=evs"),
    ("jeunes", "keyword=Culture"),
    ("famille", "department=59"),
    ("culture", "public=Jeunesse"),
    ("santé prévention", "keyword=Santé"),
    ("emploi insertion", "region=11"),
    ("café des parents", "keyword=Parentalité"),
    ("ludothèque", "public=Enfance"),
    ("vacances", "year=2023"),
    ("intergénérationnel", "public=Seniors"),
    ("repair café", "department=33"),
    ("théâtre", "public=Jeunesse"),
    ("alimentation", "partner=Caf"),
    ("petite enfance", "kind=csx"),
    ("bénévoles", "department=75"),
    ("participation habitants", "dimension=Citoyenneté"),
    ("sport OR danse", "public=Jeunesse"),
    ('"jardin partagé"', "year=2024"),
    ("écrivain public", "department=69"),
    ("aide aux devoirs", "public=Enfance"),
    ("environnement -jardin", "region=84"),
)
SORTS = ("recent", "title", "-title", "department")


class Command(BaseCommand):
    help = "Mesure la latence de la recherche (p50, p95) par l'API, sur un grand volume de fiches."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=100_000, help="fiches publiées voulues (100000)")
        parser.add_argument("--structures", type=int, default=4_000, help="structures générées (4000)")
        parser.add_argument("--rounds", type=int, default=3, help="passes sur les 30 requêtes (3)")

    def handle(self, *args, **options):
        if options["rounds"] < 1:
            raise CommandError("--rounds doit valoir au moins 1.")
        published = Action.objects.published().count()
        if published < options["actions"]:
            if Action.objects.exists():
                raise CommandError(
                    f"La base compte {published} fiches publiées, moins que --actions, et n'est pas vide : "
                    "utilisez une base vide (DATABASE_URL) pour que la commande la remplisse."
                )
            self.stdout.write(f"Génération de {options['actions']} fiches…")
            call_command(
                "seed_demo",
                actions=options["actions"],
                structures=options["structures"],
                observatory_years=0,
                stdout=self.stdout,
            )
        with override_settings(API_RATE_LIMIT_PER_MINUTE=0, ALLOWED_HOSTS=["*"]):
            self.run(options["rounds"])

    def run(self, rounds: int) -> None:
        client = Client()
        facets.forget()
        vocabulary.forget()
        start = time.perf_counter()
        facets.facet_index()
        self.stdout.write(f"Chargement de l'index des facettes : {1000 * (time.perf_counter() - start):.0f} ms")
        start = time.perf_counter()
        vocabulary.indexed_terms(get_backend())
        self.stdout.write(f"Chargement du vocabulaire : {1000 * (time.perf_counter() - start):.0f} ms")
        self.stdout.write(f"Fiches publiées : {len(facets.facet_index().published)}")
        self.timed(client, "/api/v1/actions?q=atelier")  # the first request imports and compiles what it needs
        cold, searches, counts = [], [], []
        suggestions.forget_vocabulary()
        for round_number in range(rounds + 1):
            for words, facet in QUERIES:
                engine.clear_match_cache()
                elapsed, body = self.timed(client, f"/api/v1/actions?q={words}&{facet}")
                (cold if round_number == 0 else searches).append(elapsed)
                counts.append(body["count"])
        draw = random.Random(1)
        browsing = []
        for _ in range(rounds * len(QUERIES)):
            page = draw.randint(1, 50)
            elapsed, _ = self.timed(client, f"/api/v1/actions?page={page}&sort={draw.choice(SORTS)}")
            browsing.append(elapsed)
        pages = [self.timed(client, f"/actions/?q={words}&{facet}")[0] for words, facet in QUERIES]
        self.report("Recherche + 1 filtre + toutes les facettes (API), mots lus pour la première fois", cold)
        self.report("Recherche + 1 filtre + toutes les facettes (API), mots déjà rencontrés", searches)
        self.stdout.write(f"  fiches trouvées : médiane {statistics.median(counts):.0f}, max {max(counts)}")
        self.report("Parcours sans recherche, toutes les facettes (API)", browsing)
        self.report("Page /actions/ (HTML, cache des textes chaud)", pages)

    def timed(self, client: Client, url: str) -> tuple[float, dict]:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = 1000 * (time.perf_counter() - start)
        if response.status_code != 200:
            raise CommandError(f"{url} : HTTP {response.status_code} {response.content[:200]!r}")
        body = response.json() if response["Content-Type"] == "application/json" else {}
        return elapsed, body

    def report(self, label: str, timings: list[float]) -> None:
        ordered = sorted(timings)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
        self.stdout.write(
            f"{label} : p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms "
            f"({len(ordered)} requêtes)"
        )
