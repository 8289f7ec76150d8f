"""The verdict of a fault drill (deploy/drills/): `python -m maillage.ops.drillcheck RESULTS EVENTS [--grace 2]
[--max-errors N] [--min-errors N]`.

RESULTS is what `maillage/ops/locustfile.py` wrote during the drill; EVENTS the drill's log of the fault, one
`start <epoch seconds>` line when it began and one `end <epoch seconds>` when it was over (the worker killed, the
database back). The drill passes when every failed request ended between the start and `grace` seconds after the
end, there were at most `max-errors` of them (and at least `min-errors`: a fault that cut no request tested
nothing), and requests were answered again after the end. Prints the
timeline around the fault, second by second. Standard library only.
"""

import argparse
import json
import sys


def read_events(path: str) -> dict[str, float]:
    events = {}
    with open(path, encoding="utf-8") as source:
        for line in source:
            name, _, value = line.strip().partition(" ")
            if name in ("start", "end") and value:
                events[name] = float(value)
    if "start" not in events or "end" not in events:
        raise ValueError(f"{path} : il faut une ligne « start » et une ligne « end ».")
    return events


def verdict(
    results: dict, events: dict[str, float], *, grace: float, max_errors: int | None, min_errors: int = 0
) -> tuple[bool, str]:
    start, end = events["start"], events["end"]
    errors = results.get("error_times", [])
    outside = [t for t in errors if not start - 0.5 <= t <= end + grace]
    timeline = {int(second): counts for second, counts in results.get("timeline", {}).items()}
    answered_after = sum(ok for second, (ok, _) in timeline.items() if second > end + grace)
    lines = [
        f"Panne de {end - start:.1f} s ; {len(errors)} requête(s) en échec, dont {len(outside)} hors de la panne "
        f"(+ {grace:g} s) ; {answered_after} réponses après.",
        "seconde (0 = début de la panne) : réponses / échecs",
    ]
    for second in range(int(start) - 3, int(end + grace) + 4):
        ok, failed = timeline.get(second, (0, 0))
        lines.append(f"  {second - int(start):+d} s : {ok} / {failed}")
    passed = not outside and answered_after > 0 and (max_errors is None or len(errors) <= max_errors)
    if len(errors) < min_errors:
        passed = False
        lines.append(f"Aucune requête coupée (au moins {min_errors} attendue) : la panne n'a rien éprouvé.")
    lines.append("Exercice réussi." if passed else "Exercice échoué.")
    return passed, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verdict d'un exercice de panne.")
    parser.add_argument("results")
    parser.add_argument("events")
    parser.add_argument("--grace", type=float, default=2.0, help="secondes tolérées après la fin de la panne")
    parser.add_argument("--max-errors", type=int, default=None, help="échecs tolérés au plus")
    parser.add_argument("--min-errors", type=int, default=0, help="échecs attendus au moins (défaut : 0)")
    args = parser.parse_args(argv)
    try:
        with open(args.results, encoding="utf-8") as source:
            results = json.load(source)
        events = read_events(args.events)
    except (OSError, ValueError) as error:
        print(f"Exercice illisible : {error}", file=sys.stderr)
        return 2
    passed, text = verdict(results, events, grace=args.grace, max_errors=args.max_errors,
                           min_errors=args.min_errors)  # fmt: skip
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
