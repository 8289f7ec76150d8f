"""A structure's phone number (French, stored as ten digits, shown in pairs) and opening hours: identity form,
page, open-data JSON, CSV and table imports."""

import csv
import io
import json

import pytest
from openpyxl import Workbook

from maillage.exchange.structure_export import export_chunks, iter_structures
from maillage.exchange.structure_import import import_structures
from maillage.exchange.structure_json import structure_record
from maillage.exchange.structure_table import import_structure_table
from maillage.exchange.structure_text import write_directory
from maillage.structures.models import Structure
from maillage.structures.phones import format_phone, normalise_phone
from tests.factories import make_structure

from .test_edit import edit_url, form_data

HOURS = "Du lundi au vendredi de 9 h à 12 h et de 14 h à 18 h\nFermé en août"


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("01 23 45 67 89", "0123456789"),
        ("01.23.45.67.89", "0123456789"),
        ("06-12-34-56-78", "0612345678"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("+33 (0)1 23 45 67 89", "0123456789"),
        ("0033 1 23 45 67 89", "0123456789"),
        ("+262 262 12 34 56", "0262123456"),
        ("", ""),
    ],
)
def test_french_numbers_are_stored_as_ten_digits(text, stored):
    assert normalise_phone(text) == stored


@pytest.mark.parametrize("text", ["12345", "00 12 34 56 78", "+44 20 7946 0958", "01 23 45 67 8a", "0123456789012"])
def test_other_numbers_are_refused(text):
    with pytest.raises(ValueError, match="dix chiffres"):
        normalise_phone(text)


def test_format_in_pairs():
    assert format_phone("0123456789") == "01 23 45 67 89"


@pytest.mark.django_db
def test_identity_form_saves_phone_normalised_and_hours(world):
    structure = world.structure_a
    response = world.client("member_a").post(
        edit_url(structure), form_data(structure, phone="+33 4 91 12 34 56", opening_hours=HOURS)
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert (structure.phone, structure.opening_hours) == ("0491123456", HOURS)
    form = world.client("member_a").get(edit_url(structure)).content.decode()
    assert 'value="04 91 12 34 56"' in form and "Horaires d&#x27;ouverture" in form
    page = world.client("anonymous").get(structure.get_absolute_url()).content.decode()
    assert '<a href="tel:0491123456">04 91 12 34 56</a>' in page
    assert "Du lundi au vendredi de 9 h à 12 h et de 14 h à 18 h<br>Fermé en août" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12 34"}, "phone", "numéro de téléphone français à dix chiffres"),
        ({"opening_hours": "x" * 501}, "opening_hours", "ne peuvent dépasser 500 caractères"),
    ],
)
def test_bad_phone_or_too_long_hours_refused_next_to_the_field(world, changes, field, message):
    structure = world.structure_a
    response = world.client("member_a").post(edit_url(structure), form_data(structure, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and f'id="id_{field}-error"' in html
    structure.refresh_from_db()
    assert (structure.phone, structure.opening_hours) == ("", "")


@pytest.mark.django_db
def test_json_and_csv_exports_carry_them_and_the_csv_reads_back(tmp_path):
    make_structure("Centre social des Lilas", phone="0491123456", opening_hours=HOURS)
    data = json.loads("".join(export_chunks("json", iter_structures())))
    assert (data[0]["phone"], data[0]["opening_hours"]) == ("0491123456", HOURS)
    text = "".join(export_chunks("csv", iter_structures()))
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert (row["phone"], row["opening_hours"]) == ("04 91 12 34 56", HOURS)
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    report = import_structure_table(path)
    assert (report.unchanged, report.updated, report.created) == (1, 0, 0), report.warnings
    Structure.objects.all().delete()
    assert import_structure_table(path).created == 1
    again = json.loads("".join(export_chunks("json", iter_structures())))
    assert (again[0]["phone"], again[0]["opening_hours"]) == ("0491123456", HOURS)


@pytest.mark.django_db
def test_table_import_reads_a_phone_typed_as_a_number_and_warns_on_a_bad_one(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "department", "phone", "opening_hours"])
    sheet.append(["Centre A", "13", 491123456, "Lundi 9 h - 18 h"])
    sheet.append(["Centre B", "13", "12 34", ""])
    workbook.save(tmp_path / "table.xlsx")
    report = import_structure_table(tmp_path / "table.xlsx")
    phones = dict(Structure.objects.values_list("name", "phone"))
    assert phones == {"Centre A": "0491123456", "Centre B": ""}
    assert Structure.objects.get(name="Centre A").opening_hours == "Lundi 9 h - 18 h"
    assert any("ligne 3" in str(warning) or "12 34" in str(warning) for warning in report.warnings)


@pytest.mark.django_db
def test_text_import_leaves_phone_and_hours_alone(tmp_path):
    structure = make_structure("Centre social des Lilas", phone="0491123456", opening_hours=HOURS)
    record = structure_record(Structure.objects.select_related("department__region").get(pk=structure.pk))
    path = tmp_path / "annuaire.txt"
    path.write_text("".join(write_directory([record])), encoding="utf-8")
    import_structures(path)
    structure.refresh_from_db()
    assert (structure.phone, structure.opening_hours) == ("0491123456", HOURS)
