"""The observatory demo: its questionnaires of earlier years, its command and its checks, a small demo's answers
(the demo of 400 structures: test_demo_of_400_structures.py)."""

import pytest
from django.core.management.base import CommandError

from maillage.observatory.demo import last_closed_year, questionnaire_for_year, seed_observatory
from maillage.observatory.models import Campaign, Response
from maillage.structures.models import Structure

from .conftest import campaign

pytestmark = pytest.mark.django_db


def test_questionnaires_loaded_for_earlier_years(db):
    questionnaire, note = questionnaire_for_year("csx_2025.yaml", campaign(2022))
    assert "2022" in note and questionnaire.definition().years == (2022,)
    assert questionnaire.question_count > 90
    same, nothing = questionnaire_for_year("evs_2025.yaml", campaign(2025))
    assert nothing is None and same.definition().years == (2025,)


def test_no_structures(db, run_command):
    with pytest.raises(CommandError, match="seed_demo"):
        run_command("seed_observatory")


def test_last_closed_year(db):
    import datetime as dt

    assert last_closed_year(dt.date(2026, 11, 25)) == 2025
    assert last_closed_year(dt.date(2026, 4, 1)) == 2024
    Campaign.objects.create(year=2030, opens_on=dt.date(2031, 3, 1), closes_on=dt.date(2031, 5, 31))
    assert last_closed_year(dt.date(2026, 11, 25)) == 2025
    assert last_closed_year(dt.date(2031, 6, 2)) == 2030


def test_command_output(run_command):
    run_command("seed_demo", "--structures", "60", "--actions", "5", "--observatory-years", "0")
    out, _ = run_command("seed_observatory", "--years", "2", "--last-year", "2025")
    assert "réponses validées" in out and "anomalie" in out and "Note :" in out


def test_a_handful_of_structures_is_enough(run_command):
    run_command("seed_demo", "--structures", "5", "--actions", "5", "--observatory-years", "0")
    result = seed_observatory(years=2, seed=1, last_year=2025)
    assert sum(result.responses.values()) + len(result.anomalies) == Response.objects.count() > 0


def test_same_answers_whatever_the_structures_ids(run_command):
    """The demo draws from what a structure is, not from its id: PostgreSQL's sequences move on with every
    rolled-back test, so id-seeded draws gave another demo (and other figures) from one test order to the next."""
    run_command("seed_demo", "--structures", "30", "--actions", "0", "--seed", "7", "--observatory-years", "0")
    seed_observatory(years=1, seed=3, last_year=2025, refresh=False)
    by_name = dict(Response.objects.values_list("structure__name", "answers"))
    Response.objects.all().delete()
    last_original = Structure.objects.order_by("pk").last().pk
    for structure in Structure.objects.order_by("pk"):  # the same structures in the same order, under new ids
        structure.pk = None
        structure.save()
    Structure.objects.filter(pk__lte=last_original).delete()
    seed_observatory(years=1, seed=3, last_year=2025, refresh=False)
    assert dict(Response.objects.values_list("structure__name", "answers")) == by_name
