"""The moderation tabs show their counts, in the person's scope, with a bounded number of queries."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.actions.models import ActionState
from tests.factories import make_sheet, make_structure

from .conftest import make_old

pytestmark = pytest.mark.django_db
State = ActionState


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def fill(world, count: int, prefix: str) -> None:
    for number in range(count):
        make_sheet(f"{prefix} soumise {number}", world.structure_a, state=State.SUBMITTED)
        make_old(make_sheet(f"{prefix} ancienne {number}", world.structure_b, state=State.PUBLISHED))
        make_structure(f"{prefix} orpheline {number}", "13")


def test_tabs_show_their_counts(client, world):
    fill(world, 2, "Treize")
    make_sheet("Atelier du Rhône", world.structure_69, state=State.SUBMITTED)
    make_sheet("Jardin partagé des Lilas", world.structure_a, state=State.PUBLISHED)
    make_sheet("Jardin partagé des Lilas", world.structure_b, state=State.PUBLISHED)
    page = world.client_for(client, "correspondent").get("/moderation/").content.decode()
    assert "Fiches à examiner (2)</a>" in page
    assert "Fiches à actualiser (2)</a>" in page
    assert "Doublons probables (1)</a>" in page
    assert "Modifications de fiches publiées (0)</a>" in page
    assert "Structures orphelines (2)</a>" in page  # structure_a and structure_b have members
    other = world.client("other_correspondent").get("/moderation/").content.decode()
    assert "Fiches à examiner (1)</a>" in other and "Doublons probables (0)</a>" in other
    admin = world.client("national_admin").get("/moderation/doublons/").content.decode()
    assert "Fiches à examiner (3)</a>" in admin


def test_a_dismissal_updates_the_duplicates_count(client, world):
    first = make_sheet("Jardin partagé des Lilas", world.structure_a, state=State.PUBLISHED)
    second = make_sheet("Jardin partagé des Lilas", world.structure_b, state=State.PUBLISHED)
    correspondent = world.client_for(client, "correspondent")
    assert "Doublons probables (1)</a>" in correspondent.get("/moderation/").content.decode()
    correspondent.post("/moderation/doublons/ignorer/", {"fiche": first.pk, "autre": second.pk})
    assert "Doublons probables (0)</a>" in correspondent.get("/moderation/").content.decode()


def queries(client, url: str, *, cold: bool) -> int:
    client.get(url)  # the session
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/moderation/", "/moderation/?etat=published&a_actualiser=on", "/moderation/orphelines/"]
)
def test_query_count_does_not_grow_with_the_data(client, world, url):
    correspondent = world.client_for(client, "correspondent")
    fill(world, 1, "Un")
    few_cold, few_warm = queries(correspondent, url, cold=True), queries(correspondent, url, cold=False)
    fill(world, 15, "Beaucoup")
    assert queries(correspondent, url, cold=True) == few_cold <= 20
    assert queries(correspondent, url, cold=False) == few_warm == few_cold - 7  # the tabs' counts, kept a minute


def test_a_decision_counts_again_at_once(client, world):
    sheet = make_sheet("Atelier vélo", world.structure_a, state=State.SUBMITTED)
    correspondent = world.client_for(client, "correspondent")
    assert "Fiches à examiner (1)</a>" in correspondent.get("/moderation/").content.decode()
    correspondent.post(f"/moderation/fiches/{sheet.pk}/", {"target": State.PUBLISHED})
    assert "Fiches à examiner (0)</a>" in correspondent.get("/moderation/").content.decode()
