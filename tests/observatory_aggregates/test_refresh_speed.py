"""The fast refresh writes exactly what the plain computation gives: `ranked_rows` equals `exact_rows` (Decimals all
the way), values written differently but equal take the exact path, and `sync_rows` writes only the rows that
changed while leaving the table as a full rewrite would."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from maillage.observatory.figures import aggregates
from maillage.observatory.figures.rowsync import sync_rows
from maillage.observatory.models import Aggregate, Response

from .conftest import answer, small_answers

pytestmark = pytest.mark.django_db


def stored(year=2025):
    rows = Aggregate.objects.filter(year=year).values_list(
        "scope", "scope_code", "group", "code", "structure_count", "secret", "summary", "computed_at"
    )
    return {row[:4]: row[4:] for row in rows}


def test_ranked_rows_are_the_exact_rows(small_world):
    facts = aggregates.structure_facts()
    answers = list(aggregates.validated_answers(2025))
    fast = aggregates.ranked_rows(facts, answers)
    assert fast is not None and len(fast) > 500
    assert fast == aggregates.exact_rows(2025, facts, answers)
    one = dict((key, text) for key, _, text in fast)[("nation", "", "all", "ETP")]
    assert json.loads(one)["values"] == ["0", "1.5", "2", "8", "10", "11", "12.5", "15.2", "20.3"]


def test_equal_values_written_differently_take_the_exact_path(small_world):
    form = Response.objects.get(structure=small_world["A"]).questionnaire
    answer(small_world["F"], form, small_answers(8.0, 300_000, 30))  # 8.0 beside B's 8
    facts = aggregates.structure_facts()
    answers = list(aggregates.validated_answers(2025))
    assert aggregates.ranked_rows(facts, answers) is None
    aggregates.refresh_year(2025)
    rows = stored()
    exact = {key: (count, json.loads(text)) for key, count, text in aggregates.exact_rows(2025, facts, answers)}
    assert {key: (row[0], row[2]) for key, row in rows.items()} == exact
    values = exact[("department", "13", "all", "ETP")][1]["values"]
    assert sorted(values[1:3]) == ["8", "8.0"] and values[3] == "12.5"  # in the order the answers are read


def test_a_second_refresh_writes_only_what_changed_and_equals_a_full_rewrite(small_world):
    aggregates.refresh_year(2025)
    before = stored()
    response = Response.objects.get(structure=small_world["I"])
    response.answers = {**response.answers, "RH_ETP_TOTAL": 21}
    response.save()
    aggregates.refresh_year(2025)
    after = stored()
    changed = {key for key in after if after[key][:3] != before[key][:3]}
    stamped = {key for key in after if after[key][3] != before[key][3]}
    assert ("nation", "", "all", "ETP") in changed and ("department", "75", "all", "ETP") in changed
    assert ("department", "13", "all", "ETP") not in changed
    assert stamped == changed and set(after) == set(before)
    Aggregate.objects.filter(year=2025).delete()
    aggregates.refresh_year(2025)
    assert {key: row[:3] for key, row in stored().items()} == {key: row[:3] for key, row in after.items()}


def test_sync_rows_inserts_updates_and_deletes(small_world):
    aggregates.refresh_year(2025)
    total = Aggregate.objects.filter(year=2025).count()
    keep = Aggregate.objects.filter(year=2025, scope="nation", group="all").order_by("code")
    rows = [(a.scope, a.scope_code, a.group, a.code, a.structure_count, json.dumps(a.summary), a.secret) for a in keep]
    first = rows[0]
    rows[0] = (*first[:4], first[4] + 1, first[5], True)
    rows.append(("nation", "", "all", "NOUVEAU", 3, json.dumps({"count": 3, "values": [], "total": "0"}), False))
    moment = aggregates.db_datetime(timezone.now())
    fields = aggregates.KEY_FIELDS, aggregates.VALUE_FIELDS
    written = sync_rows(Aggregate, ("year", 2025), *fields, rows, stamp=("computed_at", moment))
    assert (written.inserted, written.updated) == (1, 1)
    assert written.deleted == total - len(keep) > 0
    left = stored()
    assert set(left) == {row[:4] for row in rows}
    assert left[first[:4]][:2] == (first[4] + 1, True)
    assert Aggregate.objects.filter(year=2024).count() == 0


def test_decimals_keep_their_written_form(small_world):
    aggregates.refresh_year(2025)
    row = Aggregate.objects.get(year=2025, scope="department", scope_code="75", group="all", code="BUDGET")
    assert "45000.50" in row.summary["values"] and row.summary["stats"]["total"] == str(
        sum(Decimal(v) for v in row.summary["values"])
    )
