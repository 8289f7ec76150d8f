"""Every public GET address, fuzzed on each parameter it reads: never a 500, and JSON under `/api/`.

Values mix any text (NUL bytes included), digits that are no ASCII digits (`²`, `٣`, `１`), numbers far past
any page or year, and very long strings. The world is small and holds no observatory figures, so that no
example renders a PDF.
"""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.search.params import FACETS
from maillage.structures.directory import PARAMETERS as DIRECTORY_PARAMETERS
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db

ACTION_PARAMETERS = ("q", "sort", "page", *FACETS)
OBSERVATORY_PARAMETERS = ("annee",)
# Public GET addresses and the parameters each reads.
ADDRESSES = {
    "/actions/": ACTION_PARAMETERS,
    "/actions/export.csv": ACTION_PARAMETERS,
    "/actions/export.json": ACTION_PARAMETERS,
    "/structures/": (*DIRECTORY_PARAMETERS, "page"),
    "/territoires/": (),
    "/alertes/": ACTION_PARAMETERS,
    "/observatoire/": OBSERVATORY_PARAMETERS,
    "/observatoire/departement/13/": OBSERVATORY_PARAMETERS,
    "/observatoire/plaquette.pdf": OBSERVATORY_PARAMETERS,
    "/observatoire/donnees/chiffres-cles.csv": OBSERVATORY_PARAMETERS,
    "/api/v1/actions": (*ACTION_PARAMETERS, "page_size"),
    "/api/v1/structures": (*DIRECTORY_PARAMETERS, "page", "page_size"),
}
# Addresses whose last part is itself a parameter.
PATH_ADDRESSES = ("/territoires/{}/", "/observatoire/departement/{}/", "/observatoire/region/{}/")
ACCEPTED = {200, 301, 302, 400, 404}

odd_numbers = st.sampled_from(["²", "٣", "１２", "0", "-1", "1e3", "99999999999999999999", "9" * 5000, "2023\n"])
values = st.one_of(
    st.text(max_size=40),
    odd_numbers,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5).map(lambda text: text * 400),
    st.sampled_from(["\x00", "a\x00b", '"', "-", "OR", "*", "%", "Culture", "69", "csx", "relevance", "2023"]),
)


def queries(names: tuple[str, ...]):
    """A query string as pairs: each parameter of `names` absent, once, or repeated."""
    if not names:
        return st.just([])
    pair = st.tuples(st.sampled_from(names), values)
    return st.lists(pair, max_size=4)


@pytest.fixture
def small_world(db):
    structure = make_structure("Centre social Lyon Sud", "69")
    make_sheet("Ateliers vélo", structure, keywords=["Culture"], public=["Adultes"], year=2023)


def check(client, url: str, pairs: list[tuple[str, str]]) -> None:
    query = {}
    for name, value in pairs:
        query.setdefault(name, []).append(value)
    response = client.get(url, query)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # an export fails while it is sent, if it fails
    assert response.status_code in ACCEPTED, (url, pairs, response.status_code)
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json", (url, pairs)


FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("url", ADDRESSES)
@FUZZ
@given(data=st.data())
def test_no_parameter_value_breaks_a_public_page(client, small_world, url, data):
    check(client, url, data.draw(queries(ADDRESSES[url]), label="query"))


@pytest.mark.parametrize("pattern", PATH_ADDRESSES)
@FUZZ
@given(value=values.filter(bool))
def test_no_territory_code_breaks_a_territory_page(client, small_world, pattern, value):
    check(client, pattern.format(quote(value, safe="")), [])
