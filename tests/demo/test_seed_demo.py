"""`maillage seed_demo`: invented data loaded through the real import path."""

import json
import re

import pytest
from django.core.management.base import CommandError
from django.db import transaction

from maillage.actions.models import LIST_RELATIONS, Action, ActionFile, ActionState
from maillage.exchange.structure_json import STRUCTURE_RELATIONS, structure_record
from maillage.observatory.models import Aggregate, Response, ResponseStatus
from maillage.referentials.models import CLOSED_LISTS
from maillage.referentials.seed_data import CLOSED_LIST_VALUES
from maillage.search.services import search_action_ids
from maillage.structures.models import Structure
from maillage.structures.phones import normalise_phone
from maillage.structures.siret import is_valid_siret

# What an export says about where and when a sheet was stored, not about its content.
VOLATILE_KEYS = {"id", "url", "structure_id", "probable_duplicate_of", "created_at", "updated_at", "published_at"}
STRUCTURE_LIST_KEYS = ("management_mode", "territory_type", "territory_size", "priority_geography")

pytestmark = pytest.mark.django_db


def seed(run_command, structures=30, actions=200, seed=4):
    """The demo without observatory answers (they have their own tests, and take time)."""
    counts = ("--structures", str(structures), "--actions", str(actions), "--seed", str(seed))
    return run_command("seed_demo", *counts, "--observatory-years", "0")


def exported(run_command, tmp_path, seed_value: int) -> tuple[list, list]:
    """Sheets and structures of a demo, without their ids; the load is rolled back afterwards."""
    output = tmp_path / f"export-{seed_value}.json"
    with transaction.atomic():
        seed(run_command, seed=seed_value)
        run_command("export_actions", "--format", "json", "--output", str(output))
        structures = [
            structure_record(s) for s in Structure.objects.select_related(*STRUCTURE_RELATIONS).order_by("id")
        ]
        transaction.set_rollback(True)
    sheets = [{k: v for k, v in sheet.items() if k not in VOLATILE_KEYS} for sheet in json.loads(output.read_text())]
    return sheets, structures


def test_same_seed_gives_the_same_export_and_another_seed_another(run_command, tmp_path):
    first = exported(run_command, tmp_path, 8)
    assert Action.objects.count() == 0
    assert exported(run_command, tmp_path, 8) == first
    other = exported(run_command, tmp_path, 9)
    assert other[0] != first[0] and other[1] != first[1]


def test_counts_and_summary(run_command):
    out, _ = seed(run_command, structures=25, actions=150)
    assert Structure.objects.count() == 25
    assert Action.objects.count() == 150
    assert set(Action.objects.values_list("state", flat=True)) == {ActionState.PUBLISHED}
    assert re.search(r"25 structures, 150 fiches actions publiées \(0 doublon ignoré", out)
    years = sorted(set(Action.objects.values_list("year", flat=True)))
    assert len(years) == 6 and years[-1] - years[0] == 5


def test_every_closed_list_value_is_used(run_command):
    seed(run_command, structures=30, actions=300)
    for key, (through, _) in LIST_RELATIONS.items():
        used = set(through.objects.values_list("item__label", flat=True))
        assert used == set(CLOSED_LIST_VALUES[CLOSED_LISTS[key].__name__]), key
    assert set(Action.objects.values_list("status__label", flat=True)) == set(CLOSED_LIST_VALUES["ActionStatus"])
    territories = set(Action.objects.exclude(territory=None).values_list("territory__label", flat=True))
    assert territories == set(CLOSED_LIST_VALUES["Territory"])
    for key in STRUCTURE_LIST_KEYS:
        used = set(Structure.objects.values_list(f"{key}__label", flat=True))
        assert used == set(CLOSED_LIST_VALUES[CLOSED_LISTS[key].__name__]), key
    assert not any(model.objects.to_review().exists() for model in CLOSED_LISTS.values())


def test_structures_are_consistent(run_command):
    seed(run_command, structures=60, actions=0)
    for structure in Structure.objects.select_related("department"):
        code = structure.department.code
        if code in ("2A", "2B"):
            assert structure.postcode.startswith("200" if code == "2A" else "202")
        else:
            assert structure.postcode.startswith(code)
        assert structure.siret == "" or is_valid_siret(structure.siret)
        assert not structure.siret_flagged
        assert structure.first_approval and structure.population and structure.axis_1 and structure.kind
        assert structure.phone == "" or normalise_phone(structure.phone) == structure.phone
        overseas = {"971": "0590", "972": "0596", "973": "0594", "974": "0262", "976": "0269"}
        assert structure.phone == "" or structure.phone.startswith(overseas.get(code, "0"))
    assert Structure.objects.exclude(siret="").exists()
    assert Structure.objects.exclude(phone="").count() > 40 and Structure.objects.exclude(opening_hours="").exists()


def test_sheets_have_ends_files_and_some_have_no_structure(run_command):
    seed(run_command, structures=20, actions=300)
    ended = Action.objects.filter(status__label="Terminée")
    assert ended.exclude(end_reason="").exists()
    assert not Action.objects.filter(status__label="En cours").exclude(end_reason="").exists()
    assert Action.objects.filter(structure=None).exists()
    assert Action.objects.exclude(structure=None).exists()
    assert ActionFile.objects.exists()
    assert not Action.objects.flagged_as_duplicates().exists()


def test_sheets_without_any_structure(run_command):
    out, _ = seed(run_command, structures=0, actions=40)
    assert Action.objects.count() == 40 and not Action.objects.exclude(structure=None).exists()
    assert Structure.objects.count() == 0
    assert "0 structure, 40 fiches actions" in out


def test_search_index_is_filled(run_command):
    seed(run_command, structures=10, actions=120)
    action = Action.objects.order_by("id").first()
    word = max(re.findall(r"\w{5,}", action.title), key=len)
    assert action.pk in search_action_ids(word, limit=1000)
    assert search_action_ids("habitants", limit=1000)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--structures", "-1"], "--structures attend un nombre entier positif ou nul"),
        (["--actions", "-5"], "--actions attend un nombre entier positif ou nul"),
        (["--actions", "beaucoup"], "nombre entier attendu, pas « beaucoup »"),
        (["--last-year", "1850"], "--last-year attend une année entre 2000 et 2100"),
    ],
)
def test_bad_arguments_are_refused_in_french(run_command, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run_command("seed_demo", *args)
    assert not Structure.objects.exists()


def test_keyword_arguments_are_checked_too(run_command):
    with pytest.raises(CommandError, match="--structures attend un nombre entier positif ou nul"):
        run_command("seed_demo", structures=-3, actions=10)


def test_a_database_with_data_is_refused(run_command):
    seed(run_command, structures=5, actions=10)
    with pytest.raises(CommandError, match="la base contient déjà 5 structures et 10 fiches actions"):
        seed(run_command, structures=5, actions=10)
    assert Action.objects.count() == 10


def test_observatory_answers_come_with_the_demo(run_command):
    out, _ = run_command("seed_demo", "--structures", "40", "--actions", "20")  # 5 years by default
    validated = Response.objects.filter(status=ResponseStatus.VALIDATED)
    years = sorted(set(validated.values_list("questionnaire__campaign__year", flat=True)))
    assert len(years) == 5 and years[-1] - years[0] == 4
    assert validated.values("structure").distinct().count() > 20
    assert Aggregate.objects.filter(year=years[-1]).exists()
    assert re.search(rf"Observatoire créé en [\d,]+ s : {validated.count()} questionnaires validés de {years[0]}", out)


def test_observatory_can_be_left_out(run_command):
    run_command("seed_demo", "--structures", "5", "--actions", "5", "--observatory-years", "0")
    assert not Response.objects.exists()
