"""A refresh compares each stored summary through its digest (`Aggregate.summary_digest`): equal rows are neither
sent to the database nor parsed there, a wrong digest is corrected without the row counting as changed, and the
migration that added the digest fills it as a refresh writes it (also from PostgreSQL's reordered `jsonb`)."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.observatory.figures import aggregates
from maillage.observatory.figures.rowsync import TEMPORARY, text_digest
from maillage.observatory.models import Aggregate

pytestmark = pytest.mark.django_db

NATION_ETP = {"year": 2025, "scope": "nation", "scope_code": "", "group": "all", "code": "ETP"}


def written_digests(year=2025) -> dict:
    return {key: text_digest(text) for key, _, text in aggregates.year_rows(year)}


def stored_digests(year=2025) -> dict:
    rows = Aggregate.objects.filter(year=year).values_list("scope", "scope_code", "group", "code", "summary_digest")
    return {row[:4]: row[4] for row in rows}


def test_each_row_keeps_the_digest_of_the_summary_written(small_world):
    aggregates.refresh_year(2025)
    assert stored_digests() == written_digests()
    assert len(set(stored_digests().values())) > 100


def test_a_refresh_with_nothing_changed_sends_no_row_to_the_database(small_world):
    aggregates.refresh_year(2025)
    before = list(Aggregate.objects.filter(year=2025).order_by("pk").values_list("pk", "computed_at"))
    with CaptureQueriesContext(connection) as queries:
        aggregates.refresh_year(2025)
    assert not [query for query in queries.captured_queries if TEMPORARY in query["sql"]]
    assert list(Aggregate.objects.filter(year=2025).order_by("pk").values_list("pk", "computed_at")) == before


def test_a_wrong_digest_is_corrected_and_a_changed_summary_written_again(small_world):
    aggregates.refresh_year(2025)
    kept = Aggregate.objects.get(**NATION_ETP)
    other = Aggregate.objects.get(**{**NATION_ETP, "code": "BUDGET"})
    Aggregate.objects.filter(pk=kept.pk).update(summary_digest="")
    Aggregate.objects.filter(pk=other.pk).update(summary={"count": 0, "values": [], "total": "0"}, summary_digest="")
    aggregates.refresh_year(2025)
    kept_after, other_after = Aggregate.objects.get(pk=kept.pk), Aggregate.objects.get(pk=other.pk)
    assert (kept_after.summary_digest, kept_after.computed_at) == (kept.summary_digest, kept.computed_at)
    assert (other_after.summary, other_after.summary_digest) == (other.summary, other.summary_digest)
    assert other_after.computed_at > other.computed_at
    assert stored_digests() == written_digests()


def test_the_migration_fills_the_digests_a_refresh_writes(small_world):
    aggregates.refresh_year(2025)
    expected = stored_digests()
    Aggregate.objects.update(summary_digest="")
    migration = importlib.import_module("maillage.observatory.migrations.0006_aggregate_summary_digest")
    migration.fill_digests(apps, SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name))
    assert stored_digests() == expected


def test_the_bench_gives_the_time_spent_in_the_database(small_world, run_command, tmp_path):
    out, _ = run_command("bench_observatory", "--digest", str(tmp_path / "a.txt"))
    assert re.search(r"refresh_year 2025 : .*\)\. Attente de la base : [\d.]+ s ; charge de la machine : [\d.]+\.", out)
