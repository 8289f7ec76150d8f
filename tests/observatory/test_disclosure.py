"""Statistical secrecy decided for the whole year (`disclosure.py`): no published figure gives a secret one away by
subtraction, on a page or across pages and exports."""

from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.observatory.disclosure import relations, secret_keys
from maillage.observatory.secrecy import is_primary_secret

NATION, REGION, DEPARTMENT = "nation", "region", "department"
REGION_OF = {"13": "93", "84": "93", "83": "93", "69": "84", "01": "84"}
GROUPS = ("all", "kind=csx", "kind=evs")


def world(counts: dict[str, tuple[int, int]], code: str = "ETP") -> dict:
    """Answered structures per key for departments given as {department: (csx, evs)}, summed up the hierarchy."""
    answered = {}
    totals: dict[tuple[str, str], list[int]] = {}
    for department, (csx, evs) in counts.items():
        for scope, scope_code in ((DEPARTMENT, department), (REGION, REGION_OF[department]), (NATION, "")):
            csx_evs = totals.setdefault((scope, scope_code), [0, 0])
            csx_evs[0] += csx
            csx_evs[1] += evs
    for (scope, scope_code), (csx, evs) in totals.items():
        for group, count in zip(GROUPS, (csx + evs, csx, evs), strict=True):
            answered[(scope, scope_code, group, code)] = count
    return answered


def key(scope, scope_code, group="all", code="ETP"):
    return (scope, scope_code, group, code)


def test_a_small_department_hides_a_neighbour_on_its_own_page_too():
    answered = world({"13": (20, 10), "84": (3, 0), "83": (8, 0), "69": (30, 10), "01": (12, 6)})
    secret = secret_keys(answered, REGION_OF)
    assert key(DEPARTMENT, "84") in secret  # 3 structures
    # Region 93 = 13 + 84 + 83: with 84 alone hidden, 84 = region − 13 − 83; the smallest other one goes too,
    # and it is marked secret for its own page and the XLSX, not only in the region's table.
    assert key(DEPARTMENT, "83") in secret and key(DEPARTMENT, "13") not in secret
    assert key(REGION, "93") not in secret and key(NATION, "") not in secret


def test_hiding_a_total_hides_one_of_its_parts():
    # 84's CSX rest on 3 structures: hidden; then all = CSX + EVS of 84 would give... the CSX: EVS goes too.
    answered = world({"13": (20, 10), "84": (3, 7), "83": (8, 9), "69": (30, 10), "01": (12, 6)})
    secret = secret_keys(answered, REGION_OF)
    assert key(DEPARTMENT, "84", "kind=csx") in secret and key(DEPARTMENT, "84", "kind=evs") in secret
    assert key(DEPARTMENT, "84") not in secret  # 10 structures, and its two parts are both hidden


def test_the_answer_count_is_public_and_breakdowns_are_protected():
    answered = {key(NATION, "", "all", "REPONSES"): 2}
    answered |= {key(NATION, "", "all", code): n for code, n in
                 (("FINANCEMENT_TOTAL", 40), ("FINANCEMENT_CAF", 40), ("FINANCEMENT_REGION", 3),
                  ("FINANCEMENT_COMMUNES", 38))}  # fmt: skip
    secret = secret_keys(answered, {})
    assert key(NATION, "", "all", "REPONSES") not in secret
    assert key(NATION, "", "all", "FINANCEMENT_REGION") in secret  # 3 structures
    assert key(NATION, "", "all", "FINANCEMENT_COMMUNES") in secret  # else total − CAF − communes = région
    assert key(NATION, "", "all", "FINANCEMENT_TOTAL") not in secret


counts = st.tuples(st.integers(0, 12), st.integers(0, 12))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({department: counts for department in REGION_OF}))
def test_no_relation_leaves_exactly_one_hidden_figure(departments):
    answered = world(departments)
    secret = secret_keys(answered, REGION_OF)
    for key_, count in answered.items():
        if count and is_primary_secret(count):
            assert key_ in secret
    for parts, total in relations(answered, REGION_OF):
        hidden = sum(1 for part in parts if part in secret) + (total in secret)
        assert hidden != 1, (parts, total, hidden)
