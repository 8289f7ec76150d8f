"""A server's start, measured: time until ready, memory of each worker, and the first searches it answers.

    python -m maillage.ops.bench_start --database sqlite:///var/bench-search.sqlite3 [--starts 3] [--workers N]

(`make bench-start`). The database (filled beforehand, e.g. by `make bench-search`) is migrated first. Each
start runs gunicorn (config/gunicorn.py, production settings, preload) on a free loopback port, waits for
`/sante/pret`, reads the memory of the master and of each worker from /proc/<pid>/smaps_rollup (RSS; PSS, the
pages shared with other processes counted in shares; USS, the pages only this process holds), sends the 30
searches of `bench_search` (a word and a filter each, every facet counted) one after the other, each word met
for the first time by the server, then reads the memory again and stops the server.
"""

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.prefix) / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    """RSS, PSS and USS (private pages) of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def workers_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def environment(database: str, port: int, workers: int | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=secrets.token_urlsafe(64),
               ALLOWED_HOSTS="127.0.0.1", HTTPS="false", DATABASE_URL=database, API_RATE_LIMIT_PER_MINUTE="0",
               REQUEST_LOG_LEVEL="WARNING", BIND=f"127.0.0.1:{port}")  # fmt: skip
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


def collect_static(env: dict[str, str]) -> None:
    static = Path(env.get("STATIC_ROOT") or ROOT / "var" / "static")
    if not (static / "staticfiles.json").exists():
        subprocess.run([BIN / "maillage", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        return response.status


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 120) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if process.poll() is not None:
            raise SystemExit("gunicorn s'est arrêté avant d'être prêt.")
        try:
            if get(url + "/sante/pret") == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"gunicorn n'est pas prêt en {seconds} s.")


def one_start(database: str, workers: int | None) -> dict:
    from maillage.search.management.commands.bench_search import QUERIES

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = environment(database, port, workers)
    collect_static(env)
    process = subprocess.Popen([BIN / "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        ready = wait_ready(url, process)
        time.sleep(1)  # the workers boot after the master is ready to accept
        before = {pid: memory_kib(pid) for pid in workers_of(process.pid)}
        master = memory_kib(process.pid)
        timings = []
        for query, facet in QUERIES:
            start = time.perf_counter()
            get(f"{url}/api/v1/actions?q={quote(query)}&{quote(facet, safe='=')}")
            timings.append(1000 * (time.perf_counter() - start))
        after = {pid: memory_kib(pid) for pid in workers_of(process.pid)}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return {"ready": ready, "master": master, "before": before, "after": after, "timings": timings}


def mib(values: list[int]) -> str:
    low, high = min(values) / 1024, max(values) / 1024
    return f"{low:.0f} MiB" if round(low) == round(high) else f"{low:.0f}–{high:.0f} MiB"


def report(starts: list[dict]) -> None:
    timings = [value for start in starts for value in start["timings"]]
    ready = ", ".join(f"{start['ready']:.1f} s" for start in starts)
    print(f"Prêt (/sante/pret) après : {ready}")
    masters = [start["master"] for start in starts]
    print(f"Processus maître : {memory_line(masters)}")
    for moment, label in (("before", "avant les recherches"), ("after", "après les 30 recherches")):
        workers = [memory for start in starts for memory in start[moment].values()]
        print(f"Par processus de travail, {label} ({len(starts[0][moment])} processus) : {memory_line(workers)}")
    p95 = statistics.quantiles(timings, n=20)[18]
    print(f"Premières recherches après un démarrage (mots jamais lus par ce serveur, {len(timings)} requêtes) : "
          f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {max(timings):.0f} ms")  # fmt: skip
    firsts = ", ".join(f"{start['timings'][0]:.0f} ms" for start in starts)
    print(f"Toute première recherche de chaque démarrage : {firsts}")
    from maillage.search.management.commands.bench_search import QUERIES

    timed = [(time, f"{query} & {facet}") for start in starts
             for time, (query, facet) in zip(start["timings"], QUERIES, strict=True)]  # fmt: skip
    slowest = sorted(timed, reverse=True)
    print("Les plus lentes : " + ", ".join(f"« {search} » {time:.0f} ms" for time, search in slowest[:5]))


def memory_line(processes: list[dict[str, int]]) -> str:
    return ", ".join(
        f"{name.upper()} {mib([process[name] for process in processes])}" for name in ("rss", "pss", "uss")
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL d'une base déjà remplie")
    parser.add_argument("--starts", type=int, default=3, help="démarrages mesurés (3)")
    parser.add_argument("--workers", type=int, default=None, help="processus gunicorn (défaut : config/gunicorn.py)")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    env = environment(options.database, 0, None)
    subprocess.run([BIN / "maillage", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    report([one_start(options.database, options.workers) for _ in range(options.starts)])


if __name__ == "__main__":
    main()
