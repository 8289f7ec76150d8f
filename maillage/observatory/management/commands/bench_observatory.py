"""`maillage bench_observatory`: how long the observatory's reads take on the data in the database.

Measures (after `seed_demo --structures 4000`, which invents 5 years of answers): the recomputation of the
aggregates, the reading of the key figures, then the public report pages and the PDF "plaquettes" through the
real views (URL routing, templates, middleware), for France, the busiest region and the busiest department.
Pages are timed twice: "à froid" with the report cache emptied before each request (the first view after a
validation), and "en cache". `--secrecy` measures statistical secrecy instead: how long deciding each year's secrets
takes (`disclosure.mark_secrets`), and the share of figures hidden at each scale. `--publications` builds the
workbook and three plaquettes as the worker does, then times the first byte of each sent by its view. `--digest FILE`
writes one line per stored aggregate (its key and a SHA-256 of its figures, structures and secret) and stops: two
digests taken before and after a change of the refresh code compare with `diff` (the rows must be the same).
"""

import hashlib
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from maillage.observatory.figures.aggregates import ALL, refresh_all, refresh_year, territory_figures
from maillage.observatory.figures.disclosure import hidden_shares, mark_secrets
from maillage.observatory.figures.publications import build_plaquette, build_workbook
from maillage.observatory.models import Aggregate, AggregateScope, Campaign
from maillage.referentials.models import Department


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def timed(action: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None) -> list[float]:
    """Milliseconds of each of `repeat` calls of `action`, `before` run (untimed) ahead of each."""
    samples = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def spread(samples: list[float]) -> str:
    return f"médiane {statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms"


class Command(BaseCommand):
    help = (
        "Mesure le recalcul des agrégats, la lecture des chiffres clés, puis les pages publiques de l'observatoire "
        "et les plaquettes PDF (France, la plus grande région, le plus grand département) : médiane et 95e centile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=50, help="lectures et pages par territoire (50)")
        parser.add_argument("--pdf-repeat", type=int, default=3, help="plaquettes PDF par territoire (3)")
        parser.add_argument("--no-refresh", action="store_true", help="ne pas mesurer le recalcul")
        parser.add_argument(
            "--secrecy", action="store_true",
            help="mesurer le secret statistique au lieu des pages : décision par année, part des chiffres cachés",
        )  # fmt: skip
        parser.add_argument(
            "--publications", action="store_true",
            help="mesurer les publications préconstruites : construction du classeur et des plaquettes, puis le "
                 "temps jusqu'au premier octet de leur envoi",
        )  # fmt: skip
        parser.add_argument(
            "--digest", metavar="FICHIER",
            help="écrire l'empreinte de chaque agrégat stocké dans FICHIER (après le recalcul) et s'arrêter",
        )  # fmt: skip

    def handle(self, *args, repeat, pdf_repeat, no_refresh, secrecy, digest, publications, **options):
        if repeat < 1 or pdf_repeat < 0:
            raise CommandError("--repeat attend un entier positif et --pdf-repeat un entier positif ou nul.")
        if secrecy:
            self.bench_secrecy(decide=not no_refresh)
            return
        if not no_refresh:
            self.bench_refresh()
        if publications:
            self.bench_publications(repeat)
            return
        if digest:
            count = write_digest(Path(digest))
            self.stdout.write(f"Empreintes de {count} agrégats écrites dans {digest}.")
            return
        years = sorted(set(Aggregate.objects.values_list("year", flat=True)))[-5:]
        if not years:
            raise CommandError("Aucun agrégat : lancez « maillage seed_demo » (ou « seed_observatory ») d'abord.")
        places = self.busiest_places(years[-1])
        for label, scope, code, _ in places:
            samples = timed(lambda scope=scope, code=code: territory_figures(scope, code, years), repeat)
            self.stdout.write(f"chiffres clés {label} ({len(years)} ans, une requête) : {spread(samples)}.")
        with override_settings(ALLOWED_HOSTS=["*"]):
            self.bench_pages(places, repeat, pdf_repeat)

    def bench_refresh(self) -> None:
        """Every campaign year refreshed as the worker does it (`refresh_year`, the structures read each time), then
        all years at once (`refresh_all`)."""
        for year in sorted(Campaign.objects.values_list("year", flat=True)):
            waited = DatabaseWait()
            started, cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(waited):
                count = refresh_year(year)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            self.stdout.write(
                f"refresh_year {year} : {count} agrégats en {elapsed:.2f} s (CPU de ce processus {cpu:.2f} s). "
                f"Attente de la base : {waited.seconds:.2f} s ; charge de la machine : {os.getloadavg()[0]:.1f}."
            )
        started = time.perf_counter()
        counts = refresh_all()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"refresh_aggregates : {sum(counts.values())} agrégats pour {len(counts)} années en {elapsed:.2f} s."
        )

    def bench_publications(self, repeat: int) -> None:
        """The workbook and the plaquettes of France, the busiest region and department built as the worker does
        (timed, unless already built for the current figures), then the time to the first byte of each through the
        view, `repeat` times (the file is sent as it is)."""
        years = sorted(set(Aggregate.objects.values_list("year", flat=True)))
        if not years:
            raise CommandError("Aucun agrégat : lancez « maillage seed_demo » (ou « seed_observatory ») d'abord.")
        places = self.busiest_places(years[-1])
        builds = [("classeur", build_workbook, (), reverse("observatory:export-xlsx"))]
        builds += [(f"plaquette {label}", build_plaquette, (scope, code, years[-1]), url + "plaquette.pdf")
                   for label, scope, code, url in places]  # fmt: skip
        first_byte = FirstByte(Client())
        with override_settings(ALLOWED_HOSTS=["*"], EXPORT_RATE_LIMIT_PER_MINUTE=0):  # the send, not the limit
            for label, job, arguments, url in builds:
                started = time.perf_counter()
                path = Path(job.call(*arguments))
                built = time.perf_counter() - started
                samples = timed(lambda url=url: first_byte(url), repeat, before=first_byte.drain)
                first_byte.drain()
                self.stdout.write(f"{label} ({path.stat().st_size / 1024:.0f} Kio) construit en {built:.2f} s ; "
                                  f"premier octet : {spread(samples)}.")  # fmt: skip

    def bench_secrecy(self, *, decide: bool) -> None:
        """Decide each year's secrets again (timed, unless `decide` is false: the stored ones are measured), then
        print the share of hidden figures per scale (figures on at least one structure; answer counts are public)."""
        years = sorted(set(Aggregate.objects.values_list("year", flat=True)))
        if not years:
            raise CommandError("Aucun agrégat : lancez « maillage seed_demo » (ou « seed_observatory ») d'abord.")
        region_of = dict(Department.objects.values_list("code", "region__code"))
        for year in years if decide else ():
            started = time.perf_counter()
            count = mark_secrets(year, region_of)
            self.stdout.write(f"secret statistique {year} : {count} agrégats secrets, décidés en "
                              f"{time.perf_counter() - started:.2f} s.")  # fmt: skip
        rows = Aggregate.objects.values_list("scope", "code", "structure_count", "secret")
        shares = hidden_shares(rows.iterator(chunk_size=5000))
        for scope, label in AggregateScope.choices:
            hidden, primary, total = shares.get(scope, (0, 0, 0))
            share = f"{100 * hidden / total:.1f} %" if total else "—"
            self.stdout.write(
                f"chiffres cachés, {label} ({len(years)} ans) : {hidden} sur {total}, {share} ; "
                f"{primary} sur moins de 5 structures, {hidden - primary} par secret secondaire."
            )

    def busiest_places(self, year: int) -> list[tuple[str, str, str, str]]:
        """(label, scope, code, page URL) of France, the region and the department with the most answers."""

        def busiest(scope: str) -> str:
            rows = Aggregate.objects.filter(scope=scope, code="REPONSES", group=ALL, year=year)
            return rows.order_by("-structure_count").values_list("scope_code", flat=True).first()

        region, department = busiest(AggregateScope.REGION), busiest(AggregateScope.DEPARTMENT)
        return [
            ("France", AggregateScope.NATION, "", reverse("observatory:nation")),
            (f"région {region}", AggregateScope.REGION, region, reverse("observatory:region", args=[region])),
            (
                f"département {department}",
                AggregateScope.DEPARTMENT,
                department,
                reverse("observatory:departement", args=[department]),
            ),
        ]

    def bench_pages(self, places: list, repeat: int, pdf_repeat: int) -> None:
        client = Client()
        for label, _, _, url in places:
            self.fetch(client, url)  # warms the templates and the connection
            cold = timed(lambda url=url: self.fetch(client, url), repeat, before=cache.clear)
            warm = timed(lambda url=url: self.fetch(client, url), repeat)
            self.stdout.write(f"page {label} à froid : {spread(cold)} ; en cache : {spread(warm)}.")
        for label, _, _, url in places if pdf_repeat else ():
            self.bench_pdf(client, label, url + "plaquette.pdf", pdf_repeat)

    def bench_pdf(self, client: Client, label: str, url: str, repeat: int) -> None:
        files: list[bytes] = []
        samples = timed(lambda: files.append(self.fetch(client, url)), repeat, before=cache.clear)
        size, pages = len(files[-1]) / 1024, page_count(files[-1])
        self.stdout.write(f"plaquette PDF {label} : {spread(samples)}, {size:.0f} Kio, {pages} pages.")

    @staticmethod
    def fetch(client: Client, url: str) -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} a répondu {response.status_code}.")
        return response.content


class DatabaseWait:
    """An execute wrapper adding up the time spent in the database's calls (for PostgreSQL, mostly the server's
    work; for SQLite, the library's, which is also this process's CPU)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class FirstByte:
    """Ask for a publication and read its first block, as a browser starts a download (it must be the prebuilt file);
    the rest is read before the next request, untimed (a response read to its end is closed as the test client
    closes it)."""

    def __init__(self, client: Client) -> None:
        self.client, self.pending = client, []

    def __call__(self, url: str) -> None:
        response = self.client.get(url)
        if response.status_code != 200 or not response.streaming:
            raise CommandError(f"{url} n'a pas envoyé le fichier préconstruit ({response.status_code}).")
        blocks = iter(response.streaming_content)
        next(blocks)
        self.pending.append(blocks)

    def drain(self) -> None:
        while self.pending:
            for _ in self.pending.pop():
                pass


def write_digest(path: Path) -> int:
    """One sorted line per stored aggregate: its key, then a SHA-256 of (structures, secret, summary); returns the
    number of rows. The summary is compared as JSON data (PostgreSQL's jsonb does not keep the order of keys)."""
    rows = Aggregate.objects.values_list("year", "scope", "scope_code", "group", "code", "structure_count", "secret",
                                         "summary")  # fmt: skip
    lines = []
    for year, scope, scope_code, group, code, structures, secret, summary in rows.iterator(chunk_size=2000):
        figures = json.dumps([structures, secret, summary], sort_keys=True).encode()
        lines.append(f"{year} {scope} {scope_code or '-'} {group} {code} {hashlib.sha256(figures).hexdigest()}\n")
    path.write_text("".join(sorted(lines)), encoding="utf-8")
    return len(lines)


def page_count(data: bytes) -> str:
    """The page count read by `pdfinfo` (poppler-utils), or « ? » when it is not installed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plaquette.pdf"
        path.write_bytes(data)
        try:
            output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return "?"
    pages = [line.split()[-1] for line in output.splitlines() if line.startswith("Pages:")]
    return pages[0] if pages else "?"
