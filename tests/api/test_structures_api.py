"""Open API: the directory of structures (`/api/v1/structures`) and one structure (`/api/v1/structures/<id>`)."""

import datetime as dt
from urllib.parse import urlencode

import pytest

from maillage.actions.models import ActionState
from maillage.exchange.structure_json import STRUCTURE_KEYS
from maillage.structures.models import Structure, StructureKind
from tests.www.test_directory import QPV, make_sheet, make_structure

pytestmark = pytest.mark.django_db

LIST = "/api/v1/structures"


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:1000]
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


@pytest.fixture
def directory():
    make_structure(
        "Centre social des Lilas",
        "69",
        commune="Lyon",
        postcode="69003",
        email="contact@lilas.example.org",
        management_mode="Associatif",
        priority_geography=QPV,
        first_approval=dt.date(1998, 3, 15),
        axis_1="Soutenir les familles",
    )
    make_structure(
        "Espace Bellevue", "69", kind=StructureKind.EVS, commune="Villeurbanne", management_mode="Associatif"
    )
    make_structure("Centre Mistral", "13", commune="Marseille", management_mode="Collectivité locale")
    make_structure("École des parents", "42", kind=StructureKind.EVS, commune="Saint-Étienne")


def test_list_shape(client, directory):
    data = get_json(client, LIST)
    assert set(data) == {"count", "page", "page_size", "results", "facets"}
    assert (data["count"], data["page"], data["page_size"]) == (4, 1, 20)
    assert [item["name"] for item in data["results"]] == [
        "Centre Mistral",
        "Centre social des Lilas",
        "École des parents",
        "Espace Bellevue",
    ]
    lilas = data["results"][1]
    structure = Structure.objects.get(name="Centre social des Lilas")
    assert lilas["id"] == structure.pk
    assert lilas["url"] == f"https://maillage.test/structures/{structure.pk}/"
    assert set(STRUCTURE_KEYS) <= set(lilas)
    assert lilas["kind"] == "csx"
    assert lilas["department"] == "Rhône"
    assert lilas["department_code"] == "69"
    assert lilas["email"] == "contact@lilas.example.org"
    assert lilas["first_approval"] == "1998-03-15"
    assert lilas["axes"] == ["Soutenir les familles", "", "", "", ""]
    assert lilas["management_mode"] == "Associatif"
    assert set(data["facets"]) == {
        "department",
        "region",
        "kind",
        "management_mode",
        "territory_type",
        "priority_geography",
    }
    assert data["facets"]["kind"] == [
        {"value": "csx", "label": "Centre social (CSX)", "count": 2, "selected": False},
        {"value": "evs", "label": "Espace de vie sociale (EVS)", "count": 2, "selected": False},
    ]
    assert data["facets"]["territory_type"] == []


def test_search_and_facets(client, directory):
    data = get_json(client, f"{LIST}?q=saint+etienne")
    assert [item["name"] for item in data["results"]] == ["École des parents"]

    data = get_json(client, f"{LIST}?department=69&department=13&kind=csx")
    assert [item["name"] for item in data["results"]] == ["Centre Mistral", "Centre social des Lilas"]
    departments = [(option["value"], option["count"], option["selected"]) for option in data["facets"]["department"]]
    assert departments == [("13", 1, True), ("69", 1, True)]  # the EVS of the Loire is left out by `kind`
    kinds = [(option["value"], option["count"], option["selected"]) for option in data["facets"]["kind"]]
    assert kinds == [("csx", 2, True), ("evs", 1, False)]


def test_facet_counts_match_direct_orm_counts(client):
    for index in range(60):
        make_structure(
            f"Structure {index}",
            ("69", "13", "2A", "974", "01")[index % 5],
            kind=(StructureKind.CSX, StructureKind.EVS)[index % 2],
            management_mode=("Associatif", "Collectivité locale", "Caf (gestion directe)")[index % 3],
            priority_geography=(QPV, None)[index % 2],
        )
    data = get_json(client, f"{LIST}?region=84&management_mode=Associatif&management_mode=Caf+(gestion+directe)")
    selected = Structure.objects.filter(
        department__region__code="84", management_mode__label__in=["Associatif", "Caf (gestion directe)"]
    )
    assert data["count"] == selected.count()
    for option in data["facets"]["kind"]:
        assert option["count"] == selected.filter(kind=option["value"]).count()
    for option in data["facets"]["department"]:
        assert option["count"] == selected.filter(department__code=option["value"]).count()
    assert {option["value"] for option in data["facets"]["department"]} == {"01", "69"}
    # The region facet counts without the region filter, the management facet without its own.
    for option in data["facets"]["region"]:
        assert (
            option["count"]
            == Structure.objects.filter(
                department__region__code=option["value"],
                management_mode__label__in=["Associatif", "Caf (gestion directe)"],
            ).count()
        )
    for option in data["facets"]["management_mode"]:
        assert (
            option["count"]
            == Structure.objects.filter(department__region__code="84", management_mode__label=option["value"]).count()
        )
        assert option["selected"] == (option["value"] != "Collectivité locale")
    for option in data["facets"]["priority_geography"]:
        assert option["count"] == selected.filter(priority_geography__label=option["value"]).count()


def test_paging(client):
    for index in range(45):
        make_structure(f"Structure {index:02d}")
    data = get_json(client, f"{LIST}?page=3&page_size=20")
    assert (data["count"], data["page"], data["page_size"]) == (45, 3, 20)
    assert [item["name"] for item in data["results"]] == [f"Structure {index:02d}" for index in range(40, 45)]
    data = get_json(client, f"{LIST}?page_size=100")
    assert len(data["results"]) == 45


def test_empty_results_are_a_valid_first_page(client):
    data = get_json(client, f"{LIST}?q=introuvable")
    assert (data["count"], data["results"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"department": "999"}, "department", "« 999 » n'est pas un département connu"),
        ({"kind": "ehpad"}, "kind", "« ehpad » n'est pas un type de structure connu"),
        ({"priority_geography": "QPV"}, "priority_geography", "« QPV » n'est pas une valeur connue"),
        ({"page": "0"}, "page", "supérieur ou égal à 1"),
        ({"page": "deux"}, "page", "« deux » n'est pas un nombre entier"),
        ({"page": "9"}, "page", "la page 9 n'existe pas : la dernière page est la page 1."),
        ({"page_size": "1000"}, "page_size", "au plus 100 résultats par page"),
        ({"page_size": "0"}, "page_size", "supérieur ou égal à 1"),
        ({"departement": "69"}, "departement", "paramètre inconnu"),
        ({"q": "x" * 301}, "q", "la recherche ne peut dépasser 300 caractères"),
    ],
)
def test_bad_parameters_are_answered_with_400_naming_the_parameter(client, directory, params, parameter, message):
    data = get_json(client, f"{LIST}?{urlencode(params)}", status=400)
    assert data["error"]["parameter"] == parameter
    assert message in data["error"]["message"]


def test_list_runs_a_bounded_number_of_queries(client, directory, django_assert_max_num_queries):
    for index in range(30):
        make_structure(f"Structure {index}", "69", management_mode="Associatif")
    with django_assert_max_num_queries(8):
        get_json(client, f"{LIST}?page_size=100")
    params = urlencode([("q", "structure"), ("department", "69"), ("region", "84"), ("management_mode", "Associatif")])
    with django_assert_max_num_queries(11):
        get_json(client, f"{LIST}?{params}")


def test_detail_gives_the_record_and_the_published_sheets(client, directory):
    structure = Structure.objects.get(name="Centre social des Lilas")
    second = make_sheet(structure, "Jardin partagé")
    first = make_sheet(structure, "Atelier couture")
    make_sheet(structure, "Brouillon caché", state=ActionState.DRAFT)
    data = get_json(client, f"{LIST}/{structure.pk}")
    assert data["id"] == structure.pk
    assert data["url"] == f"https://maillage.test/structures/{structure.pk}/"
    assert set(STRUCTURE_KEYS) <= set(data)
    assert data["name"] == "Centre social des Lilas"
    assert data["priority_geography"] == QPV
    assert data["actions"] == [
        {"id": first.pk, "title": "Atelier couture", "url": f"https://maillage.test{first.get_absolute_url()}"},
        {"id": second.pk, "title": "Jardin partagé", "url": f"https://maillage.test{second.get_absolute_url()}"},
    ]


def test_detail_runs_two_queries(client, directory, django_assert_num_queries):
    structure = Structure.objects.get(name="Centre social des Lilas")
    for index in range(5):
        make_sheet(structure, f"Fiche {index}")
    with django_assert_num_queries(2):
        get_json(client, f"{LIST}/{structure.pk}")


def test_unknown_structure_gives_404(client):
    data = get_json(client, f"{LIST}/999999", status=404)
    assert data["error"]["parameter"] == "id"
    assert data["error"]["message"] == "Structure introuvable."


def test_only_get_is_accepted(client, directory):
    response = client.post(LIST)
    assert response.status_code == 405
