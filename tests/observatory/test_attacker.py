"""Statistical secrecy holds against an exact attacker (`attacker.py`): on invented worlds, including structures whose
identity sheet gives no kind, territory type or department, nothing published pins down a figure resting on 1 to 4
structures, nor the sum of a relation's hidden parts resting on 1 to 4 structures."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.observatory.figures import aggregates, disclosure
from maillage.observatory.figures.indicators import BY_CODE, StructureFacts

from . import attacker

YEAR = 2025
REGION_OF = {"13": "93", "84": "93", "83": "93", "69": "84", "01": "84"}
CSX_ONLY = {"PAR_JEUNES_BENEVOLES", "RH_ETP_PILOTAGE", "RH_ETP_ACTIVITES", "RH_ETP_LOGISTIQUE"}
ASKED = {"RH_SALARIES", "RH_ETP_TOTAL", "PAR_BENEVOLES_ACTIVITE", "FIN_PRODUITS_FINANCEURS", "PUB_AGES",
         "ACT_ACCES_DROITS", *CSX_ONLY}  # fmt: skip
UNASKED = attacker.asked_codes({"csx": ASKED, "evs": ASKED - CSX_ONLY})


def answers_of(kind: str, salaries: int, volunteers: int) -> dict:
    """Answers to a few questions; EVS are not asked the CSX-only ones (their ETP de pilotage is then 0 when they
    have no employee: a figure everyone knows to add nothing)."""
    answers = {
        "RH_SALARIES": salaries, "RH_ETP_TOTAL": str(Decimal(salaries) / 2), "PAR_BENEVOLES_ACTIVITE": volunteers,
        "FIN_PRODUITS_FINANCEURS": {"caf_ps": {"montant": 1000 * volunteers + 7},
                                    "communes": {"montant": 300 * salaries + 11}},
        "PUB_AGES": {"a0_6": {"nombre": volunteers}, "a26_59": {"nombre": salaries + 3}},
        "ACT_ACCES_DROITS": volunteers % 3 == 0,
    }  # fmt: skip
    if kind != "evs":
        quarter = str(Decimal(salaries) / 4)
        answers |= {"RH_ETP_PILOTAGE": quarter, "RH_ETP_ACTIVITES": quarter, "RH_ETP_LOGISTIQUE": quarter,
                    "PAR_JEUNES_BENEVOLES": volunteers // 3}  # fmt: skip
    return answers


class World:
    """Structures (kind, territory, department, salaries, volunteers, answered) and what gets published."""

    def __init__(self, structures):
        self.facts = {
            pk: StructureFacts(pk, kind, department, REGION_OF.get(department, ""), territory, "")
            for pk, (kind, territory, department, *_) in enumerate(structures, start=1)
        }
        self.answers = {
            pk: answers_of(kind, salaries, volunteers)
            for pk, (kind, _, _, salaries, volunteers, answered) in enumerate(structures, start=1)
            if answered
        }
        self.figures = aggregates.compute_figures(YEAR, facts=self.facts, answers=self.answers.items())
        self.counts = {(*cell, code): s.answered for cell, summaries in self.figures.items()
                       for code, s in summaries.items() if s.count}  # fmt: skip
        self.secret = disclosure.secret_keys(self.counts, REGION_OF, UNASKED)
        directory = attacker.directory_of((f.kind, f.territory, f.department, f.region) for f in self.facts.values())
        not_asked = {(YEAR, kind): codes for kind, codes in UNASKED.items()}
        self.publication = attacker.publish(YEAR, self.figures, self.secret, not_asked, directory)

    def truth(self, key) -> tuple[int, Decimal]:
        """Structures behind a figure and its total, computed straight from the answers."""
        _, scope, code, group, indicator = key
        values = [BY_CODE[indicator].compute(facts, self.answers[pk]) for pk, facts in self.facts.items()
                  if pk in self.answers and _in_cell(facts, scope, code, group)]  # fmt: skip
        values = [Decimal(v) for v in values if v is not None]
        return len(values), sum(values, Decimal(0))

    def leaks(self) -> list:
        """Figures and sums on 1–4 structures the attacker pins down that were not known before publication."""
        found = attacker.attack(self.publication, REGION_OF)
        for key, value in found.values.items():
            assert value == self.truth(key)[1], (key, value, self.truth(key))  # the attacker is right
        small = [key for key in found.values if 0 < self.truth(key)[0] < 5]
        small_sums = [keys for keys, _ in found.sums if 0 < sum(self.truth(k)[0] for k in keys) < 5]
        if not small and not small_sums:
            return []
        before = attacker.known_a_priori(self.publication, REGION_OF, small, small_sums)
        known_sums = {keys for keys, _ in before.sums}
        return [k for k in small if k not in before.values] + [ks for ks in small_sums if ks not in known_sums]


def _in_cell(facts: StructureFacts, scope: str, code: str, group: str) -> bool:
    region = facts.region if facts.department else attacker.UNKNOWN
    if scope == "region" and region != code or scope == "department" and facts.department != code:
        return False
    parts = dict(part.split("=") for part in group.split("|")) if group != "all" else {}
    kind, territory = facts.kind or attacker.UNKNOWN, facts.territory or attacker.UNKNOWN
    return parts.get("kind", kind) == kind and parts.get("territory", territory) == territory


def structures(kind, territory, department, count, salaries=1, answered=True):
    return [(kind, territory, department, salaries and salaries + i % 3, 10 + 7 * i, answered) for i in range(count)]


def test_a_structure_without_department_is_not_the_nation_minus_its_regions():
    world = World(structures("csx", "urbain", "13", 6) + structures("csx", "urbain", "69", 6)
                  + structures("csx", "urbain", "", 1))  # fmt: skip
    assert world.leaks() == []
    assert ("region", attacker.UNKNOWN, "all", "ETP") in world.secret


def test_a_structure_without_kind_or_territory_is_not_all_minus_the_others():
    world = World(structures("csx", "urbain", "13", 6) + structures("evs", "rural", "13", 6)
                  + structures("", "", "13", 2) + structures("csx", "", "13", 1)
                  + structures("csx", "rural", "69", 9))  # fmt: skip
    assert world.leaks() == []
    assert ("department", "13", "kind=nr", "ETP") in world.secret
    assert ("department", "13", "kind=csx|territory=nr", "ETP") in world.secret


def test_evs_not_asked_hide_nothing():
    """The EVS of 13 have no employee: their ETP de pilotage is 0, as anyone reading the questionnaire knows. With 2
    CSX beside them, the department's figure is the CSX figure: hidden, though it rests on 6 structures."""
    world = World(structures("csx", "urbain", "13", 2) + structures("evs", "urbain", "13", 4, salaries=0)
                  + structures("csx", "urbain", "84", 7) + structures("csx", "rural", "83", 8))  # fmt: skip
    assert world.counts[("department", "13", "all", "ETP_PILOTAGE")] == 6
    assert world.leaks() == []
    assert ("department", "13", "all", "ETP_PILOTAGE") in world.secret


def test_two_small_departments_do_not_add_up_beside_their_region():
    world = World(structures("csx", "urbain", "13", 9) + structures("csx", "urbain", "84", 2)
                  + structures("csx", "urbain", "83", 2) + structures("csx", "urbain", "69", 6))  # fmt: skip
    assert world.leaks() == []
    assert ("department", "13", "all", "ETP") in world.secret  # else 84 + 83 = region − 13, on 4 structures


structure = st.tuples(
    st.sampled_from(["csx", "csx", "evs", ""]),
    st.sampled_from(["urbain", "urbain", "rural", ""]),
    st.sampled_from([*REGION_OF, *REGION_OF, ""]),
    st.integers(0, 4),  # employees
    st.integers(0, 60),  # volunteers
    st.booleans() | st.just(True),  # answered
)


@settings(max_examples=60, deadline=None)
@given(st.lists(structure, min_size=1, max_size=30))
def test_the_exact_attacker_pins_down_nothing_on_1_to_4_structures(structures):
    assert World(structures).leaks() == []
