"""The moderation queue: who sees it, what it lists, filters, pages, query count."""

import pytest

from maillage.actions.models import Action, ActionState
from tests.factories import make_sheet, make_structure

from .conftest import ROLES, make_old

pytestmark = pytest.mark.django_db
State = ActionState
QUEUE = "/moderation/"


@pytest.fixture
def sheets(world):
    return {
        "a": make_sheet("Jardin partagé A", world.structure_a, state=State.SUBMITTED),
        "b": make_sheet("Café des parents B", world.structure_b, state=State.SUBMITTED),
        "rhone": make_sheet("Atelier du Rhône", world.structure_69, state=State.SUBMITTED),
        "draft": make_sheet("Brouillon secret A", world.structure_a, state=State.DRAFT),
        "published": make_sheet("Fête de quartier A", world.structure_a, state=State.PUBLISHED),
    }


EXPECTED = {
    "anonymous": 302,
    "member_a": 403,
    "admin_a": 403,
    "member_b": 403,
    "correspondent": 200,
    "other_correspondent": 200,
    "national_admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_queue(client, world, sheets, role):
    response = world.client_for(client, role).get(QUEUE)
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert "next=/moderation/" in response["Location"]
    if response.status_code != 200:
        assert b"Jardin partag" not in response.content


def test_correspondent_sees_only_their_departments_submitted_sheets(client, world, sheets):
    page = world.client_for(client, "correspondent").get(QUEUE).content.decode()
    assert "Jardin partagé A" in page and "Café des parents B" in page
    assert "Atelier du Rhône" not in page
    assert "Brouillon secret A" not in page and "Fête de quartier A" not in page
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_other_correspondent_sees_their_department_only(client, world, sheets):
    page = world.client_for(client, "other_correspondent").get(QUEUE).content.decode()
    assert "Atelier du Rhône" in page
    assert "Jardin partagé A" not in page


def test_national_admin_sees_everything(client, world, sheets):
    page = world.client_for(client, "national_admin").get(QUEUE).content.decode()
    assert all(title in page for title in ("Jardin partagé A", "Café des parents B", "Atelier du Rhône"))


def test_oldest_first(client, world, sheets):
    make_old(sheets["b"], days=10)
    page = world.client_for(client, "correspondent").get(QUEUE).content.decode()
    assert page.index("Café des parents B") < page.index("Jardin partagé A")


def test_filters_state_department_structure(client, world, sheets):
    admin = world.client_for(client, "national_admin")
    page = admin.get(QUEUE, {"etat": "published"}).content.decode()
    assert "Fête de quartier A" in page and "Jardin partagé A" not in page
    page = admin.get(QUEUE, {"departement": "69"}).content.decode()
    assert "Atelier du Rhône" in page and "Jardin partagé A" not in page
    page = admin.get(QUEUE, {"structure": world.structure_b.pk}).content.decode()
    assert "Café des parents B" in page and "Jardin partagé A" not in page


def test_department_outside_the_scope_is_refused_next_to_the_field(client, world, sheets):
    response = world.client_for(client, "correspondent").get(QUEUE, {"departement": "69"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce département n&#x27;est pas dans votre périmètre." in page
    assert 'aria-describedby="id_departement-error"' in page
    assert "Atelier du Rhône" not in page


def test_duplicate_and_stale_filters(client, world, sheets):
    Action.objects.filter(pk=sheets["a"].pk).update(probable_duplicate_of=sheets["b"])
    old = make_old(make_sheet("Vieille fiche A", world.structure_a, state=State.PUBLISHED))
    correspondent = world.client_for(client, "correspondent")
    page = correspondent.get(QUEUE, {"doublon": "on"}).content.decode()
    assert "Jardin partagé A" in page and "Café des parents B" not in page
    assert "Doublon probable" in page
    page = correspondent.get(QUEUE, {"etat": "published", "a_actualiser": "on"}).content.decode()
    assert old.title in page and "Fête de quartier A" not in page
    assert "À actualiser" in page


def test_twenty_a_page(client, world):
    structure = make_structure("Centre social prolifique", "13")
    for number in range(25):
        make_sheet(f"Fiche numéro {number:02d}", structure, state=State.SUBMITTED)
    correspondent = world.client_for(client, "correspondent")
    first = correspondent.get(QUEUE).content.decode()
    assert "Fiche numéro 19" in first and "Fiche numéro 20" not in first
    assert "Page 1 sur 2" in first
    second = correspondent.get(QUEUE, {"page": 2}).content.decode()
    assert "Fiche numéro 20" in second and "Fiche numéro 24" in second


def test_bounded_query_count(client, world, django_assert_num_queries):
    correspondent = world.client_for(client, "correspondent")
    make_sheet("Une seule fiche", world.structure_a, state=State.SUBMITTED)
    correspondent.get(QUEUE)  # warms the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        correspondent.get(QUEUE)
    structure = make_structure("Centre social prolifique", "13")
    for number in range(30):
        make_sheet(f"Fiche {number}", structure, state=State.SUBMITTED)
    Action.objects.filter(structure=structure).update(probable_duplicate_of=Action.objects.first())
    with django_assert_num_queries(len(few)):
        correspondent.get(QUEUE)
    assert len(few) <= 8
