"""CPU of a public request rendered (and stored) by the page cache, then served from it, in this process.

    DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=… ALLOWED_HOSTS=testserver HTTPS=false \\
    DATABASE_URL=sqlite:///var/loadtest.sqlite3 PAGE_CACHE_DIR=/tmp/pages API_RATE_LIMIT_PER_MINUTE=0 \\
    REQUEST_LOG_LEVEL=WARNING python -m maillage.ops.bench_page_cache [var/loadtest/plan.json] [300]

URLs are drawn in the proportions of the load test's public mix (`ops/locustfile.py`) from its plan; each
distinct URL is asked once (a miss: rendered, stored) then again (a hit), through every middleware (Django's test
client). Reported: CPU and wall time per request of each pass. The page cache (`CACHES["pages"]`) is emptied first.
"""

import json
import random
import sys
import time
from urllib.parse import urlencode


def mix_urls(plan: dict, count: int) -> list[str]:
    urls = []
    for _ in range(count):
        kind = random.random()
        if kind < 0.4:
            urls.append("/actions/?" + urlencode({"q": random.choice(plan["words"])}))
        elif kind < 0.6:
            urls.append("/actions/?" + urlencode([tuple(random.choice(plan["facets"]))]))
        elif kind < 0.8:
            urls.append(random.choice(plan["sheets"]))
        elif kind < 0.9:
            urls.append("/api/v1/actions?" + urlencode({"q": random.choice(plan["words"])}))
        else:
            urls.append(random.choice(plan["observatory"]))
    return list(dict.fromkeys(urls))


def measure(client, urls: list[str], label: str) -> None:
    cpu = wall = 0.0
    marks: dict = {}
    for url in urls:
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(url)
        cpu += time.process_time() - started_cpu
        wall += time.perf_counter() - started
        marks[(response.status_code, response.get("X-Cache"))] = (
            marks.get((response.status_code, response.get("X-Cache")), 0) + 1
        )
    count = len(urls)
    print(f"{label}: {count} requests, CPU {cpu / count * 1000:.2f} ms, wall {wall / count * 1000:.2f} ms per request; "
          f"(status, X-Cache): {marks}")  # fmt: skip


def main() -> None:
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import Client

    from maillage.health import warm_up

    plan_path = sys.argv[1] if len(sys.argv) > 1 else "var/loadtest/plan.json"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with open(plan_path, encoding="utf-8") as plan_file:
        plan = json.load(plan_file)
    random.seed(4)
    urls = mix_urls(plan, count)
    warm_up()
    client = Client()
    for url in urls[:20]:  # templates, translations, word caches: as a worker that has served a while
        client.get(url)
    caches["pages"].clear()
    measure(client, urls, "miss (rendered, stored)")
    measure(client, urls, "hit (served from the cache)")


if __name__ == "__main__":
    main()
