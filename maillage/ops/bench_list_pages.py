"""CPU of the action list page rendered afresh: every search word and every facet of the load test's plan.

    DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=… ALLOWED_HOSTS=testserver HTTPS=false \\
    DATABASE_URL=sqlite:///var/loadtest-copy.sqlite3 PAGE_CACHE_SECONDS=0 API_RATE_LIMIT_PER_MINUTE=0 \\
    REQUEST_LOG_LEVEL=WARNING python -m maillage.ops.bench_list_pages [var/loadtest/plan.json] [--profile]

`PAGE_CACHE_SECONDS=0`: each request is a miss of the page cache. The searches `/actions/?q=<word>` and the lists
`/actions/?<facet>=<value>` (60 % of the load test's public mix) are asked in a shuffled order through every
middleware (Django's test client), twice: the second pass has this process's word caches warm, as a worker that
has served a while. Reported: mean and median CPU per request; `--profile` prints cProfile's largest costs.
"""

import cProfile
import json
import pstats
import random
import sys
import time
from urllib.parse import urlencode


def list_urls(plan: dict) -> list[str]:
    urls = ["/actions/?" + urlencode({"q": word}) for word in plan["words"]]
    urls += ["/actions/?" + urlencode([tuple(facet)]) for facet in plan["facets"]]
    random.seed(7)
    random.shuffle(urls)
    return urls


def measure(client, urls: list[str], label: str) -> None:
    spent = []
    statuses: dict = {}
    for url in urls:
        started = time.process_time()
        response = client.get(url)
        spent.append(time.process_time() - started)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    spent.sort()
    print(f"{label}: {len(urls)} requests, CPU mean {sum(spent) / len(spent) * 1000:.2f} ms, "
          f"median {spent[len(spent) // 2] * 1000:.2f} ms per request; statuses {statuses}")  # fmt: skip


def main() -> None:
    import django

    django.setup()
    from django.test import Client

    from maillage.health import warm_up

    arguments = [argument for argument in sys.argv[1:] if argument != "--profile"]
    with open(arguments[0] if arguments else "var/loadtest/plan.json", encoding="utf-8") as plan_file:
        urls = list_urls(json.load(plan_file))
    warm_up()
    client = Client()
    for url in urls[:20]:  # templates and translations loaded
        client.get(url)
    urls = urls[20:]
    searches = [url for url in urls if "q=" in url]
    lists = [url for url in urls if "q=" not in url]
    profile = cProfile.Profile() if "--profile" in sys.argv else None
    if profile:
        profile.enable()
    for rerun in ("", " (again)"):
        measure(client, searches, f"search ?q={rerun}")
        measure(client, lists, f"list with a facet{rerun}")
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
