"""Single-line values hold no line break on the import paths (text, CSV, XLSX): an error naming the file and the
line; and a text export writes a title saved with one on one line, so that it reads back as one sheet."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from maillage.actions.models import Action
from maillage.exchange.action_text import write_sheet
from maillage.exchange.reading import ImportFileError
from maillage.exchange.records import empty_record
from maillage.exchange.services import import_actions
from maillage.exchange.structure_import import import_structures
from maillage.exchange.structure_table import import_structure_table
from maillage.structures.models import Structure

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def copy(tmp_path: Path, source: str, name: str, old: str, new: str) -> Path:
    text = (DATA / source).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_bytes(text.replace(old, new, 1).encode())
    return path


def refused(run, *args, **kwargs) -> ImportFileError:
    with pytest.raises(ImportFileError) as raised:
        run(*args, **kwargs)
    return raised.value


@pytest.mark.parametrize(
    ("old", "new", "line", "label"),
    [
        ("Ateliers vélo pour adultes\n", "Ateliers vélo\rpour adultes\n", 61, "Titre"),
        ("- CS La Roue Libre - bouches", "- CS La Roue\u2028Libre - bouches", 63, "Structure organisatrice"),
        ("- mobilité / transport\n", "- mobilité\f/ transport\n", 74, "Mots clés associés à l'action"),
        ("- plan-du-jardin.pdf\n", "- plan-du\u0085jardin.pdf\n", 7, "Fichier(s) associé(s)"),
    ],
)
def test_a_line_break_inside_a_single_line_value_of_a_sheet_refuses_the_file(tmp_path, old, new, line, label):
    path = copy(tmp_path, "actions_exemples.txt", "fiches.txt", old, new)
    error = refused(import_actions, path)
    assert (error.filename, error.line) == ("fiches.txt", line)
    assert error.message.startswith(f"« {label} » : saut de ligne (U+")
    assert error.message.endswith("au milieu de la ligne ; cette valeur doit tenir sur une ligne")
    assert not Action.objects.exists()


def test_a_line_break_inside_a_structure_name_refuses_the_directory(tmp_path):
    path = copy(tmp_path, "structures_annuaire.txt", "annuaire.txt", "\nCENTRE SOCIAL U CASALE\n",
                "\nCENTRE SOCIAL\rU CASALE\n")  # fmt: skip
    error = refused(import_structures, path)
    assert (error.filename, error.line) == ("annuaire.txt", 71)
    assert error.message == "« Nom » : saut de ligne (U+000D) dans la valeur ; elle doit tenir sur une ligne"
    assert not Structure.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "label"),
    [("name", "Centre social\ndes Lilas", "Nom"), ("commune", "Marseille\r\n13e", "Adresse"),
     ("management_mode", "Associatif\nou pas", "Mode de gestion de la structure")],
)  # fmt: skip
def test_a_line_break_in_a_single_line_cell_refuses_the_table(tmp_path, column, value, label):
    row = {"name": "Centre social des Roses", "postcode": "13001", "commune": "Marseille", "management_mode": ""}
    row[column] = value
    workbook = Workbook()
    workbook.active.append(list(row))
    workbook.active.append(["Centre social des Lilas", "13001", "Marseille", ""])
    workbook.active.append(list(row.values()))
    path = tmp_path / "tableau.xlsx"
    workbook.save(path)
    error = refused(import_structure_table, path)
    assert (error.filename, error.line) == ("tableau.xlsx", 3)
    assert error.message.startswith(f"« {label} » : saut de ligne (U+000")
    assert not Structure.objects.exists()


def test_a_csv_cell_on_two_lines_names_the_line_where_its_row_starts(tmp_path):
    path = tmp_path / "tableau.csv"
    path.write_text('name;postcode\nCentre social des Lilas;13001\n"Centre social\ndes Roses";13002\n')
    error = refused(import_structure_table, path)
    assert (error.filename, error.line) == ("tableau.csv", 3)
    assert error.message.startswith("« Nom » : saut de ligne (U+000A)")


def test_a_title_saved_with_a_line_break_is_exported_on_one_line_and_reads_back_as_one_sheet(tmp_path):
    first, second = empty_record(), empty_record()
    first["title"], second["title"] = "Fête de quartier", "Jardin\r\npartagé"
    second["structure"] = {"name": "Centre social\ndes Lilas", "department": "Bouches-du-Rhône"}
    path = tmp_path / "export.txt"
    path.write_text(write_sheet(first) + write_sheet(second), encoding="utf-8")
    report = import_actions(path)
    assert report.created == 2
    assert sorted(Action.objects.values_list("title", "structure__name")) == [
        ("Fête de quartier", None),
        ("Jardin partagé", "Centre social des Lilas"),
    ]
