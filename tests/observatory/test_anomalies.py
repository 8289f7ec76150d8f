import math
import random
from decimal import Decimal

import pytest

from maillage.observatory.checks.anomalies import (
    ATTENDANCES,
    BUDGET,
    ETP_TOTAL,
    HEADCOUNT,
    INCOME,
    POPULATION,
    UNIQUE_PARTICIPANTS,
    VOLUNTEERS,
    FlagKind,
    Thresholds,
    coherence_flags,
    department_outliers,
    impossible_ratios,
    missing_blocks,
    year_over_year_jumps,
)

THEMATIC = ("TH_NUMERIQUE_ACTIONS", "TH_NUMERIQUE_PUBLIC")
DEPARTMENTS = ("07", "26", "38")


def realistic_campaign(seed=2024, per_department=30):
    """Two consecutive years of plausible answers: budgets around 450 k€ (log-normal), stable year to year."""
    rng = random.Random(seed)
    previous, current, departments = {}, {}, {}
    for department in DEPARTMENTS:
        for n in range(per_department):
            sid = f"{department}-{n:02d}"
            departments[sid] = department
            budget = 450_000 * math.exp(rng.gauss(0, 0.3))
            headcount = max(3, round(budget / 14_000 * rng.uniform(0.9, 1.1)))
            etp = round(headcount * rng.uniform(0.35, 0.55), 1)
            volunteers = max(12, round(55 * math.exp(rng.gauss(0, 0.3))))
            uniques = round(budget / 300)
            last_year = {
                BUDGET: round(budget / rng.uniform(1.0, 1.08)),
                INCOME: round(budget / rng.uniform(0.98, 1.06)),
                ETP_TOTAL: round(etp * rng.uniform(0.9, 1.1), 1),
                VOLUNTEERS: round(volunteers * rng.uniform(0.85, 1.15)),
            }
            previous[sid] = last_year
            current[sid] = {
                BUDGET: round(budget),
                INCOME: round(budget * rng.uniform(0.98, 1.03)),
                POPULATION: round(rng.uniform(8_000, 40_000)),
                HEADCOUNT: headcount,
                ETP_TOTAL: etp,
                VOLUNTEERS: volunteers,
                UNIQUE_PARTICIPANTS: uniques,
                ATTENDANCES: uniques * rng.randint(8, 30),
                THEMATIC[0]: rng.choice([True, False]),
                THEMATIC[1]: None,
            }
    return current, previous, departments


def test_clean_realistic_data_raises_no_flag():
    for seed in (1, 2, 2024):
        current, previous, departments = realistic_campaign(seed)
        assert (
            coherence_flags(current, previous, departments, thematic_codes=THEMATIC, thematic_label="Numérique") == []
        )


def planted():
    current, previous, departments = realistic_campaign()
    current["07-03"][BUDGET] = previous["07-03"][BUDGET] * 2  # +100 %: jump (and income did not follow)
    current["26-10"][VOLUNTEERS] = 900  # outlier in its department (and a jump)
    current["38-05"][ETP_TOTAL] = current["38-05"][HEADCOUNT] + 4  # ETP above head count
    current["38-06"][BUDGET] = 450  # budget typed in k€: absurd per inhabitant
    previous["38-06"][BUDGET] = 450
    current["38-07"][UNIQUE_PARTICIPANTS] = current["38-07"][ATTENDANCES] + 1
    current["26-11"][THEMATIC[0]] = None  # thematic block left empty
    return current, previous, departments


def test_each_planted_anomaly_is_found_and_nothing_else():
    current, previous, departments = planted()
    flags = coherence_flags(current, previous, departments, thematic_codes=THEMATIC, thematic_label="Numérique")
    found = {(f.structure, f.kind, f.codes) for f in flags}
    assert found == {
        ("07-03", FlagKind.JUMP, (BUDGET,)),
        ("26-10", FlagKind.JUMP, (VOLUNTEERS,)),
        ("26-10", FlagKind.OUTLIER, (VOLUNTEERS,)),
        ("38-05", FlagKind.IMPOSSIBLE_RATIO, (ETP_TOTAL, HEADCOUNT)),
        ("38-05", FlagKind.JUMP, (ETP_TOTAL,)),  # ETP more than doubled, too
        ("38-06", FlagKind.OUTLIER, (BUDGET,)),
        ("38-06", FlagKind.IMPOSSIBLE_RATIO, (BUDGET, POPULATION)),
        ("38-07", FlagKind.IMPOSSIBLE_RATIO, (UNIQUE_PARTICIPANTS, ATTENDANCES)),
        ("26-11", FlagKind.MISSING_BLOCK, THEMATIC),
    }
    assert [f.structure for f in flags] == sorted(f.structure for f in flags)


def test_jump_flag_explains_in_french():
    current = {"a": {BUDGET: 900_000}}
    previous = {"a": {BUDGET: 450_000}}
    labels = Thresholds(labels={BUDGET: "Total des charges"})
    [flag] = year_over_year_jumps(current, previous, thresholds=labels)
    assert flag.values == {"current": 900_000, "previous": 450_000}
    assert (
        flag.explanation
        == "Total des charges : 900\u00a0000 cette année contre 450\u00a0000 l'an dernier (+100\u00a0%)."
    )


@pytest.mark.parametrize(
    ("before", "after", "flagged"),
    [(450_000, 680_000, True), (450_000, 670_000, False), (450_000, 220_000, True), (450_000, 230_000, False)],
)
def test_jump_threshold_is_fifty_percent_either_way(before, after, flagged):
    assert bool(year_over_year_jumps({"a": {BUDGET: after}}, {"a": {BUDGET: before}})) is flagged


def test_small_figures_and_missing_years_do_not_jump():
    assert not year_over_year_jumps({"a": {VOLUNTEERS: 4}}, {"a": {VOLUNTEERS: 2}})  # below the minimum base
    assert not year_over_year_jumps({"a": {BUDGET: 500_000}}, {})  # new structure
    assert not year_over_year_jumps({"a": {BUDGET: 500_000}}, {"a": {BUDGET: 0}})
    assert not year_over_year_jumps({"a": {BUDGET: None}}, {"a": {BUDGET: 10}})


def test_outliers_need_a_large_enough_group_and_some_spread():
    small = {f"s{i}": {VOLUNTEERS: 50 + i} for i in range(5)} | {"big": {VOLUNTEERS: 5000}}
    departments = dict.fromkeys(small, "07")
    assert not department_outliers(small, departments, [VOLUNTEERS])
    assert department_outliers(small, departments, [VOLUNTEERS], Thresholds(min_group=5))
    flat = {f"s{i}": {VOLUNTEERS: 50} for i in range(10)} | {"other": {VOLUNTEERS: 51}}
    assert not department_outliers(flat, dict.fromkeys(flat, "07"), [VOLUNTEERS])


def test_outliers_on_linear_scale_and_below_the_median():
    answers = {f"s{i}": {ETP_TOTAL: 10 + i % 5} for i in range(20)} | {"low": {ETP_TOTAL: 0}}
    departments = dict.fromkeys(answers, "26")
    [flag] = department_outliers(answers, departments, [ETP_TOTAL])  # a 0 switches to the linear scale
    assert flag.structure == "low" and flag.values["robust_z"] < 0
    assert "en dessous de la médiane du département 26 (12" in flag.explanation


def test_outliers_are_compared_within_their_own_department():
    answers = {f"a{i}": {BUDGET: 100_000 + i * 1000} for i in range(10)}
    answers |= {f"b{i}": {BUDGET: 2_000_000 + i * 20_000} for i in range(10)}
    departments = {sid: "07" if sid.startswith("a") else "75" for sid in answers}
    assert not department_outliers(answers, departments, [BUDGET])


def test_ratio_with_zero_denominator():
    [flag] = impossible_ratios({"a": {ETP_TOTAL: 2, HEADCOUNT: 0}})
    assert flag.values["ratio"] is None and "∞" not in flag.explanation
    assert not impossible_ratios({"a": {ETP_TOTAL: 0, HEADCOUNT: 0}})
    [flag] = impossible_ratios({"a": {BUDGET: 450_000, POPULATION: 0}})  # a budget for nobody
    assert "(∞ €)" in flag.explanation


def test_budget_per_inhabitant_bounds():
    assert impossible_ratios({"a": {BUDGET: 50_000_000, POPULATION: 20_000}})  # 2 500 € per inhabitant
    assert not impossible_ratios({"a": {BUDGET: 450_000, POPULATION: 20_000}})
    [flag] = impossible_ratios({"a": {BUDGET: 450, POPULATION: 20_000}})
    assert "0,02 €" in flag.explanation


def test_missing_block_counts_empty_answers():
    answers = {"a": {THEMATIC[0]: "", THEMATIC[1]: []}, "b": {THEMATIC[0]: False}, "c": {}}
    flags = missing_blocks(answers, THEMATIC, "Numérique")
    assert {f.structure for f in flags} == {"a", "c"}
    assert flags[0].explanation == "Le bloc « Numérique » n'a pas été rempli : aucune de ses questions n'a de réponse."
    assert flags[0].codes == THEMATIC


def test_non_numeric_answers_are_ignored():
    assert not impossible_ratios({"a": {ETP_TOTAL: "beaucoup", HEADCOUNT: True}})
    assert not year_over_year_jumps({"a": {BUDGET: "x"}}, {"a": {BUDGET: Decimal(1)}})


def test_the_default_codes_are_questions_of_the_core_questionnaire():
    from maillage.observatory.checks import anomalies
    from maillage.observatory.definitions.builder import shipped_definition

    core = shipped_definition("csx_2025.yaml")
    codes = [anomalies.BUDGET, anomalies.INCOME, anomalies.POPULATION, anomalies.HEADCOUNT, anomalies.ETP_TOTAL,
             anomalies.UNIQUE_PARTICIPANTS, anomalies.ATTENDANCES, anomalies.VOLUNTEERS]  # fmt: skip
    assert [code for code in codes if code not in core] == []


def test_answers_stored_as_exact_text_are_read_as_numbers():
    from decimal import Decimal

    from maillage.observatory.checks.anomalies import _number

    assert _number("12.5") == Decimal("12.5")
    assert _number(" 3 ") == Decimal("3")
    assert _number("douze") is None
    assert _number("NaN") is None
    assert _number(True) is None
