"""The directory text format: the pure parser and its writer (no database)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.exchange.reading import iter_line_blocks
from maillage.exchange.structure_text import (
    department_code,
    parse_blocks,
    split_postcode,
    split_street,
    write_directory,
    write_structure,
)

DATA = Path(__file__).parent / "data"
ANNUAIRE = DATA / "structures_annuaire.txt"
CANONIQUE = DATA / "structures_canonique.txt"

SHEET = """Informations sur la structure
CENTRE SOCIAL DES LILAS
Fiche identité
Adresse
CENTRE SOCIAL DES LILAS9 rue Roquette
75011 Paris
Adresse mail contact : lilas@example.org
Site internet : https://lilas.example.org
Numéro SIRET : 78154320900014
Historique
Date du 1er agrément : 01/09/1985
Population de la zone de compétence : 12000
Né d'un collectif d'habitants.
Axes du projet en cours :
- Axe 1 : Accueillir
- Axe 2 : Soutenir les familles
- Axe 3 :
- Axe 4 :
- Axe 5 :
Mode de gestion
Mode de gestion de la structure : Associatif
Territoire d’intervention et géographie prioritaire
Type de territoire d’intervention : Un espace à dominante urbaine
Taille du territoire d’intervention : Plusieurs quartiers
Géographie prioritaire : Vous n'êtes pas concerné par cette question
Adhésion à une fédération
Adhérent à la Fédération des Centres Sociaux : Oui
Adhérent à une autre fédération :
Spécificités de la structure
Structure « gens du voyage » : Non
Structure multi-sites / éclaté : Non
Structure itinérante : Non
"""


def parse_text(text: str) -> list:
    return list(parse_blocks([(1, text.split("\n"))]))


def parse_one(text: str):
    [parsed] = [parsed for parsed in parse_text(text) if parsed.record]
    return parsed


def replaced(old: str, new: str) -> str:
    assert old in SHEET
    return SHEET.replace(old, new)


def messages(parsed) -> list[tuple[int, str]]:
    return [(warning.line, warning.message) for warning in parsed.warnings]


def parse_file(path: Path) -> list:
    return list(parse_blocks(iter_line_blocks(path)))


def test_a_canonical_sheet_is_read_whole():
    parsed = parse_one(SHEET)
    assert parsed.line == 1
    assert parsed.warnings == []
    assert parsed.missing == {"phone", "opening_hours"}  # the text format has no label for them
    assert parsed.department_code == "75"
    assert parsed.record == {
        "name": "CENTRE SOCIAL DES LILAS",
        "kind": None,
        "street": "9 rue Roquette",
        "postcode": "75011",
        "commune": "Paris",
        "department": None,
        "email": "lilas@example.org",
        "website": "https://lilas.example.org",
        "siret": "78154320900014",
        "phone": "",
        "opening_hours": "",
        "first_approval": "1985-09-01",
        "population": 12000,
        "history": "Né d'un collectif d'habitants.",
        "axes": ["Accueillir", "Soutenir les familles", "", "", ""],
        "management_mode": "Associatif",
        "territory_type": "Un espace à dominante urbaine",
        "territory_size": "Plusieurs quartiers",
        "priority_geography": "Vous n'êtes pas concerné par cette question",
        "fcsf_member": True,
        "other_federation": "",
        "travellers": False,
        "multi_site": False,
        "itinerant": False,
    }


def test_the_fixture_directory_gives_its_structures_and_only_the_expected_warnings():
    parsed = [item for item in parse_file(ANNUAIRE) if item.record]
    assert [item.record["name"] for item in parsed] == [
        "CENTRE SOCIAL LES TILLEULS",
        "MAISON POUR TOUS DU PORT",
        "CENTRE SOCIAL U CASALE",
        "EVS LA CASE DES FAMILLES",
        "Espace de vie sociale du Plateau",
        "Centre Social Élan",
        "Centre social Saint-Éloi",
        "CENTRE SOCIAL DU BOURG",
    ]
    warned_lines = [warning.line for item in parsed for warning in item.warnings]
    assert warned_lines == [78, 199, 200, 226]


@pytest.mark.parametrize("variant", ["structures_annuaire_crlf.txt", "structures_annuaire_bom.txt"])
def test_crlf_and_bom_variants_read_like_the_plain_file(variant):
    plain = [(item.line, item.record, messages(item)) for item in parse_file(ANNUAIRE)]
    other = [(item.line, item.record, messages(item)) for item in parse_file(DATA / variant)]
    assert other == plain


def test_blank_lines_and_page_headers_between_structures_are_tolerated():
    text = "Liste des centres sociaux\n\n" + SHEET + "\n\nListe des centres sociaux\n\n" + SHEET
    parsed = [item for item in parse_text(text) if item.record]
    assert len(parsed) == 2
    assert all(item.warnings == [] for item in parse_text(text))
    assert parsed[1].record == parsed[0].record


def test_the_street_is_the_glued_line_without_the_name():
    assert split_street("NAME9 rue Roquette", "NAME") == "9 rue Roquette"
    assert split_street("CENTRE SOCIAL RURAL63, rue de l'Epée", "CENTRE SOCIAL RURAL") == "63, rue de l'Epée"
    assert split_street("NAME", "NAME") == ""


def test_the_name_prefix_is_also_found_ignoring_case_and_accents():
    assert split_street("CENTRE SOCIAL ELAN12 avenue Jean Jaurès", "Centre Social Élan") == "12 avenue Jean Jaurès"
    assert split_street("strasse7 Hauptweg", "STRASSE") == "7 Hauptweg"
    parsed = parse_one(replaced("CENTRE SOCIAL DES LILAS9 rue", "Centre Social des Lilas9 rue"))
    assert parsed.record["street"] == "9 rue Roquette"
    assert parsed.warnings == []


def test_a_glued_line_not_starting_with_the_name_is_kept_whole_with_a_warning():
    parsed = parse_one(replaced("CENTRE SOCIAL DES LILAS9 rue Roquette", "CS Lilas, 9 rue Roquette"))
    assert parsed.record["street"] == "CS Lilas, 9 rue Roquette"
    assert messages(parsed) == [
        (5, "la ligne d'adresse ne commence pas par le nom de la structure : gardée entière comme rue")
    ]


def test_postcode_and_commune():
    assert split_postcode("13001 Marseille") == ("13001", "Marseille")
    assert split_postcode("13001") == ("13001", "")
    assert split_postcode("Marseille") == ("", "Marseille")
    assert split_postcode("20000 Ajaccio Cedex 1") == ("20000", "Ajaccio Cedex 1")


@pytest.mark.parametrize(
    ("postcode", "code"),
    [
        ("13001", "13"),
        ("01000", "01"),
        ("95000", "95"),
        ("20000", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97100", "971"),
        ("97400", "974"),
        ("97600", "976"),
        ("97700", None),
        ("98000", None),
        ("00100", None),
        ("96000", None),
        ("1300", None),
        ("130001", None),
        ("2A004", None),
        ("", None),
    ],
)
def test_department_from_postcode(postcode, code):
    assert department_code(postcode) == code


def test_an_unresolved_postcode_leaves_the_department_empty_with_a_warning():
    parsed = parse_one(replaced("75011 Paris", "98000 Monaco"))
    assert parsed.department_code is None
    assert parsed.record["postcode"] == "98000"
    assert messages(parsed) == [(6, "code postal « 98000 » : département introuvable, laissé vide")]
    parsed = parse_one(replaced("75011 Paris", "Paris"))
    assert (parsed.record["postcode"], parsed.record["commune"]) == ("", "Paris")
    assert messages(parsed) == [(6, "code postal absent de « Paris » : département laissé vide")]


def test_empty_values_stay_empty():
    text = replaced("Site internet : https://lilas.example.org", "Site internet :")
    text = text.replace("Numéro SIRET : 78154320900014", "Numéro SIRET :")
    text = text.replace("- Axe 1 : Accueillir", "- Axe 1 :").replace("- Axe 2 : Soutenir les familles", "- Axe 2 :")
    text = text.replace(
        "Adhérent à la Fédération des Centres Sociaux : Oui", "Adhérent à la Fédération des Centres Sociaux :"
    )
    text = text.replace("Mode de gestion de la structure : Associatif", "Mode de gestion de la structure :")
    parsed = parse_one(text)
    record = parsed.record
    assert (record["website"], record["siret"], record["axes"]) == ("", "", [""] * 5)
    assert (record["fcsf_member"], record["management_mode"]) == (None, None)
    assert parsed.warnings == []


def test_empty_values_are_written_without_trailing_space():
    record = parse_one(SHEET).record | {"website": "", "population": None, "fcsf_member": None}
    lines = write_structure(record).split("\n")
    assert "Site internet :" in lines
    assert "Population de la zone de compétence :" in lines
    assert "Adhérent à la Fédération des Centres Sociaux :" in lines
    assert "- Axe 3 :" in lines
    assert "Adresse mail contact : lilas@example.org" in lines
    assert not [line for line in lines if line.endswith(" ")]


@pytest.mark.parametrize("raw", ["781 543 209 00014", "78154320900014", "781.543.209.00014", "781 543 209 00014"])
def test_a_siret_is_stored_without_spaces(raw):
    parsed = parse_one(replaced("Numéro SIRET : 78154320900014", f"Numéro SIRET : {raw}"))
    assert parsed.record["siret"] == "78154320900014"
    assert parsed.warnings == []


@pytest.mark.parametrize("raw", ["12345678900000", "7815432090001", "SIRET A VENIR"])
def test_an_invalid_siret_is_kept_with_a_warning(raw):
    parsed = parse_one(replaced("Numéro SIRET : 78154320900014", f"Numéro SIRET : {raw}"))
    assert parsed.record["siret"] == raw.replace(" ", "")
    [(line, message)] = messages(parsed)
    assert line == 9
    assert message.startswith(f"« Numéro SIRET » : numéro « {raw} » invalide")


@pytest.mark.parametrize(
    ("raw", "expected"), [("01/09/1985", "1985-09-01"), ("1/9/1985", "1985-09-01"), ("29/02/2016", "2016-02-29")]
)
def test_dates_are_read_day_first(raw, expected):
    parsed = parse_one(replaced("Date du 1er agrément : 01/09/1985", f"Date du 1er agrément : {raw}"))
    assert parsed.record["first_approval"] == expected


@pytest.mark.parametrize("raw", ["31/02/2020", "29/02/2019", "1985-09-01", "septembre 1985", "00/01/2000"])
def test_an_invalid_date_is_left_empty_with_a_warning(raw):
    parsed = parse_one(replaced("Date du 1er agrément : 01/09/1985", f"Date du 1er agrément : {raw}"))
    assert parsed.record["first_approval"] is None
    assert messages(parsed) == [
        (11, f"« Date du 1er agrément » : date « {raw} » invalide (jj/mm/aaaa attendu) : laissée vide")
    ]


@pytest.mark.parametrize(("raw", "expected"), [("12000", 12000), ("12 000", 12000), ("1 234 567", 1234567)])
def test_population_allows_thousands_separators(raw, expected):
    parsed = parse_one(replaced("compétence : 12000", f"compétence : {raw}"))
    assert parsed.record["population"] == expected
    assert parsed.warnings == []


@pytest.mark.parametrize("raw", ["environ 3000", "12 34", "-5", "3000 habitants", "99999999999"])
def test_an_invalid_population_is_left_empty_with_a_warning(raw):
    parsed = parse_one(replaced("compétence : 12000", f"compétence : {raw}"))
    assert parsed.record["population"] is None
    assert messages(parsed) == [
        (12, f"« Population de la zone de compétence » : nombre « {raw} » invalide : laissé vide")
    ]


@pytest.mark.parametrize(("raw", "expected"), [("Oui", True), ("Non", False), ("", None), ("oui", True)])
def test_yes_no_answers(raw, expected):
    line = f"Structure itinérante : {raw}" if raw else "Structure itinérante :"
    parsed = parse_one(replaced("Structure itinérante : Non", line))
    assert parsed.record["itinerant"] is expected
    assert parsed.warnings == []


def test_another_answer_than_yes_or_no_is_left_empty_with_a_warning():
    parsed = parse_one(replaced("Structure « gens du voyage » : Non", "Structure « gens du voyage » : Parfois"))
    assert parsed.record["travellers"] is None
    assert messages(parsed) == [
        (30, "« Structure « gens du voyage » » : « Parfois » au lieu de Oui ou Non : laissé vide")
    ]


def test_history_keeps_its_lines_even_one_repeating_an_earlier_label():
    text = replaced("Né d'un collectif d'habitants.\n", "Né d'un collectif.\nHistorique\n\nAdresse : ailleurs\n\n")
    parsed = parse_one(text)
    assert parsed.record["history"] == "Né d'un collectif.\nHistorique\n\nAdresse : ailleurs"
    assert parsed.warnings == []


def test_a_straight_apostrophe_in_a_label_is_accepted():
    parsed = parse_one(replaced("Type de territoire d’intervention :", "Type de territoire d'intervention :"))
    assert parsed.record["territory_type"] == "Un espace à dominante urbaine"
    assert parsed.warnings == []


def test_a_truncated_structure_keeps_what_is_there_with_a_warning():
    text = SHEET[: SHEET.index("Historique")] + SHEET.replace("CENTRE SOCIAL DES LILAS", "CS SUIVANT")
    first, second = [item for item in parse_text(text) if item.record]
    assert first.record["email"] == "lilas@example.org"
    assert first.record["population"] is None
    assert "population" in first.missing and "axes" in first.missing and "history" in first.missing
    assert "email" not in first.missing
    [(line, message)] = messages(first)
    assert line == 1
    assert message.startswith("structure incomplète, rubriques absentes : Date du 1er agrément, Population")
    assert "Axes du projet en cours, Mode de gestion de la structure" in message
    assert second.record["name"] == "CS SUIVANT"
    assert second.line == 10


def test_a_structure_without_name_is_skipped_with_a_warning():
    [parsed] = parse_text("Informations sur la structure\nFiche identité\nAdresse\n")
    assert parsed.record == {}
    assert messages(parsed) == [(1, "structure sans nom : ignorée")]


def test_lines_before_the_first_structure_are_reported_once():
    parsed = parse_text("Liste des centres sociaux\nNom | Ville |\nLES LILAS | 75011Paris |\n" + SHEET)
    assert parsed[0].record == {}
    assert messages(parsed[0]) == [(2, "ligne ignorée avant la première structure : « Nom | Ville | »")]
    assert parsed[1].line == 4


def test_unexpected_and_repeated_lines_are_reported():
    text = replaced("Mode de gestion\n", "Mode de gestion\nune ligne perdue\nSite internet : autre\n")
    parsed = parse_one(text)
    assert parsed.record["website"] == "https://lilas.example.org"
    assert messages(parsed) == [
        (21, "ligne inattendue ignorée : « une ligne perdue »"),
        (22, "rubrique « Site internet » répétée ou hors de sa place : ignorée"),
    ]


def test_page_headers_give_the_kind_of_the_structures_below():
    parsed = [item for item in parse_file(CANONIQUE) if item.record]
    assert [item.record["kind"] for item in parsed] == ["csx", "csx", "evs"]
    text = "Liste des espaces de vie sociale\n" + SHEET + "Liste des structures\n" + SHEET
    assert [item.record["kind"] for item in parse_text(text) if item.record] == ["evs", None]


def test_a_canonical_sheet_is_written_back_line_for_line():
    assert write_structure(parse_one(SHEET).record) == SHEET


def test_each_structure_of_the_canonical_directory_is_written_back_line_for_line():
    source = CANONIQUE.read_text(encoding="utf-8")
    parsed = [item for item in parse_file(CANONIQUE) if item.record]
    for item in parsed:
        text = write_structure(item.record)
        assert text in source
        assert source.split("\n")[item.line - 1 : item.line - 1 + text.count("\n")] == text.split("\n")[:-1]
    assert "".join(write_directory(item.record for item in parsed)) == source


def test_line_breaks_in_one_line_values_become_spaces():
    record = parse_one(SHEET).record | {"other_federation": "Union locale\nsection nord"}
    assert "Adhérent à une autre fédération : Union locale section nord" in write_structure(record).split("\n")


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçôABCXYZ0123456789 '’-,.()/:«»", max_size=40)
_ONE_LINE = _WORDS.map(lambda text: " ".join(text.split()))
_NAME = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈ '-", min_size=1, max_size=30).map(str.strip).filter(bool)
_HISTORY = st.lists(_ONE_LINE, max_size=4).map(lambda lines: "\n".join(lines).strip())


@settings(max_examples=150, deadline=None)
@given(
    name=_NAME,
    street=_ONE_LINE,
    postcode=st.sampled_from(["", "13001", "20000", "20200", "97400", "75011"]),
    commune=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZéèô -", max_size=20).map(lambda text: " ".join(text.split())),
    texts=st.fixed_dictionaries({key: _ONE_LINE for key in ("email", "website", "other_federation")}),
    choices=st.fixed_dictionaries(
        {key: _ONE_LINE.map(lambda text: text or None) for key in ("management_mode", "territory_size")}
    ),
    first_approval=st.one_of(
        st.none(), st.dates().filter(lambda day: day.year >= 1000).map(lambda day: day.isoformat())
    ),
    population=st.one_of(st.none(), st.integers(min_value=0, max_value=2_000_000_000)),
    history=_HISTORY,
    axes=st.lists(_ONE_LINE, min_size=5, max_size=5),
    answers=st.lists(st.sampled_from([True, False, None]), min_size=4, max_size=4),
)
def test_writing_then_reading_gives_back_the_record(
    name, street, postcode, commune, texts, choices, first_approval, population, history, axes, answers
):
    record = parse_one(SHEET).record | texts | choices
    record |= {"name": name, "street": street, "postcode": postcode, "commune": commune, "history": history}
    record |= {"first_approval": first_approval, "population": population, "axes": axes}
    record |= dict(zip(("fcsf_member", "travellers", "multi_site", "itinerant"), answers, strict=True))
    if not postcode and not commune:
        record["commune"] = "Paris"
    parsed = parse_one(write_structure(record))
    assert parsed.record == record
