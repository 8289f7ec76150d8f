"""The list of campaigns, their creation and their dates: national administrators only, French messages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import AuditAction, AuditEvent
from maillage.observatory.campaigns import campaign_overview, load_questionnaire
from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR
from maillage.observatory.models import Campaign, Response, ResponseStatus
from tests.factories import make_structure

from .conftest import CREATE_URL, LIST_URL, ROLES, choose_shipped, edit_url, load_url, text_of, upload

pytestmark = pytest.mark.django_db


def test_urls():
    assert reverse("observatory_admin:campaigns") == LIST_URL
    assert reverse("observatory_admin:campaign-create") == CREATE_URL
    assert reverse("observatory_admin:campaign-edit", args=[2025]) == edit_url(2025)
    assert reverse("observatory_admin:questionnaire-load", args=[2025]) == load_url(2025)


@pytest.mark.parametrize("role", ROLES)
def test_only_national_administrators(world, campaign, role):
    client = world.client(role)
    dates = {"opens_on": "01/03/2027", "closes_on": "31/05/2027"}
    pages = [
        client.get(LIST_URL),
        client.get(CREATE_URL),
        client.post(CREATE_URL, {"year": "2026", **dates}),
        client.get(edit_url(2025)),
        client.post(edit_url(2025), dates),
        client.get(load_url(2025)),
        choose_shipped(client, 2025, "csx_2025.yaml"),
        upload(client, 2025, ("csx_2025.yaml", (QUESTIONNAIRES_DIR / "csx_2025.yaml").read_text(encoding="utf-8"))),
    ]
    statuses = [page.status_code for page in pages]
    if role == "national_admin":
        assert statuses == [200, 200, 302, 200, 302, 200, 302, 400]  # the upload lacks the included file
        return
    for page in pages:
        if role == "anonymous":
            assert page.status_code == 302 and "/connexion/" in page["Location"]
        else:
            assert page.status_code == 403
    assert list(Campaign.objects.values_list("year", "closes_on")) == [(2025, datetime.date(2026, 5, 31))]
    assert not campaign.questionnaires.exists()


def test_the_tab_is_shown_to_national_administrators_only(world):
    assert "Campagnes de l'observatoire</a>" in text_of(world.client("national_admin").get(LIST_URL))
    moderation = text_of(world.client("correspondent").get(reverse("moderation:queue")))
    assert "Campagnes de l'observatoire" not in moderation and LIST_URL not in moderation


def test_empty_list(admin):
    html = text_of(admin.get(LIST_URL))
    assert "Aucune campagne pour l'instant" in html
    assert f'href="{CREATE_URL}"' in html


def test_list_shows_questionnaires_and_responses_by_status(admin, world, campaign):
    choose_shipped(admin, 2025, "csx_2025.yaml")
    questionnaire = campaign.questionnaires.get()
    for structure, status in [(world.structure_a, ResponseStatus.SUBMITTED), (world.structure_b,
                              ResponseStatus.SUBMITTED), (world.structure_69, ResponseStatus.IN_PROGRESS)]:  # fmt: skip
        Response.objects.create(questionnaire=questionnaire, structure=structure, status=status)
    Campaign.objects.create(year=2026, opens_on=datetime.date(2027, 3, 1), closes_on=datetime.date(2027, 5, 31))

    page = admin.get(LIST_URL)
    html = text_of(page)
    assert page.status_code == 200
    assert html.index("Enquête 2027 — données 2026") < html.index("Enquête 2026 — données 2025")
    assert "Ouverture le 01/03/2026, clôture le 31/05/2026." in html
    assert "<code>CSX_CORE</code> version 2025.1 — csx_2025.yaml" in html
    assert f'<td class="text-end">{questionnaire.question_count}</td>' in html
    loaded = timezone.localtime(questionnaire.loaded_at)
    assert f"le {loaded:%d/%m/%Y à %H:%M} par national_admin@maillage.test" in html
    assert "<em>Pas encore chargé</em>" in html  # EVS of 2025, and both kinds of 2026
    section = html[html.index("Enquête 2026 — données 2025") :]
    row = section[section.index('<th scope="row">Centre social</th>') :]
    row = row[: row.index("</tr>")]
    # not started, in progress, submitted, returned, validated, total
    assert row.endswith(
        '<td class="text-end">0</td><td class="text-end">1</td><td class="text-end">2</td>'
        '<td class="text-end">0</td><td class="text-end">0</td>\n        <td class="text-end">3</td>\n      '
    )
    assert f'href="{edit_url(2025)}"' in html and f'href="{load_url(2026)}"' in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST_URL).status_code == 200
    return len(queries)


def test_the_list_reads_a_fixed_number_of_queries(admin, world, questionnaire_folder):
    first = Campaign.objects.create(year=2025, opens_on="2026-03-01", closes_on="2026-05-31")
    for name in ("csx_2025.yaml", "evs_2025.yaml"):
        load_questionnaire(questionnaire_folder / name, first)
    admin.get(LIST_URL)  # the session, once
    few = _list_queries(admin)
    for year in (2022, 2023, 2024):
        campaign = Campaign.objects.create(year=year, opens_on=f"{year + 1}-03-01", closes_on=f"{year + 1}-05-31")
        for name in ("csx_2025.yaml", "evs_2025.yaml"):
            questionnaire = load_questionnaire(questionnaire_folder / str(year) / name, campaign, acting_user=None)
            Response.objects.create(questionnaire=questionnaire, structure=make_structure(), status="validated")
    assert _list_queries(admin) == few
    # session and user, the roles of the menu, then campaigns, questionnaires (with who loaded them), counts
    assert few == 6


@pytest.fixture
def questionnaire_folder(tmp_path):
    """The shipped files, and copies made for 2022–2024 (`years:` changed)."""
    for name in ("csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"):
        text = (QUESTIONNAIRES_DIR / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text, encoding="utf-8")
        for year in (2022, 2023, 2024):
            (tmp_path / str(year)).mkdir(exist_ok=True)
            (tmp_path / str(year) / name).write_text(text.replace("years: [2025]", f"years: [{year}]"), "utf-8")
    return tmp_path


def test_overview_states():
    Campaign.objects.create(year=2025, opens_on="2026-03-01", closes_on="2026-05-31")
    states = [
        campaign_overview(today=datetime.date(2026, m, d))[0].state for m, d in ((2, 28), (3, 1), (5, 31), (6, 1))
    ]
    assert states == ["à venir", "ouverte", "ouverte", "close"]


# -- creation ----------------------------------------------------------------------------------------------------


def test_create_a_campaign(admin):
    page = admin.get(CREATE_URL)
    html = text_of(page)
    assert '<label class="form-label fw-bold" for="id_year">' in html
    assert 'for="id_opens_on"' in html and 'for="id_closes_on"' in html
    assert "jj/mm/aaaa, par exemple 01/03/2026." in html

    response = admin.post(CREATE_URL, {"year": "2026", "opens_on": "01/03/2027", "closes_on": "31/05/2027"})
    assert response.status_code == 302 and response["Location"] == load_url(2026)
    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.opens_on, campaign.closes_on) == (2026, datetime.date(2027, 3, 1),
                                                                      datetime.date(2027, 5, 31))  # fmt: skip
    assert "Campagne Enquête 2027 — données 2026 créée" in text_of(admin.get(load_url(2026)))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": "2025"}, "year", "La campagne Enquête 2026 — données 2025 existe déjà : changez plutôt ses dates."),
        (
            {"closes_on": "28/02/2027"},
            "closes_on",
            "La clôture (28/02/2027) ne peut pas précéder l'ouverture (01/03/2027).",
        ),
        ({"opens_on": "2027-03-01"}, "opens_on", "Date attendue au format jj/mm/aaaa, par exemple 01/03/2026."),
        ({"closes_on": "31/02/2027"}, "closes_on", "Date attendue au format jj/mm/aaaa, par exemple 01/03/2026."),
        ({"opens_on": ""}, "opens_on", "Donnez la date d'ouverture (jj/mm/aaaa)."),
        ({"year": "deux mille"}, "year", "Donnez l'année en chiffres, par exemple 2025."),
        ({"year": "1999"}, "year", "Donnez une année entre 2000 et 2100."),
    ],
    ids=["year-taken", "closes-before-opens", "iso-date", "no-such-day", "missing-date", "year-text", "old-year"],
)
def test_creation_errors_next_to_the_field(admin, campaign, data, field, message):
    response = admin.post(CREATE_URL, {"year": "2026", "opens_on": "01/03/2027", "closes_on": "31/05/2027", **data})
    html = text_of(response)
    assert response.status_code == 400
    assert f'<p id="id_{field}-error" class="invalid-feedback d-block mb-0">{message}</p>' in html
    assert f'aria-describedby="id_{field}-error id_{field}-help"' in html or field == "year"
    assert "Le formulaire contient des erreurs" in html and "<title>Erreur — " in html
    assert list(Campaign.objects.values_list("year", flat=True)) == [2025]


# -- dates -------------------------------------------------------------------------------------------------------


def test_change_the_dates(admin, campaign):
    html = text_of(admin.get(edit_url(2025)))
    assert 'value="01/03/2026"' in html and 'value="31/05/2026"' in html
    assert 'name="year"' not in html
    response = admin.post(edit_url(2025), {"opens_on": "15/03/2026", "closes_on": "15/06/2026"})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    campaign.refresh_from_db()
    assert (campaign.opens_on, campaign.closes_on) == (datetime.date(2026, 3, 15), datetime.date(2026, 6, 15))
    assert "Dates de la campagne Enquête 2026 — données 2025 enregistrées." in text_of(admin.get(LIST_URL))


def test_wrong_dates_change_nothing(admin, campaign):
    response = admin.post(edit_url(2025), {"opens_on": "15/03/2026", "closes_on": "14/03/2026"})
    assert response.status_code == 400
    assert "La clôture (14/03/2026) ne peut pas précéder l'ouverture (15/03/2026)." in text_of(response)
    campaign.refresh_from_db()
    assert campaign.opens_on == datetime.date(2026, 3, 1)


def test_unknown_campaign(admin):
    assert admin.get(edit_url(1990)).status_code == 404
    assert admin.get(load_url(1990)).status_code == 404


def test_creation_and_date_changes_are_audited(admin, world):
    admin.post(CREATE_URL, {"year": "2026", "opens_on": "01/03/2027", "closes_on": "31/05/2027"})
    admin.post(edit_url(2026), {"opens_on": "15/03/2027", "closes_on": "15/06/2027"})
    events = AuditEvent.objects.filter(action=AuditAction.CAMPAIGN).order_by("pk")
    assert [(e.actor, e.details["change"], e.details["opens_on"]) for e in events] == [
        (world.users["national_admin"], "création", "2027-03-01"),
        (world.users["national_admin"], "dates", "2027-03-15"),
    ]
