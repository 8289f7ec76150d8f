"""`import_observatory_answers FICHIER --year A [--dry-run] [--replace]`: French messages, summary, exit status."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.observatory.answers import past_import
from maillage.observatory.models import Aggregate, Response, ResponseStatus

from .conftest import YEAR, csv_bytes, write, xlsx_bytes

COMMAND = "import_observatory_answers"


def test_dry_run_then_import(past, tmp_path, run_command):
    path = write(tmp_path, csv_bytes(past.rows()))
    out, err = run_command(COMMAND, str(path), "--year", str(YEAR), "--dry-run")
    head = "[essai, rien n'est enregistré] reponses.csv (Enquête 2024 — données 2023) : 3 lignes lues"
    assert f"{head}, 3 réponses à créer" in out
    assert "aucune erreur, 3 avertissements" in out and err == ""
    assert "  avertissement : reponses.csv, ligne 2 : questions obligatoires sans réponse" in out
    assert not Response.objects.exists()

    out, err = run_command(COMMAND, str(path), "--year", str(YEAR), "--quiet")
    assert "  avertissement :" not in out
    assert out.strip().endswith("agrégats recalculés")
    assert "3 réponses créées, 0 remplacée" in out
    assert Response.objects.filter(status=ResponseStatus.VALIDATED).count() == 3
    assert Aggregate.objects.filter(year=YEAR).exists()


def test_xlsx(past, tmp_path, run_command):
    path = write(tmp_path, xlsx_bytes(past.rows()), "reponses.xlsx")
    out, _ = run_command(COMMAND, str(path), "--year", str(YEAR), "--quiet")
    assert "reponses.xlsx (Enquête 2024 — données 2023) : 3 lignes lues, 3 réponses créées" in out


def test_errors_are_listed_on_stderr_and_nothing_is_stored(past, tmp_path, run_command):
    rows = past.rows()
    rows[1][3] = "vingt"
    path = write(tmp_path, csv_bytes(rows))
    with pytest.raises(CommandError, match="reponses.csv : 1 erreur, rien n'a été importé."):
        run_command(COMMAND, str(path), "--year", str(YEAR))
    assert not Response.objects.exists()


def test_error_lines_printed(past, tmp_path):
    rows = past.rows()
    rows[1][3] = "vingt"
    path = write(tmp_path, csv_bytes(rows))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command(COMMAND, str(path), "--year", str(YEAR), stdout=out, stderr=err)
    assert err.getvalue() == "reponses.csv, ligne 2, colonne RH_SALARIES : nombre attendu, pas « vingt »\n"
    assert "[refusé, rien n'est enregistré]" in out.getvalue()


def test_replace_option(past, tmp_path, run_command):
    Response.objects.create(questionnaire=past.csx, structure=past.a, status=ResponseStatus.IN_PROGRESS,
                            answers={"RH_SALARIES": 3})  # fmt: skip
    path = write(tmp_path, csv_bytes([["id", "RH_SALARIES"], [past.a.pk, "20"]]))
    with pytest.raises(CommandError):
        run_command(COMMAND, str(path), "--year", str(YEAR))
    assert Response.objects.get(structure=past.a).answers == {"RH_SALARIES": 3}
    out, _ = run_command(COMMAND, str(path), "--year", str(YEAR), "--replace")
    assert "0 réponse créée, 1 remplacée" in out
    assert Response.objects.get(structure=past.a).answers == {"RH_SALARIES": 20}


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--year", str(YEAR)], "introuvable.csv : fichier introuvable."),
        (b"", ["--year", str(YEAR)], "vide.csv : le fichier est vide — rien n'a été importé."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ["--year", str(YEAR)], "données binaires : ce n'est pas un fichier texte"),
        ("id;X\r\n1;é\r\n".encode("cp1252"), ["--year", str(YEAR)], "ligne 2 : le fichier n'est pas encodé en UTF-8"),
        (b"id;RH_SALARIES\r\n1;3\r\n", ["--year", "1999"], "Il n'y a pas de campagne Enquête 2000 — données 1999"),
    ],
    ids=["missing", "empty", "png", "cp1252", "no-campaign"],
)
def test_bad_input_is_a_command_error_in_french(past, tmp_path, run_command, content, args, message):
    name = {None: "introuvable.csv", b"": "vide.csv"}.get(content, "fichier.csv")
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        run_command(COMMAND, str(path), *args)
    assert message in str(raised.value)
    assert not Response.objects.exists()


def test_unexpected_failure_is_a_french_command_error(past, tmp_path, run_command, monkeypatch):
    monkeypatch.setattr(past_import, "refresh_year", lambda year: 1 / 0)
    path = write(tmp_path, csv_bytes(past.rows()))
    with pytest.raises(CommandError, match="erreur inattendue pendant l'import \\(ZeroDivisionError\\)"):
        run_command(COMMAND, str(path), "--year", str(YEAR))
    assert not Response.objects.exists()


def test_year_is_required(run_command, tmp_path, db):
    with pytest.raises(CommandError, match="--year"):
        run_command(COMMAND, str(tmp_path / "x.csv"))
