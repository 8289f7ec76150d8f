"""Who may open the contributors' pages, and how many queries `/espace/` makes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.actions.models import ActionState
from tests.factories import make_sheet, make_structure

from .conftest import EDITORS, ROLES
from .helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_home(login, people, role):
    make_sheet("Jardin des Lilas", people["structure"], state=ActionState.DRAFT)
    response = login(role).get(reverse("contribute:home"))
    if role == "anonymous":
        assert response.status_code == 302 and "next=/espace/" in response["Location"]
        return
    assert response.status_code == 200
    html = response.content.decode()
    member_of_a = role in {"member", "structure_admin"}
    assert ("Jardin des Lilas" in html) is member_of_a
    assert (people["other_structure"].name in html) is (role == "other_member")


@pytest.mark.parametrize("role", ROLES)
def test_new_sheet_form(login, people, role):
    url = f"{reverse('contribute:sheet-new')}?structure={people['structure'].pk}"
    client = login(role)
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in EDITORS else 404)
    client.post(url, form_data(title="Créée par " + role))
    from maillage.actions.models import Action

    assert Action.objects.filter(title="Créée par " + role).exists() is (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_edit_form(login, people, role):
    sheet = make_sheet("Jardin des Lilas", people["structure"], state=ActionState.DRAFT, summary="Secret du brouillon")
    url = reverse("contribute:sheet-edit", kwargs={"pk": sheet.pk})
    client = login(role)
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in EDITORS else 404)
        assert ("Secret du brouillon" in response.content.decode()) is (role in EDITORS)
    client.post(url, form_data(sheet, summary="Changé par " + role))
    sheet.refresh_from_db()
    assert (sheet.summary == "Changé par " + role) is (role in EDITORS)


def test_unknown_structure_is_a_404(login):
    assert login("national_admin").get(f"{reverse('contribute:sheet-new')}?structure=999999").status_code == 404


@pytest.mark.parametrize("value", ["abc", "", "99999999999999999999999", "-1", "²", "１"])
def test_structure_parameter_that_is_no_number_is_a_400(login, value):
    response = login("national_admin").get(reverse("contribute:sheet-new"), {"structure": value})
    assert response.status_code == 400
    assert "Paramètre «&nbsp;structure&nbsp;»" in response.content.decode()


def test_huge_ids_are_404_not_errors(login):
    client = login("national_admin")
    assert client.get("/espace/fiches/99999999999999999999999/modifier/").status_code == 404
    assert client.get("/fichiers/99999999999999999999999/").status_code == 404


def test_home_query_count_does_not_grow_with_sheets(login, people, django_assert_max_num_queries):
    client = login("member")
    make_sheet("Une", people["structure"], state=ActionState.DRAFT)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("contribute:home")).status_code == 200
    from maillage.accounts.models import Membership

    for index in range(3):
        structure = make_structure(f"Centre {index}", "13")
        Membership.objects.create(user=people["member"], structure=structure)
        for state in ActionState.values:
            make_sheet(f"Fiche {index} {state}", structure, state=state)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("contribute:home"))
    assert "Fiche 2 archived" in response.content.decode()
    assert len(many) == len(few) <= 8
