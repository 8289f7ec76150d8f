import statistics as py_statistics
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.observatory.figures.statistics import (
    QUARTILE_METHOD,
    Share,
    Summary,
    choice_shares,
    evolution,
    merge_summaries,
    round_decimal,
    round_money,
    round_percent,
    share_yes,
    summarize,
    summarize_funding,
)

FUNDERS = ["caf", "communes", "departement", "etat", "region", "usagers", "autres"]
amounts = st.one_of(st.none(), st.integers(min_value=0, max_value=2_000_000), st.decimals("0", "99999.99", places=2))


def test_summary_of_a_question():
    summary = summarize([10, None, 4, 7, None, 1])
    assert summary.count == 6
    assert summary.answered == 4
    assert summary.answer_rate == Decimal(4) / 6
    assert summary.total == 22
    assert summary.mean == Decimal("5.5")
    assert summary.minimum == 1 and summary.maximum == 10
    assert summary.median == Decimal("5.5")
    # Inclusive method: positions (n - 1) * p = 0.75 and 2.25 in [1, 4, 7, 10].
    assert summary.quartiles == (Decimal("3.25"), Decimal("5.5"), Decimal("7.75"))


def test_quartiles_follow_the_inclusive_method_of_the_standard_library():
    data = [3, 9, 1, 12, 40, 7, 7, 2]
    expected = py_statistics.quantiles(data, n=4, method=QUARTILE_METHOD)
    assert [float(q) for q in summarize(data).quartiles] == pytest.approx(expected)


def test_summary_without_answers_has_no_figures():
    summary = summarize([None, None])
    assert (summary.count, summary.answered) == (2, 0)
    assert summary.mean is None and summary.median is None and summary.quartiles is None
    assert summary.minimum is None and summary.answer_rate == 0
    assert summarize([]).answer_rate is None


def test_single_value_has_its_value_as_every_quartile():
    assert summarize([42]).quartiles == (42, 42, 42)


def test_floats_are_summed_exactly():
    assert summarize([0.1, 0.2]).total == Decimal("0.3")


def test_yes_no_is_not_a_number():
    with pytest.raises(TypeError):
        summarize([True])


def test_summary_round_trips_through_json():
    summary = summarize([Decimal("12.5"), 3, None, 0.1])
    assert Summary.from_json(summary.to_json()) == summary


@given(st.lists(amounts), st.lists(amounts))
def test_merging_summaries_equals_summarizing_the_union(a, b):
    assert summarize(a).merge(summarize(b)) == summarize(a + b)
    assert merge_summaries([summarize(a), summarize(b), summarize([])]) == summarize(a + b)


@given(st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1))
def test_quartiles_are_ordered_and_within_min_and_max(values):
    summary = summarize(values)
    q1, median, q3 = summary.quartiles
    assert summary.minimum <= q1 <= median <= q3 <= summary.maximum
    assert median == py_statistics.median(values)


def test_shares_of_structures():
    share = share_yes([True, False, None, True, True])
    assert share == Share(3, 4)
    assert share.ratio == Decimal("0.75")
    assert share.merge(Share(1, 4)).ratio == Decimal("0.5")
    assert Share().ratio is None


def test_choice_shares_single_and_multiple():
    single = choice_shares(["urban", "rural", "urban", None], choices=["urban", "rural", "periurban"])
    assert list(single) == ["urban", "rural", "periurban"]
    assert single["urban"] == Share(2, 3) and single["periurban"] == Share(0, 3)
    multiple = choice_shares([["a", "b"], ["a"], [], None])
    assert multiple == {"a": Share(2, 3), "b": Share(1, 3)}


def test_funding_shares_of_total_and_median_of_structure_shares():
    grids = [
        {"caf": 100, "communes": 300},  # CAF 25 %
        {"caf": 50, "communes": 50},  # CAF 50 %
        {"caf": 0, "communes": None, "etat": 100},  # CAF 0 %, empty cell = 0
        None,  # did not answer: left out
        {},  # answered, nothing: no shares
    ]
    funding = summarize_funding(grids, ["caf", "communes", "etat"])
    assert funding.total == 600
    assert funding.share_of_total("caf") == Decimal(150) / 600
    assert round_percent(funding.share_of_total("caf")) == 25
    assert funding.median_shares()["caf"] == Decimal("0.25")
    assert funding.amounts["caf"].answered == 4 and funding.shares["caf"].answered == 3
    assert funding.share_of_total("unknown") is None
    assert sum(funding.shares_of_total().values()) == 1


@given(st.lists(st.one_of(st.none(), st.dictionaries(st.sampled_from(FUNDERS), amounts))), st.integers(0, 5))
def test_funding_summaries_merge_like_the_union(grids, cut):
    whole = summarize_funding(grids, FUNDERS)
    merged = summarize_funding(grids[:cut], FUNDERS).merge(summarize_funding(grids[cut:], FUNDERS))
    assert merged == whole


def test_evolution_over_five_years():
    points = evolution({2020: 100, 2021: 150, 2022: None, 2023: 120, 2024: 90, 2019: 0})
    assert [p.year for p in points] == [2019, 2020, 2021, 2022, 2023, 2024]
    by_year = {p.year: p for p in points}
    assert by_year[2019].change is None
    assert by_year[2020].change == 100 and by_year[2020].relative_change is None  # from 0: no relative change
    assert by_year[2021].change == 50 and by_year[2021].relative_change == Decimal("0.5")
    assert by_year[2022].value is None and by_year[2023].change is None
    assert by_year[2024].change == -30 and by_year[2024].relative_change == Decimal("-0.25")


def test_evolution_does_not_compare_across_a_missing_year():
    points = evolution({2020: 100, 2022: 200})
    assert points[1].change is None


def test_publication_rounding_is_half_up():
    assert round_money(Decimal("449999.50")) == 450000
    assert round_money(2.5) == 3 and round_money(None) is None
    assert round_decimal(12.25) == Decimal("12.3")
    assert round_percent(Decimal("0.245")) == 25
    assert round_percent(0.2449) == 24
