"""The demo's public figures against the exact attacker (`tests/observatory/attacker.py`): 400 structures, two years
of answers, everything the public workbook shows (every published figure, on pages and exports alike), the answer
counts, the questionnaires and the directory of structures. It pins down no figure resting on 1 to 4 structures,
and no more than needed is hidden."""

from decimal import Decimal
from fractions import Fraction

import pytest

from maillage.observatory.demo import seed_observatory
from maillage.observatory.figures import reports, xlsx
from maillage.observatory.figures.indicators import territory_code
from maillage.observatory.figures.secrecy import SECRET
from maillage.observatory.models import Aggregate, Questionnaire
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from tests.observatory import attacker

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(run_command):
    run_command("seed_demo", "--structures", "400", "--actions", "0", "--seed", "7", "--observatory-years", "0")
    return seed_observatory(years=2, seed=3, last_year=2025)


def questions_and_directory() -> tuple[dict, set]:
    """What the questionnaires say each kind is not asked, and the directory of structures (both public)."""
    questions = {}
    for questionnaire in Questionnaire.objects.select_related("campaign"):
        codes = {q.code for q in questionnaire.definition().questions}
        for kind, unasked in attacker.asked_codes({questionnaire.kind: codes}).items():
            questions[(questionnaire.campaign.year, kind)] = unasked
    sheets = Structure.objects.values_list("kind", "territory_type__label", "department__code",
                                           "department__region__code")  # fmt: skip
    directory = attacker.directory_of((k or "", territory_code(t), d or "", r or "") for k, t, d, r in sheets)
    return questions, directory


def leaks(publication: attacker.Publication) -> list:
    """Figures and sums of hidden parts resting on 1–4 structures that the attacker pins down and did not know
    before anything was published; checks on the way that what it pins down is right."""
    region_of = dict(Department.objects.values_list("code", "region__code"))
    truth = {
        (year, scope, code, group, indicator): (count, Fraction(Decimal(summary["stats"]["total"])))
        for year, scope, code, group, indicator, count, summary in Aggregate.objects.values_list(
            "year", "scope", "scope_code", "group", "code", "structure_count", "summary"
        )
    }
    found = attacker.attack(publication, region_of)
    assert found.values  # it does pin down hidden figures: empty ones, or on 5 structures or more
    for key, value in found.values.items():
        assert abs(value - truth.get(key, (0, 0))[1]) < Fraction(1, 100), key
    small = [key for key in found.values if 0 < truth.get(key, (0,))[0] < 5]
    small_sums = [keys for keys, _ in found.sums if 0 < sum(truth.get(k, (0,))[0] for k in keys) < 5]
    before = attacker.known_a_priori(publication, region_of, small, small_sums)
    known_sums = {keys for keys, _ in before.sums}
    return [key for key in small if key not in before.values] + [keys for keys in small_sums if keys not in known_sums]


def test_the_demo_gives_away_no_figure_on_1_to_4_structures_and_hides_no_more_than_needed(demo):
    questions, directory = questions_and_directory()
    assert leaks(attacker.from_rows(xlsx.load_rows(), questions, directory)) == []
    # National figures all rest on 5 structures or more: none is hidden, not even the CSX figure of a question EVS
    # are not asked (it equals the all-structures figure), nor the rural CSX beside it (« se situer »).
    hidden = Aggregate.objects.filter(scope="nation", secret=True, structure_count__gte=5)
    assert list(hidden.values_list("year", "group", "code", "structure_count")) == []
    young = {
        group: (count, summary["stats"]["total"], secret)
        for group, count, summary, secret in Aggregate.objects.filter(
            year=2025, scope="nation", code="JEUNES_BENEVOLES"
        ).values_list("group", "structure_count", "summary", "secret")
    }
    assert young["kind=csx"][:2] == young["all"][:2] and not young["kind=csx"][2]
    assert young["kind=evs"][0] == 0 and not young["kind=evs"][2]  # empty, as the questionnaire says
    page = reports.build_report(reports.territory("nation"), 2025)
    figure = next(f for f in page.figures if f.code == "JEUNES_BENEVOLES")
    assert figure.by_kind["kind=csx"] == figure.by_kind["all"] == figure.value is not SECRET
    assert figure.by_kind["kind=evs"] is None  # "—", not "s"


def test_the_attacker_reads_the_public_workbook(run_command):
    """On a smaller world, the attacker reads the workbook itself: it sees what `from_rows` gives, and no more."""
    run_command("seed_demo", "--structures", "15", "--actions", "0", "--seed", "5", "--observatory-years", "0")
    seed_observatory(years=1, seed=2, last_year=2025)
    questions, directory = questions_and_directory()
    read = attacker.from_workbook(xlsx.workbook_bytes(), questions, directory)
    rows = attacker.from_rows(xlsx.load_rows(), questions, directory)
    assert read.secret == rows.secret and read.respondents == rows.respondents
    assert read.published.keys() == rows.published.keys()
    assert all(abs(value - rows.published[key]) < Fraction(1, 100) for key, value in read.published.items())
    assert read.secret and leaks(read) == []
