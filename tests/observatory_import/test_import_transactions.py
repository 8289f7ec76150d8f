"""The past answers are read and checked with no transaction open (all a dry run does: it writes nothing), then
written in one: on SQLite a transaction holds the database's only write lock, which every other save waits for."""

import pytest

from maillage.observatory.answers import past_import
from maillage.observatory.answers.past_import import import_past_answers
from maillage.observatory.models import Response
from tests.exchange.sql_recording import watching

from .conftest import YEAR, write, xlsx_bytes


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "import"])
def test_the_table_is_read_before_any_transaction_and_a_dry_run_writes_nothing(past, tmp_path, monkeypatch, dry_run):
    path = write(tmp_path, xlsx_bytes(past.rows()), "reponses.xlsx")
    with watching() as watch:
        monkeypatch.setattr(past_import, "table_rows", watch.parsing(past_import.table_rows))
        report = import_past_answers(path, year=YEAR, dry_run=dry_run)
    assert report.ok and report.to_create == 3
    assert len(watch.parsed_at) == 4 and set(watch.parsed_at) == {0}
    if dry_run:
        assert watch.writes == [] and {depth for _, depth in watch.statements} == {0}
        assert not Response.objects.exists()
    else:
        assert watch.writes and all(depth >= 1 for _, depth in watch.writes)
        assert Response.objects.count() == 3
