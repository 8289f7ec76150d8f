import datetime

import pytest
from django.urls import reverse

from maillage.observatory.figures.secrecy import SECRET
from maillage.observatory.figures.situation import EVERYONE, situate
from maillage.observatory.figures.statistics import summarize
from maillage.observatory.models import Campaign, Questionnaire, Response, ResponseStatus
from maillage.referentials.models import TerritoryType
from tests.authz.conftest import ROLES, world  # noqa: F401
from tests.logins import log_in
from tests.observatory_reports.conftest import values_of

pytestmark = pytest.mark.django_db

ALLOWED = {"member_a", "admin_a", "correspondent", "national_admin"}


@pytest.fixture
def answered(world, aggregates):  # noqa: F811
    campaign = Campaign.objects.create(year=2024, opens_on=datetime.date(2025, 3, 1),
                                       closes_on=datetime.date(2025, 5, 31))  # fmt: skip
    questionnaire = Questionnaire.objects.create(campaign=campaign, kind="csx", code="CSX", version="1", title="T",
                                                 main_file="csx.yaml", sources={}, question_count=0)  # fmt: skip
    urban = TerritoryType.objects.filter(label__icontains="urbain").first() or TerritoryType.objects.create(
        label="Un espace à dominante urbaine"
    )
    structure = world.structure_a
    structure.territory_type = urban
    structure.save()
    Response.objects.create(
        questionnaire=questionnaire,
        structure=structure,
        status=ResponseStatus.VALIDATED,
        answers={"RH_SALARIES": 20, "RH_ETP_TOTAL": "12.5", "FIN_CHARGES_TOTAL": 900000},
    )
    return world


@pytest.mark.parametrize("role", ROLES)
def test_situate_access(client, answered, role):
    user = answered.users[role]
    if user is not None:
        log_in(client, user)
    response = client.get(reverse("observatory:situate", kwargs={"pk": answered.structure_a.pk}))
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ALLOWED:
        assert response.status_code == 200
        assert "Se situer : Centre social A" in response.content.decode()
    else:
        assert response.status_code == 404


def test_situate_values_match_direct_computation(answered):
    situation = situate(answered.structure_a, EVERYONE)  # widened: every kind
    assert situation.year == 2024
    etp = next(c for c in situation.comparisons if c.indicator.code == "ETP")
    assert str(etp.value) == "12.5"
    groups = {g.label: g for g in etp.chart.groups}
    department = groups["Département : Bouches-du-Rhône"]
    assert department.quartiles == summarize(values_of(["13"], ["csx", "evs"])).quartiles
    assert groups["France"].quartiles == summarize(values_of(["13", "84"], ["csx", "evs"])).quartiles
    # The urban CSX rest on 5 structures and no published figure gives one of them away (the fixture stores no
    # rural CSX: the split is not a sum of stored figures): shown, not hidden for the national CSX' sake.
    peers = groups["Centres sociaux en territoire urbain"]
    assert peers.quartiles == summarize(values_of(["13"], ["csx"])[:5]).quartiles and peers.structures == 5
    assert [g.label for g in etp.chart.groups][1].startswith("Région : ")


def test_situate_without_validated_response(client, world, aggregates):  # noqa: F811
    log_in(client, world.users["member_a"])
    response = client.get(reverse("observatory:situate", kwargs={"pk": world.structure_a.pk}))
    assert response.status_code == 200
    assert "pas encore de questionnaire validé" in response.content.decode()


def test_unknown_structure_is_404(client, world):  # noqa: F811
    log_in(client, world.users["national_admin"])
    assert client.get(reverse("observatory:situate", kwargs={"pk": 999999})).status_code == 404


def test_shares_and_parts_beside_each_group(client, answered):
    from decimal import Decimal

    from maillage.observatory.figures.disclosure import mark_secrets
    from maillage.observatory.figures.statistics import summarize
    from maillage.referentials.models import Department
    from tests.observatory_reports.conftest import add

    response = Response.objects.get(structure=answered.structure_a)
    funders = {"caf_ps": {"montant": 300000}, "communes": {"montant": 600000}}
    response.answers |= {"PART_CONVENTION_MULTIPARTENAIRE": "oui", "FIN_PRODUITS_FINANCEURS": funders}
    response.save()
    add(2024, "department", "13", "all", "CONVENTION_MULTIPARTENAIRE", summarize([1, 1, 0, 1, 1, 0]))
    add(2024, "nation", "", "all", "CONVENTION_MULTIPARTENAIRE", summarize([1, 0, 1]))  # 3 structures: secret
    for code, values in (("FINANCEMENT_CAF", [250_000] * 6), ("FINANCEMENT_TOTAL", [1_000_000] * 6)):
        add(2024, "department", "13", "all", code, summarize([Decimal(v) for v in values]))
    mark_secrets(2024, dict(Department.objects.values_list("code", "region__code")))
    log_in(client, answered.users["member_a"])
    page = client.get(reverse("observatory:situate", kwargs={"pk": answered.structure_a.pk}), {"comparer": "toutes"})
    proportions = {row["label"]: row for row in page.context["proportions"]}
    convention = proportions["Structures ayant une convention de financement multipartenariale"]
    labels = page.context["situation"].groups
    assert convention["own"] == "oui"
    assert dict(zip(labels, convention["groups"], strict=True))["Département : Bouches-du-Rhône"] == "67\u00a0%"
    assert dict(zip(labels, convention["groups"], strict=True))["France"] == "s"
    caf = proportions["Part des produits venant de la Caf"]
    assert caf["own"] == "33\u00a0%"  # 300 000 of 900 000
    assert dict(zip(labels, caf["groups"], strict=True))["Département : Bouches-du-Rhône"] == "25\u00a0%"
    assert "Parts et pourcentages" in page.content.decode()


def test_a_centre_social_is_compared_with_centres_sociaux_by_default(client, answered):
    """Same kind in the department, the region, the same territory type, France; secrecy of each group kept (the
    department's CSX are secret here: all − CSX would give its 3 EVS away)."""
    situation = situate(answered.structure_a)
    assert situation.peers == "type"
    region = answered.structure_a.department.region.name
    assert situation.groups == ["Centres sociaux — Bouches-du-Rhône", f"Centres sociaux — {region}",
                                "Centres sociaux urbains — France", "Centres sociaux — France"]  # fmt: skip
    etp = next(c for c in situation.comparisons if c.indicator.code == "ETP")
    groups = {g.label: g for g in etp.chart.groups}
    assert groups["Centres sociaux — Bouches-du-Rhône"].quartiles is SECRET
    assert groups["Centres sociaux urbains — France"].quartiles == summarize(values_of(["13"], ["csx"])[:5]).quartiles

    log_in(client, answered.users["member_a"])
    url = reverse("observatory:situate", kwargs={"pk": answered.structure_a.pk})
    text = client.get(url).content.decode()
    assert '<strong aria-current="page">les centres sociaux</strong>' in text
    assert f'href="{url}?comparer=toutes"' in text
    widened = client.get(url, {"comparer": "toutes"}).context["situation"]
    assert widened.peers == "toutes" and "Département : Bouches-du-Rhône" in widened.groups


def test_an_evs_is_compared_with_evs(client, answered):
    """An EVS's groups are EVS only: the figures are the `kind=evs` aggregates, not those of every structure."""
    from tests.observatory_reports.conftest import add

    structure = answered.structure_a
    structure.kind = "evs"
    structure.save()
    Response.objects.filter(structure=structure).update(answers={"RH_SALARIES": 4, "RH_ETP_TOTAL": "2.5"})
    evs = [1, 2, 2, 3, 4, 5]
    add(2024, "nation", "", "kind=evs|territory=urbain", "ETP", summarize(evs))
    add(2024, "nation", "", "kind=evs|territory=urbain", "SALARIES", summarize(evs))
    add(2024, "nation", "", "kind=evs", "SALARIES", summarize([*evs, 1]))
    add(2024, "nation", "", "all", "SALARIES", summarize([19] * 10))
    situation = situate(structure)
    assert situation.groups[-2:] == ["Espaces de vie sociale urbains — France", "Espaces de vie sociale — France"]
    staff = next(c for c in situation.comparisons if c.indicator.code == "SALARIES")
    groups = {g.label: g for g in staff.chart.groups}
    assert groups["Espaces de vie sociale — France"].quartiles == summarize([*evs, 1]).quartiles  # not 19
    assert groups["Espaces de vie sociale urbains — France"].quartiles == summarize(evs).quartiles

    log_in(client, answered.users["member_a"])
    text = client.get(reverse("observatory:situate", kwargs={"pk": structure.pk})).content.decode()
    assert '<strong aria-current="page">les espaces de vie sociale</strong>' in text


def test_se_situer_is_reached_from_the_reports_and_the_space(client, answered):
    page = client.get(reverse("observatory:departement", kwargs={"code": "13"})).content.decode()
    assert f'href="{reverse("observatory:situate-choice")}"' in page
    log_in(client, answered.users["member_a"])
    choice = client.get(reverse("observatory:situate-choice")).content.decode()
    assert f'href="{reverse("observatory:situate", kwargs={"pk": answered.structure_a.pk})}"' in choice
    for home in ("contribute:home", "observatory_fill:home"):  # « Mon espace », the questionnaires' page
        space = client.get(reverse(home)).content.decode()
        assert f'href="{reverse("observatory:situate", kwargs={"pk": answered.structure_a.pk})}"' in space, home
