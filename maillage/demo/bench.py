"""`make bench`: time the import of a generated bank of action sheets, as a person would run it.

Generates `--actions` sheets and `--structures` structures with `seed_demo` in a scratch SQLite
database, writes them with `export_actions --format text`, then imports that file into a new
database with `import_actions` and reports the wall-clock time and peak memory of each step.
Each step is a separate `maillage` process, so start-up costs are counted as a user would see them.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_step(label: str, args: list[str], database: Path) -> float:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "maillage.cli", *args], env=env, stdout=subprocess.DEVNULL)
    # wait4 gives this step's own usage (its parsing worker included), not the sum of all steps.
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"échec de l'étape « {label} »")
    cpu = usage.ru_utime + usage.ru_stime
    print(f"{label:<44} {elapsed:7.1f} s   (CPU {cpu:5.1f} s, pic mémoire {usage.ru_maxrss / 1024:5.0f} Mio)")
    return elapsed


def seed_arguments(structures: int, actions: int) -> list[str]:
    """`seed_demo` options for the sheet benchmarks: no observatory answers, which they do not read."""
    return ["--structures", str(structures), "--actions", str(actions), "--observatory-years", "0"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--structures", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="DOSSIER", help="garder les fichiers produits dans ce dossier")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as scratch:
        folder = Path(options.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source, target, export = folder / "source.sqlite3", folder / "cible.sqlite3", folder / "fiches.txt"
        for path in (source, target, export):
            path.unlink(missing_ok=True)
        counts = seed_arguments(options.structures, options.actions)
        run_step("migrate (base source)", ["migrate", "-v0"], source)
        run_step("seed_demo " + " ".join(counts), ["seed_demo", *counts, "--seed", str(options.seed)], source)
        run_step("export_actions --format text", ["export_actions", "--format", "text", "-o", str(export)], source)
        print(f"{'  taille du fichier texte':<44} {export.stat().st_size / 1e6:7.1f} Mo")
        run_step("export_actions --format json", ["export_actions", "--format", "json", "-o", os.devnull], source)
        run_step("migrate (base cible, vide)", ["migrate", "-v0"], target)
        elapsed = run_step(
            "import_actions (index de recherche compris)", ["import_actions", str(export), "--quiet"], target
        )
        print(f"{'  débit':<44} {options.actions / elapsed:7.0f} fiches/s")
        run_step("import_actions, même fichier (rien à créer)", ["import_actions", str(export), "--quiet"], target)
        run_step("rebuild_search_index", ["rebuild_search_index"], target)


if __name__ == "__main__":
    main()
