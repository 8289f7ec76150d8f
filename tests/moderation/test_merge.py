"""« Fusionner »: both sheets side by side before anything happens; sheets of two structures are flagged and
merged only when the moderator says so."""

import pytest

from maillage.actions.models import Action, ActionState
from maillage.actions.moderation import MergeError, merge_actions
from tests.factories import make_sheet

from .conftest import ROLES

pytestmark = pytest.mark.django_db
State = ActionState
MERGE = "/moderation/doublons/fusionner/"


@pytest.fixture
def across(world):
    first = make_sheet("Jardin partagé des Lilas", world.structure_a, summary="Un potager <b>ouvert</b>.",
                       keywords=["Culture"])  # fmt: skip
    second = make_sheet("Jardin partagé des Lilas", world.structure_b, summary="Un potager fermé.",
                        keywords=["Culture"])  # fmt: skip
    return first, second


@pytest.fixture
def same(world):
    first = make_sheet("Café des parents", world.structure_a, summary="Le mardi.")
    second = make_sheet("Café des parents", world.structure_a, summary="Le jeudi.")
    return first, second


def test_the_page_compares_field_by_field_and_changes_nothing(client, world, across):
    kept, removed = across
    response = world.client_for(client, "correspondent").get(MERGE, {"garder": kept.pk, "supprimer": removed.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Fiche n° {kept.pk} (conservée)" in page and f"Fiche n° {removed.pk} (supprimée)" in page
    row = page[page.index(">Résumé") : page.index("</tr>", page.index(">Résumé"))]
    assert "Différent" in row and "Un potager &lt;b&gt;ouvert&lt;/b&gt;." in row and "Un potager fermé." in row
    title = page[page.index(">Titre") : page.index("</tr>", page.index(">Titre"))]
    assert "Différent" not in title
    assert "Ces fiches appartiennent à deux structures différentes" in page
    assert 'name="structures_differentes"' in page
    assert f"?garder={removed.pk}&amp;supprimer={kept.pk}" in page  # keep the other one instead
    assert Action.objects.filter(pk__in=[kept.pk, removed.pk]).count() == 2
    assert "INVALID TEMPLATE VARIABLE" not in page


def test_two_structures_are_not_merged_without_the_box(client, world, across):
    kept, removed = across
    correspondent = world.client_for(client, "correspondent")
    response = correspondent.post(MERGE, {"garder": kept.pk, "supprimer": removed.pk})
    assert response.status_code == 400
    assert "deux structures différentes" in response.content.decode()
    assert Action.objects.filter(pk=removed.pk).exists()
    response = correspondent.post(MERGE, {"garder": kept.pk, "supprimer": removed.pk, "structures_differentes": "on"})
    assert response.status_code == 302 and not Action.objects.filter(pk=removed.pk).exists()


def test_the_service_refuses_two_structures_by_default(world, across):
    with pytest.raises(MergeError, match="deux structures différentes"):
        merge_actions(*across, acting_user=world.users["correspondent"])
    assert Action.objects.filter(pk=across[1].pk).exists()


def test_sheets_of_one_structure_merge_after_the_comparison(client, world, same):
    kept, removed = same
    correspondent = world.client_for(client, "correspondent")
    page = correspondent.get(MERGE, {"garder": kept.pk, "supprimer": removed.pk}).content.decode()
    assert "deux structures différentes" not in page and 'name="structures_differentes"' not in page
    response = correspondent.post(MERGE, {"garder": kept.pk, "supprimer": removed.pk})
    assert response.status_code == 302 and not Action.objects.filter(pk=removed.pk).exists()


def test_the_duplicates_list_flags_pairs_of_two_structures(client, world, across):
    page = world.client_for(client, "correspondent").get("/moderation/doublons/").content.decode()
    assert "Ces fiches appartiennent à deux structures différentes" in page
    assert "Comparer et fusionner" in page


EXPECTED = {"anonymous": 302, "member_a": 403, "admin_a": 403, "member_b": 403, "correspondent": 200,
            "other_correspondent": 404, "national_admin": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_may_compare(client, world, across, role):
    kept, removed = across
    response = world.client_for(client, role).get(MERGE, {"garder": kept.pk, "supprimer": removed.pk})
    assert response.status_code == EXPECTED[role]
    if response.status_code != 200:
        assert b"potager" not in response.content
