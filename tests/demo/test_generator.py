"""The demo generator alone (no database): determinism, realism and the shape of its records."""

import json

import pytest

from maillage.demo.dice import Dice
from maillage.demo.generator import CAMPAIGNS, DEFAULT_LAST_YEAR, DemoGenerator
from maillage.demo.structures import postcode, short_slug
from maillage.exchange.action_text import DepartmentMatcher, parse_sheet, write_sheet
from maillage.exchange.records import CONTENT_KEYS, fingerprint
from maillage.referentials.seed_data import CLOSED_LIST_VALUES, DEPARTMENTS
from maillage.referentials.text import match_key
from maillage.structures.siret import is_valid_siret

STRUCTURE_LISTS = {
    "management_mode": "ManagementMode",
    "territory_type": "TerritoryType",
    "territory_size": "TerritorySize",
    "priority_geography": "PriorityGeography",
}
SHEET_LISTS = {
    "dimensions": "Dimension",
    "keywords": "Keyword",
    "initiative": "Initiative",
    "public": "Public",
    "partners": "Partner",
}
CODE_OF = {name: code for code, name, _ in DEPARTMENTS}


def generate(seed: int, structures: int = 40, sheets: int = 300):
    generator = DemoGenerator(seed)
    demo_structures = generator.structures(structures)
    return demo_structures, list(generator.sheets(sheets, demo_structures))


@pytest.fixture(scope="module")
def demo():
    return generate(5)


def department_of_postcode(postcode: str) -> str:
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def test_same_seed_gives_the_same_bytes():
    first, second = generate(11), generate(11)
    assert json.dumps([s.record for s in first[0]]) == json.dumps([s.record for s in second[0]])
    assert json.dumps(first[1]) == json.dumps(second[1])


def test_another_seed_gives_other_data():
    first, second = generate(11), generate(12)
    assert [s.record for s in first[0]] != [s.record for s in second[0]]
    assert first[1] != second[1]


def test_structures_do_not_depend_on_the_number_of_sheets():
    assert [s.record for s in generate(3, sheets=10)[0]] == [s.record for s in generate(3, sheets=200)[0]]


def test_campaign_counts_add_up_and_cover_six_years():
    counts = DemoGenerator(1).year_counts(1003)
    assert sum(count for _, count in counts) == 1003
    assert [year for year, _ in counts] == list(range(DEFAULT_LAST_YEAR - CAMPAIGNS + 1, DEFAULT_LAST_YEAR + 1))
    assert DemoGenerator(1).year_counts(0) == [(year, 0) for year, _ in counts]


def test_postcodes_match_departments(demo):
    structures, _ = demo
    for structure in structures:
        record = structure.record
        assert len(record["postcode"]) == 5 and record["postcode"].isdigit()
        assert department_of_postcode(record["postcode"]) == CODE_OF[record["department"]] == structure.department_code


@pytest.mark.parametrize(("code", "prefix"), [("2A", "200"), ("2B", "202"), ("974", "974"), ("75", "750")])
def test_postcodes_of_corsica_overseas_and_paris(code, prefix):
    dice = Dice("postcodes")
    assert all(postcode(dice, code).startswith(prefix) for _ in range(50))


def test_sirets_are_valid_and_structure_names_unique_per_department(demo):
    structures, _ = demo
    sirets = [s.record["siret"] for s in structures if s.record["siret"]]
    assert sirets and all(is_valid_siret(siret) for siret in sirets)
    keys = [(s.record["department"], match_key(s.record["name"])) for s in structures]
    assert len(keys) == len(set(keys))


def test_structures_use_every_closed_list_value_and_both_kinds(demo):
    structures, _ = demo
    records = [s.record for s in structures]
    for key, model in STRUCTURE_LISTS.items():
        assert {record[key] for record in records} == set(CLOSED_LIST_VALUES[model]), key
    for key in ("fcsf_member", "travellers", "multi_site", "itinerant"):
        assert {record[key] for record in records} == {True, False}, key
    assert {record["kind"] for record in records} == {"csx", "evs"}
    assert all(len(record["axes"]) == 5 and record["axes"][0] for record in records)
    assert all(record["email"].endswith(".example.org") for record in records)


def test_sheets_use_every_closed_list_value(demo):
    _, sheets = demo
    records = [record for _, record in sheets]
    for key, model in SHEET_LISTS.items():
        used = {value for record in records for value in record[key]}
        assert used == set(CLOSED_LIST_VALUES[model]), key
    assert {record["status"] for record in records} == set(CLOSED_LIST_VALUES["ActionStatus"])
    assert {record["territory"] for record in records} - {None} == set(CLOSED_LIST_VALUES["Territory"])


def test_sheets_vary_in_shape(demo):
    _, sheets = demo
    records = [record for _, record in sheets]
    ended = [record for record in records if record["status"] == "Terminée"]
    assert any(record["end_reason"] for record in ended)
    assert all(not record["end_reason"] for record in records if record["status"] != "Terminée")
    assert any(record["structure"] is None for record in records)
    assert any(record["files"] for record in records)
    assert any("Autre" in record["initiative"] and record["initiative_detail"] for record in records)
    assert any(not record["summary"] and not record["experience"] for record in records), "nearly empty sheets"
    long_texts = [record["general_description"] for record in records if record["general_description"].count("\n- ")]
    assert long_texts, "long sheets with lines starting with '- '"


def test_sheets_are_distinct_and_titles_unique_per_structure(demo):
    _, sheets = demo
    records = [record for _, record in sheets]
    assert len({fingerprint(record) for record in records}) == len(records)
    owners = [(json.dumps(record["structure"]), match_key(record["title"])) for record in records]
    assert len(owners) == len(set(owners))


def test_sheets_survive_the_text_format(demo):
    _, sheets = demo
    matcher = DepartmentMatcher(name for _, name, _ in DEPARTMENTS)
    for _, record in sheets:
        parsed = parse_sheet(write_sheet(record).splitlines(), 1, matcher)
        assert not parsed.errors
        assert {key: parsed.record[key] for key in CONTENT_KEYS} == {key: record[key] for key in CONTENT_KEYS}


def test_structures_without_sheets_and_sheets_without_structures():
    generator = DemoGenerator(2)
    records = [record for _, record in generator.sheets(25, [])]
    assert len(records) == 25 and all(record["structure"] is None for record in records)


def test_short_slug_cuts_at_a_hyphen():
    assert short_slug("Saint-Martin-la-Rivière", 20) == "saint-martin-la"
    assert short_slug("Lyon", 20) == "lyon"
