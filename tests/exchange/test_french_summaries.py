"""Counts in the summaries of the commands and of the imports (printed, and shown on the import pages) follow
French: 0 and 1 take the singular, the participle agrees (« 1 structure lue », « 2 structures lues »), never
« structure(s) »."""

import ast
from pathlib import Path

import pytest

import maillage
from maillage.exchange.reports import ImportReport
from maillage.french import count_noun
from maillage.observatory.answers.past_table import PastImportReport

DATA = Path(__file__).parent / "data"
ROOT = Path(maillage.__file__).parent
# The summaries people read: every command, and the import reports the web pages show.
SUMMARY_SOURCES = [*ROOT.glob("*/management/commands/*.py"), ROOT / "exchange/reports.py",
                   ROOT / "observatory/answers/past_table.py", ROOT / "observatory/answers/past_import.py"]  # fmt: skip
# Load-test and bench reports are for the people who run them, not summaries of what was done.
BENCHES = {"bench_observatory.py", "bench_validation.py", "bench_search.py", "loadtest_prepare.py"}


def test_count_noun_gives_the_singular_to_zero_and_one():
    assert [count_noun(n, "structure lue", "structures lues") for n in (0, 1, 2)] == [
        "0 structure lue",
        "1 structure lue",
        "2 structures lues",
    ]


def test_the_import_report_agrees_with_its_counts():
    report = ImportReport("annuaire.csv", read=1, created=1, updated=2, unchanged=0, duplicates=1, flagged=2)
    assert report.summary("structure") == (
        "annuaire.csv : 1 structure lue, 1 créée, 2 mises à jour, 0 inchangée, 1 doublon ignoré, "
        "2 signalées « doublon probable », 0 avertissement"
    )
    report = ImportReport("fiches.txt", read=3, created=3, dry_run=True)
    report.warn(2, "un avertissement")
    assert report.summary() == (
        "[essai, rien n'est enregistré] fiches.txt : 3 fiches lues, 3 créées, 0 mise à jour, 0 inchangée, "
        "0 doublon ignoré, 0 signalée « doublon probable », 1 avertissement"
    )


def test_the_past_answers_report_agrees_with_its_counts():
    report = PastImportReport("reponses.csv", 2024, rows=1, to_create=1, to_replace=1, aggregates=1)
    assert report.summary() == (
        "reponses.csv (Enquête 2025 — données 2024) : 1 ligne lue, 1 réponse créée, 1 remplacée, 0 avertissement ; "
        "1 agrégat recalculé"
    )


@pytest.mark.django_db
def test_the_import_command_says_one_structure_in_the_singular(run_command, tmp_path):
    one = tmp_path / "une.txt"
    lines = (DATA / "structures_canonique.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    one.write_text("".join(lines[:35]), encoding="utf-8")  # the first of its three structures
    out, err = run_command("import_structures", str(one))
    assert "une.txt : 1 structure lue, 1 créée, 0 mise à jour, 0 inchangée, 0 doublon ignoré" in out
    assert err == ""


def messages_of(path: Path):
    """The file's string constants but its docstrings and the commands' help texts (« fichier(s) à importer »)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))
        elif isinstance(node, ast.keyword) and node.arg == "help":
            skipped.update(id(child) for child in ast.walk(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            yield node.lineno, node.value


@pytest.mark.parametrize("path", [p for p in SUMMARY_SOURCES if p.name not in BENCHES], ids=lambda p: p.name)
def test_no_summary_writes_a_plural_in_brackets(path):
    """« structure(s) » is what a count without the plural rule gives: every summary uses `count_noun`."""
    found = [f"{path.name}:{line} {text!r}" for line, text in messages_of(path) if "(s)" in text or "(e)s" in text]
    assert not found
