"""« À faire »: after login each person lands on counts and links made for their role, only about what they
may act on, in a bounded number of queries."""

import re

import pytest
from django.test import Client

from maillage.accounts.models import AccessRequest
from maillage.actions.models import ActionState
from maillage.observatory.models import Response, ResponseStatus
from tests.factories import make_sheet, make_structure
from tests.observatory_fill.conftest import open_campaign, questionnaire_files  # noqa: F401

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
TODO = "/espace/a-faire/"


def tasks(client) -> dict[str, str]:
    """label → count, from the page."""
    html = client.get(TODO).content.decode()
    found = re.findall(r'<span class="todo-count">(\d+)</span> ([^<]+)</a>', html)
    return {label.strip(): int(count) for count, label in found}


@pytest.fixture
def work(world):
    a, b = world.structure_a, world.structure_b  # departments 13 and 69
    for structure in (a, b):
        make_sheet(f"Renvoyée {structure.pk}", structure, state=ActionState.RETURNED)
        make_sheet(f"Soumise {structure.pk}", structure, state=ActionState.SUBMITTED)
        make_sheet(f"Soumise bis {structure.pk}", structure, state=ActionState.SUBMITTED)
    make_structure("Orpheline 13", "13")
    AccessRequest.objects.create(user=world.users["member_b"], structure=a)
    return world


def test_login_lands_on_the_todo_page(world):
    response = Client().post("/connexion/", {"username": "membre.a@exemple.fr", "password": PASSWORD})
    assert response["Location"] == TODO


def test_member_sees_their_structures_sheets(work):
    assert tasks(work.client("member_a")) == {"fiche renvoyée à corriger": 1}
    admin = tasks(work.client("admin_a"))
    assert admin["fiche renvoyée à corriger"] == 1
    assert admin["demande à traiter (rejoindre, prendre en charge ou créer une structure)"] == 1


def test_correspondent_sees_their_departments_only(work):
    found = tasks(work.client("correspondent_13"))
    assert found["fiches soumises à modérer"] == 2  # not the two of department 69
    assert found["structure sans aucun membre"] == 1
    assert found["demande à traiter (rejoindre, prendre en charge ou créer une structure)"] == 1
    other = tasks(work.client("correspondent_69"))
    assert other["fiches soumises à modérer"] == 2
    assert "structure sans aucun membre" not in other and not any("demande" in label for label in other)
    html = work.client("correspondent_13").get(TODO).content.decode()
    assert "Modération (dans mes départements)" in html and 'href="/moderation/"' in html


def test_national_admin_sees_everything(work):
    found = tasks(work.client("national_admin"))
    assert found["fiches soumises à modérer"] == 4
    assert "Modération (partout)" in work.client("national_admin").get(TODO).content.decode()


def test_newcomer_is_offered_to_join(db):
    from .conftest import make_user

    client = Client()
    client.force_login(make_user("nouveau@exemple.fr"))
    html = client.get(TODO).content.decode()
    assert "Rejoindre ma structure" in html and 'href="/espace/rejoindre/"' in html
    assert 'href="/espace/a-faire/" aria-current="page"' in html


def test_questionnaires_to_fill_and_to_check(work, questionnaire_files):  # noqa: F811
    campaign = open_campaign(questionnaire_files, 2025)
    questionnaire = campaign.questionnaires.get(kind="csx")
    Response.objects.create(questionnaire=questionnaire, structure=work.structure_b, status=ResponseStatus.SUBMITTED)
    assert counted(tasks(work.client("member_a")), "questionnaire à remplir") == 1
    assert counted(tasks(work.client("member_b")), "questionnaire à remplir") == 0
    assert counted(tasks(work.client("correspondent_69")), "questionnaire transmis à vérifier et valider") == 1
    assert counted(tasks(work.client("correspondent_13")), "questionnaire transmis à vérifier et valider") == 0


def counted(found: dict, words: str) -> int:
    """The count of the task whose label holds `words` (whatever the campaign's name around them)."""
    pattern = re.compile(r"\b" + r"s? ".join(words.split()) + r"s?\b")
    return sum(count for label, count in found.items() if pattern.search(label.replace(" 2025", "")))


@pytest.mark.parametrize("role", ["member_a", "admin_a", "correspondent_13", "national_admin"])
def test_queries_are_bounded(work, role, django_assert_max_num_queries):
    client = work.client(role)
    for index in range(10):
        structure = make_structure(f"Autre {index}", "13")
        make_sheet(f"Soumise {index}", structure, state=ActionState.SUBMITTED)
        make_sheet(f"Renvoyée {index}", work.structure_a, state=ActionState.RETURNED)
    # Session, person, roles, one query per count, two for the recovery codes, and for moderators the count and the
    # list of errors reported on sheets (18 for a correspondent).
    with django_assert_max_num_queries(19):
        assert client.get(TODO).status_code == 200


def test_second_factor_without_recovery_codes_is_pointed_out(work):
    html = work.client("correspondent_13").get(TODO).content.decode()
    assert "Vous n&#x27;avez plus de codes de secours" in html or "Vous n'avez plus de codes de secours" in html
    assert 'href="/espace/compte/codes-de-secours/"' in html
    from maillage.accounts.two_factor import new_recovery_codes

    new_recovery_codes(work.users["correspondent_13"])
    assert "codes de secours" not in work.client("correspondent_13").get(TODO).content.decode()
    assert "codes de secours" not in work.client("member_a").get(TODO).content.decode()
