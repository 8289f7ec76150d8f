"""The action text format, read without a database (the parser is pure)."""

from pathlib import Path

import pytest

from maillage.exchange.action_text import DepartmentMatcher, ParseError, parse_blocks, split_sheets
from maillage.exchange.reading import iter_line_blocks
from maillage.referentials.seed_data import DEPARTMENTS

DATA = Path(__file__).parent / "data"
MATCHER = DepartmentMatcher(name for _, name, _ in DEPARTMENTS)


def parse(path: Path):
    return [sheet for sheet in parse_blocks(iter_line_blocks(path), MATCHER) if sheet.record]


def parse_text(text: str, first_line: int = 1):
    return [sheet for sheet in parse_blocks([(first_line, text.split("\n"))], MATCHER) if sheet.record]


@pytest.fixture(scope="module")
def sheets():
    return parse(DATA / "actions_exemples.txt")


def warnings_of(sheet) -> list[str]:
    return [warning.message for warning in sheet.warnings]


def test_reads_every_sheet_with_its_line(sheets):
    assert [sheet.record["title"] for sheet in sheets] == [
        "Jardin partagé des Tilleuls",
        "Ateliers vélo pour adultes",
        "Café des parents",
        "Fête de quartier",
        "Accueil des gens du voyage",
    ]
    assert [sheet.line for sheet in sheets] == [2, 60, 104, 138, 175]


@pytest.mark.parametrize("variant", ["actions_exemples_crlf.txt", "actions_exemples_bom.txt"])
def test_crlf_and_bom_give_the_same_sheets(sheets, variant):
    assert [sheet.record for sheet in parse(DATA / variant)] == [sheet.record for sheet in sheets]


def test_structure_name_containing_a_dash_is_split_at_the_last_one(sheets):
    assert sheets[0].record["structure"] == {
        "name": "Centre social Les Tilleuls - Maison des familles",
        "department": "Alpes-de-Haute-Provence",
    }


def test_department_matched_ignoring_case_accents_apostrophes_and_hyphens(sheets):
    assert sheets[1].record["structure"] == {"name": "CS La Roue Libre", "department": "Bouches-du-Rhône"}
    assert sheets[4].record["structure"] == {"name": "EVS L'Escale", "department": "Côtes-d'Armor"}


def test_unknown_department_keeps_the_whole_line_as_name_with_a_warning(sheets):
    assert sheets[3].record["structure"] == {"name": "Maison pour tous - Atlantide", "department": None}
    assert any("département non reconnu" in message for message in warnings_of(sheets[3]))


def test_missing_structure_block_keeps_the_sheet_without_structure(sheets):
    assert sheets[2].record["structure"] is None
    assert any("sans « Structure organisatrice »" in message for message in warnings_of(sheets[2]))


def test_free_text_keeps_dash_lines_and_inner_actions_lines(sheets):
    assert sheets[0].record["experience"] == (
        "Trois phases :\n"
        "- la préparation du terrain avec le bailleur ;\n"
        "- les premières plantations au printemps ;\n"
        "Actions\n"
        "- la fête des récoltes en septembre."
    )


def test_free_text_keeps_inner_blank_lines(sheets):
    assert sheets[0].record["general_description"] == (
        "Le jardin compte vingt parcelles.\n\nUne parcelle est réservée à l'école voisine."
    )


def test_lists_keep_their_order_and_skip_the_lone_dash(sheets):
    record = sheets[0].record
    assert record["keywords"] == ["Environnement", "Numérique solidaire", "intergénérationnel"]
    assert record["initiative"] == ["Un groupe d'habitants", "Le centre social"]
    assert record["partners"] == ["Bailleur social", "Commune"]
    assert record["public"] == ["Tous publics", "Seniors"]
    assert record["files"] == ["plan-du-jardin.pdf"]


def test_page_headers_between_sheets_are_not_text(sheets):
    assert sheets[0].record["perspectives"] == "Un composteur collectif."
    assert sheets[3].record["perspectives"] == ""


def test_ended_sheet_keeps_its_reasons(sheets):
    record = sheets[1].record
    assert record["status"] == "Terminée"
    assert record["end_reason"] == "- Fin du financement en 2019\n- Départ de l'animateur"
    assert sheets[0].record["end_reason"] == ""


def test_precision_when_initiative_is_other(sheets):
    assert sheets[1].record["initiative"] == ["Autre"]
    assert sheets[1].record["initiative_detail"] == "Une association de cyclistes du quartier."


def test_territory_from_first_occurrence_with_warning_when_second_differs(sheets):
    assert sheets[1].record["territory"] == "Plusieurs quartiers"
    assert any("Territoire concerné" in message and "répété" in message for message in warnings_of(sheets[1]))
    assert not any("répété" in message for message in warnings_of(sheets[0]))
    repeated = next(message for message in warnings_of(sheets[1]) if "répété" in message)
    assert "'" not in repeated.replace("l'", "")  # values in French quotes, never a Python repr
    assert "« Plusieurs quartiers »" in repeated


def test_empty_values_are_empty(sheets):
    record = sheets[2].record
    assert record["dimensions"] == []
    assert record["experience"] == ""
    assert record["files"] == []


def test_truncated_last_sheet_is_kept_with_a_warning(sheets):
    record = sheets[4].record
    assert record["public"] == ["familles", "Enfance"]
    assert record["partners"] == []
    assert record["perspectives"] == ""
    missing = [message for message in warnings_of(sheets[4]) if "fiche incomplète" in message]
    assert missing and "Avec qui cette action a-t-elle été menée ?" in missing[0]
    assert "Suite de l'action : Perspectives" in missing[0]


def test_complete_sheets_have_no_incompleteness_warning(sheets):
    assert not any("incomplète" in message for sheet in sheets[:4] for message in warnings_of(sheet))


def test_titles_and_values_are_trimmed():
    text = (DATA / "actions_exemples.txt").read_text(encoding="utf-8")
    padded = "\n".join(f"  {line}\t " for line in text.split("\n"))
    assert [sheet.record for sheet in parse_text(padded)] == [sheet.record for sheet in parse_text(text)]


def test_actions_line_starts_a_sheet_only_before_a_start_label():
    text = (DATA / "actions_exemples.txt").read_text(encoding="utf-8")
    lone = text.replace("- Public\n- Tous publics\n- Seniors", "Actions\nSuite\n- Public\n- Seniors", 1)
    sheets = parse_text(lone)
    assert len(sheets) == 5
    assert sheets[0].record["experience"].endswith("septembre.\nActions\nSuite")
    assert sheets[0].record["public"] == ["Seniors"]


def test_sheet_starting_with_files_label_is_a_sheet():
    sheets = parse_text("Actions\nSans structure\n- Fichier(s) associé(s)\n- Statut de l'action\n- En cours")
    assert [sheet.record["title"] for sheet in sheets] == ["Sans structure"]
    assert sheets[0].record["status"] == "En cours"


def test_text_before_the_first_sheet_is_reported():
    chunks = list(parse_blocks([(1, ["Bonjour", "Actions", "Titre", "- Fichier(s) associé(s)"])], MATCHER))
    assert chunks[0].record == {}
    assert "ligne ignorée avant la première fiche" in chunks[0].warnings[0].message
    assert chunks[0].warnings[0].line == 1


def test_list_value_without_dash_is_kept_with_a_warning():
    sheets = parse_text("Actions\nT\n- Fichier(s) associé(s)\n- Public\nJeunesse\n- Adultes")
    assert sheets[0].record["public"] == ["Jeunesse", "Adultes"]
    assert any("sans tiret" in warning.message and warning.line == 5 for warning in sheets[0].warnings)


def test_sheets_are_cut_the_same_across_block_boundaries():
    lines = (DATA / "actions_exemples.txt").read_text(encoding="utf-8").split("\n")
    whole = list(split_sheets([(1, lines)]))
    for size in (1, 2, 3, 7, 50):
        blocks = [(start + 1, lines[start : start + size]) for start in range(0, len(lines), size)]
        assert list(split_sheets(blocks)) == whole


def test_a_never_ending_sheet_is_refused(monkeypatch):
    monkeypatch.setattr("maillage.exchange.action_text.MAX_SHEET_LINES", 10)
    lines = ["Actions", "T", "- Fichier(s) associé(s)", "- Résumé", *["texte"] * 20]
    with pytest.raises(ParseError) as error:
        list(split_sheets([(1, lines[:12]), (13, lines[12:])]))
    assert error.value.line == 1
    assert "fiche trop longue" in error.value.message
