"""Numbers in URLs are read by one function: `²` or `٣` (digits to `str.isdigit()`, not to `int()`) and numbers
too large for a page offset or a database integer are a 400 naming the parameter, never a 500."""

import pytest

from maillage.parameters import InvalidParameter, positive_int, whole_number
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db
NOT_NUMBERS = ["²", "٣", "１", "99999999999999999999", "1e3", " 2", "2\n", "-1", "0", "", "\x00"]


@pytest.fixture
def bank():
    structure = make_structure("Centre social Lyon Sud", "69")
    make_sheet("Ateliers vélo", structure, keywords=["Culture"], year=2023)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_only_ascii_digits_within_the_bound_are_positive_numbers(text):
    with pytest.raises(InvalidParameter) as raised:
        positive_int(text, "page", maximum=1000)
    assert raised.value.parameter == "page"


def test_numbers_are_read_up_to_their_bound():
    assert positive_int("0042", "page", maximum=1000) == 42
    assert positive_int("1000", "page", maximum=1000) == 1000
    assert whole_number("0", maximum=9) == 0
    assert whole_number("10", maximum=9) is None
    assert whole_number("9" * 5000, maximum=9) is None  # no int() of 5,000 digits (Python refuses them)
    assert "trop grand" in str(pytest.raises(InvalidParameter, positive_int, "1001", "page", maximum=1000).value)


@pytest.mark.parametrize(
    ("url", "name"),
    [("/actions/", "page"), ("/actions/", "year"), ("/structures/", "page"), ("/actions/export.csv", "year")],
)
@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_list_pages_answer_400_to_a_page_or_year_that_is_no_number(client, bank, url, name, value):
    response = client.get(url, {name: value})
    assert response.status_code == 400
    assert value in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/actions", "/api/v1/structures"])
@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_the_api_answers_json_400_to_a_page_that_is_no_number(client, bank, url, value):
    for name in ("page", "page_size"):
        response = client.get(url, {name: value})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["parameter"] == name


def test_the_api_answers_json_400_to_a_year_that_is_no_number(client, bank):
    response = client.get("/api/v1/actions", {"year": "²"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "year"


def test_the_error_page_is_in_french_and_names_the_parameter(client, bank):
    content = client.get("/observatoire/", {"annee": "²"}).content.decode()
    assert "<h1>Adresse incorrecte</h1>" in content
    assert "Paramètre «&nbsp;annee&nbsp;»&nbsp;: « ² » n&#x27;est pas une année" in content
    assert "<title>Adresse incorrecte — Maillage</title>" in content


@pytest.mark.parametrize(
    ("url", "parameter"),
    [("/territoires/%00/", "adresse"), ("/actions/?q=a%00", "q"), ("/structures/?q=%00", "q"),
     ("/actions/?keyword%00=x", "keyword"), ("/observatoire/departement/%00/", "adresse")],
)  # fmt: skip
def test_a_nul_character_is_a_400_before_any_query(client, bank, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert f"Paramètre «&nbsp;{parameter}&nbsp;»&nbsp;: " in response.content.decode()


def test_a_nul_character_is_a_json_400_on_the_api(client, bank):
    response = client.get("/api/v1/structures?q=%00")
    assert (response.status_code, response.json()["error"]["parameter"]) == (400, "q")
