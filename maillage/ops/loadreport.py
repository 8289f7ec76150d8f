"""The report of `make loadtest`: `python -m maillage.ops.loadreport RESULTS [--max-errors 0] [--label TEXT]`.

Reads what `maillage/ops/locustfile.py` wrote, prints requests a second, p50 / p95 / p99 per kind of request and
the errors, as a Markdown table ready for docs/benchmarks.md, and exits with 1 when there were more errors than
allowed. Standard library only.
"""

import argparse
import json
import math
import sys

PUBLIC = ("recherche", "liste à facettes", "fiche", "API", "observatoire")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


def row(name: str, values: list[float], errors: int, duration: float) -> str:
    return (
        f"| {name} | {len(values)} | {len(values) / duration:.1f} | {percentile(values, 0.50):.0f} | "
        f"{percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | {max(values, default=0):.0f} | {errors} |"
    )


def report(results: dict, label: str = "") -> tuple[str, int, dict]:
    """The Markdown report, the error count and the public mix's summary (requests/s, p95)."""
    duration = results["duration"]
    times, errors = results["times"], results["errors"]
    lines = []
    if label:
        lines.append(f"**{label}**\n")
    lines += [
        "| requêtes | nombre | par s | p50 ms | p95 ms | p99 ms | max ms | erreurs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    public = [t for name in PUBLIC for t in times.get(name, [])]
    public_errors = sum(errors.get(name, 0) for name in PUBLIC)
    for name in PUBLIC:
        lines.append(row(name, times.get(name, []), errors.get(name, 0), duration))
    lines.append(row("**public, ensemble**", public, public_errors, duration))
    for name in sorted(set(times) - set(PUBLIC)):
        lines.append(row(name, times[name], errors.get(name, 0), duration))
    every = [t for values in times.values() for t in values]
    total_errors = sum(errors.values())
    lines.append(row("**tout**", every, total_errors, duration))
    load = results["load_average"]
    lines.append(
        f"\n{results['users']} visiteurs, rythme {results['pace']:g} requêtes/s chacun au plus (0 : sans attente), "
        f"{duration:.0f} s ; charge moyenne de la machine {load['start']:.2f} au début, {load['end_1min']:.2f} "
        f"(1 min) et {load['end_5min']:.2f} (5 min) à la fin ; CPU du générateur {results['client_cpu']:.1f} s, "
        f"du serveur {results['server_cpu']:.1f} s ({results['server_cpu'] / duration * 100:.0f} % d'un cœur)."
    )
    for sample in results.get("error_samples", []):
        lines.append(f"- erreur : {sample}")
    summary = {"rps": len(public) / duration, "p95": percentile(public, 0.95), "errors": total_errors}
    return "\n".join(lines), total_errors, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rapport d'un essai de charge (make loadtest).")
    parser.add_argument("results", help="fichier JSON écrit par maillage/ops/locustfile.py")
    parser.add_argument("--max-errors", type=int, default=0, help="erreurs tolérées (défaut : 0)")
    parser.add_argument("--label", default="", help="titre du tableau")
    args = parser.parse_args(argv)
    try:
        with open(args.results, encoding="utf-8") as source:
            results = json.load(source)
    except (OSError, ValueError) as error:
        print(f"Résultats illisibles : {args.results} ({error}).", file=sys.stderr)
        return 2
    text, total_errors, summary = report(results, args.label)
    print(text)
    print(
        f"\nPublic : {summary['rps']:.1f} requêtes/s, p95 {summary['p95']:.0f} ms ; {total_errors} erreur(s) "
        f"(tolérées : {args.max_errors})."
    )
    return 1 if total_errors > args.max_errors else 0


if __name__ == "__main__":
    sys.exit(main())
