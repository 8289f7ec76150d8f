"""The real export of 25 sheets (../shared/seeds, copied in tests/data/seeds) gives exactly the expected
open-data JSON."""

import json

import pytest

from maillage.actions.models import Action
from maillage.exchange.action_export import export_chunks
from maillage.exchange.action_json import iter_action_records
from maillage.exchange.services import import_actions
from tests.conftest import SEEDS

SEED = SEEDS / "000_aa8ed177602d5f0b.txt"
EXPECTED = SEEDS / "000_aa8ed177602d5f0b.expected.json"
pytestmark = pytest.mark.django_db


def exported() -> list[dict]:
    return json.loads("".join(export_chunks("json", iter_action_records())))


def test_seed_imports_25_sheets_as_23_and_2_duplicates():
    report = import_actions(SEED)
    assert (report.read, report.created, report.duplicates, report.flagged) == (25, 23, 2, 0)
    again = import_actions(SEED)
    assert (again.read, again.created, again.updated, again.duplicates) == (25, 0, 0, 25)
    assert Action.objects.count() == 23


def test_seed_json_export_equals_the_expected_file_on_every_listed_key():
    import_actions(SEED)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    got = exported()
    assert len(got) == len(expected) == 23
    for index, (want, have) in enumerate(zip(expected, got, strict=True)):
        assert {key: have[key] for key in want} == want, f"fiche {index + 1} : {want['title']}"
