"""Statistical secrecy decided for the whole year (`disclosure.py`): no published figure gives a secret one away, on
a page or across pages and exports, by subtraction or by any chain of sums (the exact attacker is in
`test_attacker.py`); and no more is hidden than needed."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.observatory.figures.disclosure import Table, cell_relations, secret_keys
from maillage.observatory.figures.elimination import Span

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


def test_hiding_a_part_hides_another_part_rather_than_the_total():
    # 84's CSX rest on 3 structures: hidden; all = CSX + EVS of 84 would give them away: its EVS go too.
    answered = world({"13": (20, 10), "84": (3, 7), "83": (8, 9), "69": (30, 10), "01": (12, 6)})
    secret = secret_keys(answered, REGION_OF)
    assert key(DEPARTMENT, "84", "kind=csx") in secret and key(DEPARTMENT, "84", "kind=evs") in secret
    assert key(DEPARTMENT, "84") not in secret  # 10 structures, and its two parts are both hidden


def test_a_part_equal_to_its_total_is_published():
    """A question asked of CSX only: EVS answer nothing, as the questionnaire tells everyone, so the CSX figure is
    the all-structures figure; hiding it protects nothing (it was « s » on the national page, n = 191)."""
    answered = world({"13": (100, 0), "84": (40, 0), "83": (10, 0), "69": (30, 0), "01": (11, 0)}, "JEUNES_BENEVOLES")
    secret = secret_keys(answered, REGION_OF, {"evs": {"JEUNES_BENEVOLES"}})
    assert key(NATION, "", "kind=csx", "JEUNES_BENEVOLES") not in secret
    assert key(NATION, "", "kind=evs", "JEUNES_BENEVOLES") not in secret  # empty and known to be: "—", not "s"


def test_an_empty_figure_nobody_can_know_is_hidden_and_hides_nothing():
    # 84 answered none of an optional question asked of everyone: its empty figure is hidden (outsiders do not know
    # it is empty), but cannot protect 83's, on 2 structures: 13 is hidden too, else 83 = region − 13 − 0.
    answered = world({"13": (20, 0), "84": (0, 0), "83": (2, 0), "69": (30, 0), "01": (12, 0)})
    secret = secret_keys(answered, REGION_OF)
    assert key(DEPARTMENT, "84") in secret and key(DEPARTMENT, "83") in secret
    assert key(DEPARTMENT, "13") in secret


def test_an_indicator_evs_are_not_asked_hides_nothing_even_when_they_count():
    """EVS without employees count 0 ETP de pilotage (a question they are not asked): known to add nothing. The
    department's 2 CSX and 4 such EVS: its figure on 6 structures is the CSX' figure, so it is hidden."""
    answered = world({"13": (2, 4), "84": (3, 20), "83": (30, 10), "69": (30, 10), "01": (12, 6)}, "ETP_PILOTAGE")
    assert key(DEPARTMENT, "13", "all", "ETP_PILOTAGE") not in secret_keys(answered, REGION_OF)  # were they asked
    secret = secret_keys(answered, REGION_OF, {"evs": {"ETP_PILOTAGE"}})
    assert key(DEPARTMENT, "13", "all", "ETP_PILOTAGE") in secret


def test_hidden_parts_resting_together_on_fewer_than_five_structures_are_not_left_alone():
    # 84 and 83 rest on 2 structures each: their sum, region − 13, would rest on 4.
    answered = world({"13": (9, 0), "84": (2, 0), "83": (2, 0), "69": (30, 10), "01": (12, 6)})
    secret = secret_keys(answered, REGION_OF)
    assert {key(DEPARTMENT, "84"), key(DEPARTMENT, "83"), key(DEPARTMENT, "13")} <= secret
    assert key(REGION, "93") not in secret


def test_structures_without_department_kind_or_territory_are_a_part_of_their_own():
    answered = world({"13": (20, 10), "84": (8, 6), "83": (8, 9), "69": (30, 10), "01": (12, 6)})
    for group in GROUPS:  # one CSX without department: in the nation and the region « non renseigné » only
        answered[key(NATION, "", group)] += group != "kind=evs"
        answered[key(REGION, "nr", group)] = int(group != "kind=evs")
    secret = secret_keys(answered, REGION_OF)
    assert key(REGION, "nr") in secret and key(REGION, "nr", "kind=csx") in secret
    assert {key(REGION, "93"), key(REGION, "84")} & secret  # else nation − regions = the structure's answers
    assert key(NATION, "") not in secret


def test_a_breakdown_is_published_or_hidden_as_a_whole():
    # The funders' amounts come from one grid: in a cell they rest on the same structures as their total.
    funders = ("FINANCEMENT_TOTAL", "FINANCEMENT_CAF", "FINANCEMENT_REGION", "FINANCEMENT_COMMUNES")
    counts = {"13": (20, 10), "84": (3, 0), "83": (8, 0), "69": (30, 10), "01": (12, 6)}
    answered = {k: n for code in funders for k, n in world(counts, code).items()}
    answered[key(NATION, "", "all", "REPONSES")] = 3
    secret = secret_keys(answered, REGION_OF)
    assert key(NATION, "", "all", "REPONSES") not in secret  # how many answered is public
    for code in funders:
        assert key(DEPARTMENT, "84", "all", code) in secret and key(DEPARTMENT, "83", "all", code) in secret
        assert key(NATION, "", "all", code) not in secret


def test_exact_elimination_finds_what_the_local_rules_miss():
    """A table with margins: two blocks of hidden cells linked by one hidden cell. Every line holds 0 or at least
    2 hidden cells, yet the linking cell is the only hidden link between its row and its column: it is determined.
    One more cell is hidden so that nothing is."""
    rows, columns = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    hidden = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r3", "c3"), ("r3", "c4"), ("r4", "c3"),
              ("r4", "c4"), ("r1", "c3")}  # fmt: skip
    counts = {(r, c): 3 if (r, c) in hidden else 40 for r in rows for c in columns}
    counts |= {(r, "C"): sum(counts[(r, c)] for c in columns) for r in rows}
    counts |= {("R", c): sum(counts[(r, c)] for r in rows) for c in [*columns, "C"]}
    relations = [((r, "C"), tuple((r, c) for c in columns)) for r in [*rows, "R"]]
    relations += [(("R", c), tuple((r, c) for r in rows)) for c in [*columns, "C"]]
    table = Table(counts, relations)
    assert determined(table, hidden) == {("r1", "c3")}
    table._settle(set_of := {table.cells.index(cell) for cell in hidden})
    assert {table.cells[i] for i in set_of} == hidden  # the local rules see nothing wrong
    result = table.protect(hidden)
    assert len(result) == len(hidden) + 1 and not determined(table, result)


def determined(table: Table, hidden: set) -> set:
    """The hidden cells that the published ones pin down."""
    span = Span()
    for total, parts in table.relations:
        row = {p: -1 for p in parts if table.cells[p] in hidden}
        if total is not None and table.cells[total] in hidden:
            row[total] = 1
        if row:
            span.add(row)
    return {table.cells[i] for i in span.determined()}


def test_elimination_is_exact():
    span = Span([{"a": 1, "b": 1}, {"a": 2, "b": -1, "c": 3}, {"c": 3}])
    assert span.determined() == {"a", "b", "c"}
    assert span.pivots["a"] == {"a": 1}
    span = Span([{"a": 3, "b": 2}, {"b": 5, "c": 1}])
    assert span.determined() == set()
    assert span.contains({"a": 3, "b": 7, "c": 1}) and not span.contains({"a": 1})
    assert span.reduce({"c": Fraction(1, 3), "a": 1}) != {}


counts = st.tuples(st.integers(0, 12), st.integers(0, 12))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({department: counts for department in REGION_OF}))
def test_no_relation_leaves_exactly_one_hidden_figure(departments):
    answered = world(departments)
    secret = secret_keys(answered, REGION_OF)
    for key_, count in answered.items():
        if 0 < count < 5:
            assert key_ in secret
    for total, parts in cell_relations(REGION_OF):
        members = [(*cell, "ETP") for cell in (total, *parts) if answered.get((*cell, "ETP"), 0) > 0]
        if answered.get((*total, "ETP"), 0) == sum(answered.get((*part, "ETP"), 0) for part in parts):
            hidden = sum(1 for member in members if member in secret)
            assert hidden != 1, (total, parts, hidden)
