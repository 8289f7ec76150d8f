"""Time the web exports of the action bank (`/actions/export.csv|xlsx|json`) on a big database.

    python -m maillage.demo.bench_exports --database /tmp/bench-exports.sqlite3 [--actions 100000]

Creates the database with `migrate` and `seed_demo` when the file does not exist, then runs each export
in its own process, through the view, with the search index already loaded (as in a running server),
and reports the time to the first byte, the total time, the size and the peak memory of the process.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from maillage.demo.bench import run_step, seed_arguments

FORMATS = ("csv", "xlsx", "json")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=Path("/tmp/bench-exports.sqlite3"))
    parser.add_argument("--actions", type=int, default=100_000, help="fiches à créer si la base n'existe pas")
    parser.add_argument("--structures", type=int, default=4_000)
    parser.add_argument("--query", default="", help="paramètres de la liste exportée (ex. keyword=Culture)")
    parser.add_argument("--format", choices=FORMATS, action="append", help="format à mesurer (tous sinon)")
    parser.add_argument("--one", choices=FORMATS, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.one:
        export_once(options.one, options.query)
        return
    if not options.database.exists():
        counts = seed_arguments(options.structures, options.actions)
        run_step("migrate", ["migrate", "-v0"], options.database)
        run_step("seed_demo " + " ".join(counts), ["seed_demo", *counts, "--seed", "1"], options.database)
    for fmt in options.format or FORMATS:
        measure(fmt, options.query, options.database)


def measure(fmt: str, query: str, database: Path) -> None:
    """One export in a fresh process; its peak memory comes from `wait4`, as in `maillage.demo.bench`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    command = [sys.executable, "-m", "maillage.demo.bench_exports", "--one", fmt, "--query", query]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"échec de l'export {fmt}")
    print(f"{output.strip()} pic {usage.ru_maxrss / 1024:.0f} Mio")


def export_once(fmt: str, query: str) -> None:
    import django

    django.setup()
    from django.test import RequestFactory

    from maillage.search.facets import facet_index
    from maillage.www.exports import action_export

    started = time.perf_counter()
    facet_index()
    loaded = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    response = action_export(RequestFactory().get(f"/actions/export.{fmt}?{query}"), fmt)
    first_byte, size = None, 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    sheets = sum(1 for _ in _ids(query))
    print(
        f"{fmt:<4} {sheets:7d} fiches {size / 1e6:6.1f} Mo   premier octet {first_byte:5.2f} s   "
        f"total {total:5.1f} s (CPU {cpu:5.1f} s)   index chargé en {loaded:.1f} s, mémoire avant {before:.0f} Mio,"
    )


def _ids(query: str):
    from django.http import QueryDict

    from maillage.search.engine import parse_action_filters, search_actions

    return search_actions(parse_action_filters(QueryDict(query))).ordered_ids()


if __name__ == "__main__":
    main()
