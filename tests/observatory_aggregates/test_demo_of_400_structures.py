"""The observatory demo of 400 structures and two years: consistent year to year, close to the published figures,
planted anomalies present and flagged. The demo is made once for the module (5 s each time); each test's changes are
rolled back after it."""

import copy
from decimal import Decimal

import pytest

from maillage.observatory.checks import anomalies, checking
from maillage.observatory.definitions.validation import validate
from maillage.observatory.demo import ObservatoryDemoError, seed_observatory
from maillage.observatory.figures.aggregates import territory_figures
from maillage.observatory.models import Aggregate, Campaign, Flag, Response, ResponseStatus
from maillage.structures.models import Structure
from tests.conftest import command, made_once_for_the_module

pytestmark = pytest.mark.django_db

YEARS = [2024, 2025]


@pytest.fixture(scope="module")
def module_demo(django_db_setup, django_db_blocker):
    with made_once_for_the_module(django_db_blocker):
        command("seed_demo", "--structures", "400", "--actions", "20", "--seed", "7", "--observatory-years", "0")
        yield seed_observatory(years=2, seed=3, last_year=2025)


@pytest.fixture
def demo(module_demo, db):
    return copy.deepcopy(module_demo)


def answers_of(year, status=ResponseStatus.VALIDATED):
    return dict(
        Response.objects.filter(questionnaire__campaign__year=year, status=status).values_list(
            "structure_id", "answers"
        )
    )


def test_answer_rate_and_validity(demo):
    total = Structure.objects.count()
    assert demo.years == YEARS and demo.structures == total
    for year in YEARS:
        rate = Response.objects.filter(questionnaire__campaign__year=year).count() / total
        assert 0.75 <= rate <= 0.95, (year, rate)
    # Every generated answer passes the questionnaire's checks (no error, no missing required question, no
    # unconfirmed warning).
    for response in Response.objects.filter(questionnaire__campaign__year=2025).select_related("questionnaire")[:150]:
        result = validate(response.questionnaire.definition(), response.answers, response.confirmations)
        assert not result.errors, (response.structure_id, result.errors)
        assert not result.missing_required, (response.structure_id, result.missing_required)
        assert not result.warnings, (response.structure_id, result.warnings)


def test_year_to_year_consistency(demo):
    before, after = answers_of(2024), answers_of(2025)
    both = set(before) & set(after)
    assert len(both) > 200
    for structure_id in both:
        for code in ("FIN_CHARGES_TOTAL", "PAR_BENEVOLES_ACTIVITE", "PUB_PARTICIPANTS_UNIQUES"):
            ratio = Decimal(after[structure_id][code]) / Decimal(before[structure_id][code])
            assert Decimal("0.7") < ratio < Decimal("1.4"), (structure_id, code, ratio)
        assert before[structure_id]["ID_TYPE_TERRITOIRE"] == after[structure_id]["ID_TYPE_TERRITOIRE"]


def test_published_ranges(demo):
    csx = territory_figures("nation", "", YEARS, group="kind=csx")
    evs = territory_figures("nation", "", YEARS, group="kind=evs")
    nation = territory_figures("nation", "", YEARS)
    for year in YEARS:
        assert 11 <= csx["ETP"][year].mean <= 15
        assert Decimal("2.5") <= csx["ETP_PILOTAGE"][year].mean <= Decimal("3.8")
        assert Decimal("5.5") <= csx["ETP_ACTIVITES"][year].mean <= Decimal("7.5")
        assert Decimal("2.7") <= csx["ETP_LOGISTIQUE"][year].mean <= Decimal("4.2")
        assert 45 <= csx["BENEVOLES_ACTIVITE"][year].mean <= 65
        assert 20 <= csx["BENEVOLES_GOUVERNANCE"][year].mean <= 28
        assert 380_000 <= csx["BUDGET"][year].mean <= 520_000
        assert 25 <= csx["SALARIES"][year].mean <= 38
        caf = csx["FINANCEMENT_CAF"][year].total / csx["FINANCEMENT_TOTAL"][year].total
        assert Decimal("0.21") <= caf <= Decimal("0.29")
        assert Decimal("0.88") <= csx["ACTIONS_ACCES_DROITS"][year].mean <= Decimal("0.97")
        assert Decimal("0.84") <= csx["PARTENARIAT_COMMUNE"][year].mean <= Decimal("0.95")
        assert Decimal("0.72") <= nation["PART_URBAIN"][year].mean <= Decimal("0.88")
        assert evs["ETP"][year].mean < 3 and evs["BUDGET"][year].mean < 150_000
        assert nation["REPONSES"][year].answer_rate >= Decimal("0.7")
    assert Aggregate.objects.filter(year=2025, scope="department").exists()


def test_planted_anomalies_are_submitted_and_found(demo):
    planted = dict(demo.anomalies)
    assert sorted(set(planted.values())) == ["budget_x10", "etp_above_headcount", "volunteers_outlier"]
    submitted = answers_of(2025, ResponseStatus.SUBMITTED)
    assert set(submitted) == set(planted)
    previous = answers_of(2024)
    current = {**answers_of(2025), **submitted}
    departments = dict(Structure.objects.values_list("id", "department__code"))
    jumps = {f.structure for f in anomalies.year_over_year_jumps(current, previous) if "FIN_CHARGES_TOTAL" in f.codes}
    ratios = {f.structure for f in anomalies.impossible_ratios(current) if "RH_SALARIES" in f.codes}
    outliers = {f.structure for f in anomalies.department_outliers(current, departments, ["PAR_BENEVOLES_ACTIVITE"])}
    sizes = {}
    for structure_id in current:
        sizes[departments[structure_id]] = sizes.get(departments[structure_id], 0) + 1
    for structure_id, kind in planted.items():
        if kind == "volunteers_outlier" and sizes[departments[structure_id]] < 8:
            continue  # too few answers in a department of this small demo to measure a robust spread
        found = {"budget_x10": jumps, "etp_above_headcount": ratios, "volunteers_outlier": outliers}[kind]
        assert structure_id in found, (structure_id, kind)
    assert outliers & {pk for pk, kind in planted.items() if kind == "volunteers_outlier"}
    # Clean answers raise none of these flags.
    clean = set(answers_of(2025)) - set(planted)
    assert not (jumps | ratios) & clean
    # Planted answers stay out of the aggregates (not validated).
    values = territory_figures("nation", "", [2025], with_values=True)["BENEVOLES_ACTIVITE"][2025].values
    assert max(values) < 1000


def test_deterministic_and_replace(demo):
    first = answers_of(2025)
    with pytest.raises(ObservatoryDemoError, match="--replace"):
        seed_observatory(years=2, seed=3, last_year=2025)
    again = seed_observatory(years=2, seed=3, last_year=2025, replace=True)
    assert answers_of(2025) == first and again.anomalies == demo.anomalies
    other = seed_observatory(years=2, seed=4, last_year=2025, replace=True)
    assert answers_of(2025) != first and other.structures == demo.structures


def test_planted_anomalies_have_their_flags_after_seeding(demo):
    """The check list shows the planted anomalies at once, not « 0 signalement » until « Recalculer »."""
    expected = {"budget_x10": "jump", "etp_above_headcount": "impossible_ratio", "volunteers_outlier": "outlier"}
    campaign = Campaign.objects.get(year=2025)
    open_flags = dict(checking.campaign_list(None, campaign).values_list("pk", "open_flags"))
    for structure_id, kind in demo.anomalies:
        response = Response.objects.get(questionnaire__campaign=campaign, structure_id=structure_id)
        assert expected[kind] in set(response.flags.values_list("kind", flat=True)), (structure_id, kind)
        assert open_flags[structure_id] >= 1
        # Nothing blocks their validation once the flags are settled: the planted answers break no blocking rule.
        assert not validate(response.questionnaire.definition(), response.answers, response.confirmations).errors
    assert sum(open_flags.values()) == Flag.objects.filter(response__questionnaire__campaign=campaign).count()
