"""The pages: list of my questionnaires, summary, section form, autosave, last year's answers, submission, roles."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.observatory.answers import filling
from maillage.observatory.models import Flag, FlagStatus, Response, ResponseStatus
from tests.logins import log_in

from .conftest import COMPLETE_CSX, ROLES, open_campaign, section_url, summary_url

VIEWERS = {"member_a", "admin_a", "correspondent", "national_admin"}
EDITORS = {"member_a", "admin_a"}


def client_for(world, role, **kwargs) -> Client:
    client = Client(**kwargs)
    if world.users[role] is not None:
        log_in(client, world.users[role])
    return client


def stored(world) -> Response:
    return Response.objects.get(structure=world.structure_a, questionnaire__campaign__year=2025)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["summary", "section"])
def test_who_sees_the_questionnaire(world, campaign, role, page):
    url = (
        summary_url(campaign, world.structure_a)
        if page == "summary"
        else section_url(campaign, world.structure_a, "RH")
    )
    response = client_for(world, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
    elif role in VIEWERS:
        assert response.status_code == 200
        assert (b'name="save"' in response.content) == (role in EDITORS and page == "section")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_saves_a_section(world, campaign, role):
    response = client_for(world, role).post(section_url(campaign, world.structure_a, "RH"), {"RH_SALARIES": "12"})
    saved = Response.objects.filter(structure=world.structure_a).exists()
    assert saved == (role in EDITORS)
    expected = {"anonymous": 302, "member_b": 404, "other_correspondent": 404}.get(role, 403)
    assert response.status_code == (302 if role in EDITORS else expected)


@pytest.mark.parametrize("role", ROLES)
def test_who_autosaves(world, campaign, role):
    url = section_url(campaign, world.structure_a, "RH", "autosave")
    response = client_for(world, role).post(url, {"RH_SALARIES": "12"})
    if role in EDITORS:
        assert response.status_code == 200 and response.json()["saved"] is True
    elif role in ("correspondent", "national_admin"):
        assert response.status_code == 403 and response.json()["saved"] is False
    else:
        assert response.status_code in (302, 404)
    assert Response.objects.filter(structure=world.structure_a).exists() == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_who_submits(world, campaign, role):
    Response.objects.create(
        questionnaire=filling.questionnaire_for(campaign, world.structure_a),
        structure=world.structure_a,
        answers=dict(COMPLETE_CSX),
        status=ResponseStatus.IN_PROGRESS,
    )
    response = client_for(world, role).post(summary_url(campaign, world.structure_a, "submit"))
    assert (stored(world).status == ResponseStatus.SUBMITTED) == (role in EDITORS)
    if role not in EDITORS:
        assert response.status_code in (302, 403, 404)
        assert response.status_code != 302 or role == "anonymous"


@pytest.mark.parametrize("role", ROLES)
def test_my_questionnaires(world, campaign, role):
    response = client_for(world, role).get(reverse("observatory_fill:home"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert (summary_url(campaign, world.structure_a) in response.content.decode()) == (role in EDITORS)
    assert (summary_url(campaign, world.structure_b) in response.content.decode()) == (role == "member_b")


def test_home_shows_status_and_progress(world, campaign):
    client = client_for(world, "member_a")
    assert "non commencé" in client.get(reverse("observatory_fill:home")).content.decode()
    client.post(section_url(campaign, world.structure_a, "RH"), {"RH_SALARIES": "12"})
    assert re.search(r"en cours \(\d+ %\)", client.get(reverse("observatory_fill:home")).content.decode())


def test_campaign_not_open_yet_is_not_found(world, questionnaire_files):
    today = timezone.localdate()
    campaign = open_campaign(
        questionnaire_files, 2025, opens=today + datetime.timedelta(days=3), closes=today + datetime.timedelta(days=30)
    )
    assert client_for(world, "member_a").get(summary_url(campaign, world.structure_a)).status_code == 404


def test_unknown_section_is_not_found(world, campaign):
    assert client_for(world, "member_a").get(section_url(campaign, world.structure_a, "NOPE")).status_code == 404


def test_each_question_type_is_rendered(world, campaign):
    client = client_for(world, "member_a")
    page = client.get(section_url(campaign, world.structure_a, "PROJET")).content.decode()
    assert 'name="ID_POPULATION"' in page and 'inputmode="numeric"' in page  # integer
    assert 'type="radio" name="ID_ADHERENT_FEDERATION" value="oui"' in page  # yes / no
    assert 'type="radio" name="ID_MODE_GESTION"' in page  # single choice
    assert 'type="checkbox" name="PRJ_AXES"' in page  # multiple choice
    assert 'type="date" name="PRJ_DATE_PREMIER_AGREMENT"' in page  # date
    assert '<textarea name="PRJ_PREOCCUPATION_TERRITOIRE"' in page  # long text
    assert '<input type="text" name="ID_AUTRE_FEDERATION"' in page  # short text
    label = filling.questionnaire_for(campaign, world.structure_a).definition().question("ID_ADHERENT_FEDERATION").label
    assert f"Seulement si « {label} » vaut non" in page.replace("&#x27;", "'")  # hidden, rendered, marked
    assert "<legend" in page
    money = client.get(section_url(campaign, world.structure_a, "FINANCES")).content.decode()
    assert 'name="FIN_CHARGES_TOTAL"' in money and 'inputmode="decimal"' in money
    assert 'name="FIN_PRODUITS_FINANCEURS__caf_ps__montant"' in money  # grid cell
    assert '<th scope="row">' in money and '<th scope="col">' in money


def test_grid_saved_from_the_form(world, campaign):
    client = client_for(world, "member_a")
    client.post(
        section_url(campaign, world.structure_a, "PARTENARIATS"),
        {
            "PART_PARTENAIRES__commune__partenariat": "oui",
            "PART_PARTENAIRES__commune__role": "locaux",
            "PART_PARTENAIRES__caf__convention": "non",
        },
    )
    assert stored(world).answers["PART_PARTENAIRES"] == {
        "commune": {"partenariat": True, "role": "locaux"},
        "caf": {"convention": False},
    }
    page = client.get(section_url(campaign, world.structure_a, "PARTENARIATS")).content.decode()
    assert re.search(r'<option value="locaux" selected>', page)


def test_blocking_error_shown_next_to_the_field(world, campaign):
    client = client_for(world, "member_a")
    response = client.post(section_url(campaign, world.structure_a, "RH"), {"RH_SALARIES": "-3", "save": ""})
    assert response.status_code == 302 and response.url.endswith("#erreurs")
    page = client.get(response.url).content.decode().replace("&#x27;", "'")
    assert "« Nombre de salariés » : -3 est inférieur au minimum possible (0)" in page
    field = re.search(r'<input [^>]*name="RH_SALARIES"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "err-RH_SALARIES-0" in field
    assert 'id="err-RH_SALARIES-0"' in page


def test_warning_with_justification(world, campaign):
    client = client_for(world, "member_a")
    client.post(section_url(campaign, world.structure_a, "RH"), {"RH_SALARIES": "400"})
    page = client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    assert 'name="confirm__RH_SALARIES"' in page and "paraît élevé" in page
    client.post(
        section_url(campaign, world.structure_a, "RH"),
        {"RH_SALARIES": "400", "confirm__RH_SALARIES": "Structure multi-sites"},
    )
    assert stored(world).confirmations == {"RH_SALARIES": "Structure multi-sites"}
    page = client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    assert "Valeur confirmée" in page and 'value="Structure multi-sites"' in page


def test_hidden_question_ignored_from_the_form(world, campaign):
    client = client_for(world, "member_a")
    client.post(
        section_url(campaign, world.structure_a, "RH"),
        {"RH_SALARIES": "0", "RH_ETP_TOTAL": "5", "RH_DIRECTEUR_QUALIFIE": "non", "RH_DIRECTEUR_NIVEAU": "niveau_7"},
    )
    answers = stored(world).answers
    assert answers == {"RH_SALARIES": 0, "RH_DIRECTEUR_QUALIFIE": False}


def test_next_section_and_summary_resume_link(world, campaign):
    client = client_for(world, "member_a")
    response = client.post(
        section_url(campaign, world.structure_a, "PROJET"),
        {k: v for k, v in COMPLETE_CSX.items() if k.startswith(("ID_", "PRJ_")) and k != "PRJ_AXES"}
        | {"PRJ_AXES": ["jeunesse"], "ID_ADHERENT_FEDERATION": "oui", "next": ""},
    )
    assert response.url == section_url(campaign, world.structure_a, "ACTIONS")
    summary = client.get(summary_url(campaign, world.structure_a)).content.decode()
    assert f'href="{section_url(campaign, world.structure_a, "ACTIONS")}">Reprendre' in summary
    last = client.post(section_url(campaign, world.structure_a, "THEME_2025"), {"next": ""})
    assert last.url == summary_url(campaign, world.structure_a)


def test_last_year_shown_and_copied(world, campaign, questionnaire_files):
    last = open_campaign(questionnaire_files, 2024, opens=datetime.date(2025, 3, 1), closes=datetime.date(2025, 5, 31))
    Response.objects.create(
        questionnaire=filling.questionnaire_for(last, world.structure_a),
        structure=world.structure_a,
        answers={"RH_SALARIES": 1200, "RH_ETP_TOTAL": "11.5"},
        status=ResponseStatus.VALIDATED,
    )
    client = client_for(world, "member_a")
    page = client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    assert "L'an dernier : 1 200" in page.replace("&#x27;", "'") and "L'an dernier : 11,5" in page.replace(
        "&#x27;", "'"
    )
    assert "Reprendre les réponses de l" in page
    client.post(section_url(campaign, world.structure_a, "RH", "copy-last-year"))
    assert stored(world).answers == {"RH_SALARIES": 1200, "RH_ETP_TOTAL": "11.5"}
    page = client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    assert 'value="11,5"' in page
    assert "validé" in client.get(summary_url(campaign, world.structure_a)).content.decode()


def test_autosave_requires_csrf(world, campaign):
    client = client_for(world, "member_a", enforce_csrf_checks=True)
    url = section_url(campaign, world.structure_a, "RH", "autosave")
    assert client.post(url, {"RH_SALARIES": "12"}).status_code == 403
    assert not Response.objects.exists()
    page = client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    reply = client.post(url, {"RH_SALARIES": "12", "csrfmiddlewaretoken": token})
    assert reply.status_code == 200 and reply.json()["answered"] == 1
    assert f'data-autosave-url="{url}"' in page


def test_autosave_refused_after_submission(world, campaign):
    Response.objects.create(
        questionnaire=filling.questionnaire_for(campaign, world.structure_a),
        structure=world.structure_a,
        answers={"RH_SALARIES": 3},
        status=ResponseStatus.SUBMITTED,
    )
    client = client_for(world, "member_a")
    reply = client.post(section_url(campaign, world.structure_a, "RH", "autosave"), {"RH_SALARIES": "12"})
    assert reply.status_code == 403 and "ne peut plus être modifié" in reply.json()["message"]
    assert stored(world).answers == {"RH_SALARIES": 3}
    assert client.get(reverse("observatory_fill:autosave", args=[2025, world.structure_a.pk, "RH"])).status_code == 405


def test_submit_refused_when_incomplete_then_accepted(world, campaign):
    client = client_for(world, "member_a")
    client.post(section_url(campaign, world.structure_a, "RH"), {"RH_SALARIES": "12", "RH_ETP_TOTAL": "10"})
    summary = client.get(summary_url(campaign, world.structure_a)).content.decode()
    assert "Transmettre le questionnaire" not in summary
    client.post(summary_url(campaign, world.structure_a, "submit"))
    assert stored(world).status == ResponseStatus.IN_PROGRESS
    response = stored(world)
    response.answers = dict(COMPLETE_CSX)
    response.save()
    assert "Transmettre le questionnaire" in client.get(summary_url(campaign, world.structure_a)).content.decode()
    page = client.post(summary_url(campaign, world.structure_a, "submit"), follow=True).content.decode()
    assert "Le questionnaire est transmis" in page
    assert stored(world).status == ResponseStatus.SUBMITTED


def test_kind_mismatch_uses_the_evs_questionnaire(world, campaign):
    world.structure_a.kind = "evs"
    world.structure_a.save()
    page = client_for(world, "member_a").get(summary_url(campaign, world.structure_a)).content.decode()
    assert "EVS" in page or "espaces de vie sociale" in page.lower()
    assert (
        client_for(world, "member_a").get(section_url(campaign, world.structure_a, "PARTENARIATS")).status_code == 200
    )


def test_section_page_query_count(world, campaign, django_assert_max_num_queries, questionnaire_files):
    last = open_campaign(questionnaire_files, 2024, opens=datetime.date(2025, 3, 1), closes=datetime.date(2025, 5, 31))
    Response.objects.create(
        questionnaire=filling.questionnaire_for(last, world.structure_a),
        structure=world.structure_a,
        answers={"RH_SALARIES": 10},
    )
    client = client_for(world, "member_a")
    client.post(section_url(campaign, world.structure_a, "RH"), {"RH_SALARIES": "12"})
    client.get(section_url(campaign, world.structure_a, "RH"))  # definitions cached
    with django_assert_max_num_queries(9):
        assert client.get(section_url(campaign, world.structure_a, "RH")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(section_url(campaign, world.structure_a, "FINANCES")).status_code == 200


def test_values_shown_in_french():
    from maillage.observatory.forms import display_value, input_text

    assert display_value("money", "450000.5") == "450 000,5"
    assert display_value("boolean", True) == "oui"
    assert display_value("date", "2010-03-05") == "05/03/2010"
    assert input_text("decimal", "12.5") == "12,5" and input_text("integer", "douze") == "douze"
    assert input_text("boolean", False) == "non"


def test_returned_questionnaire_shows_the_points_to_review(world, campaign):
    response = filling.response_for(filling.questionnaire_for(campaign, world.structure_a), world.structure_a)
    response.answers, response.status = dict(COMPLETE_CSX), ResponseStatus.RETURNED
    response.save()
    Flag.objects.create(response=response, kind="impossible_ratio", codes=["RH_ETP_TOTAL", "RH_SALARIES"],
                        explanation="Plus d'ETP que de salariés.", comment="<b>Vérifiez</b> les ETP",
                        status=FlagStatus.SENT_BACK)  # fmt: skip
    Flag.objects.create(response=response, kind="jump", codes=["FIN_CHARGES_TOTAL"], explanation="Budget ×10",
                        status=FlagStatus.ACCEPTED)  # fmt: skip
    client = world.client("member_a")
    page = client.get(summary_url(campaign, world.structure_a)).content.decode()
    assert "Points à revoir" in page and "Plus d&#x27;ETP que de salariés." in page
    assert "&lt;b&gt;Vérifiez&lt;/b&gt; les ETP" in page and "<b>Vérifiez" not in page
    assert f'href="{section_url(campaign, world.structure_a, "RH")}"' in page
    assert "Budget ×10" not in page  # accepted by the correspondent: nothing to do
    assert "Plus d&#x27;ETP" in client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    assert "Plus d&#x27;ETP" not in client.get(section_url(campaign, world.structure_a, "FINANCES")).content.decode()
    response.status = ResponseStatus.SUBMITTED
    response.save()
    assert "Points à revoir" not in client.get(summary_url(campaign, world.structure_a)).content.decode()


def test_autosave_on_leaving_keeps_csrf_and_says_when(world, campaign):
    """The page saves when it is hidden or left (questionnaire.js: fetch keepalive, or a beacon, the token in the
    body); the endpoint stays CSRF-protected and answers the time it saved, shown in an aria-live status."""
    client = client_for(world, "member_a", enforce_csrf_checks=True)
    url = section_url(campaign, world.structure_a, "RH", "autosave")
    page = client.get(section_url(campaign, world.structure_a, "RH")).content.decode()
    assert 'id="autosave-status"' in page and 'aria-live="polite"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {"RH_SALARIES": "12", "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert client.post(url, {"RH_SALARIES": "12"}, headers={"x-csrftoken": "x" * 64}).status_code == 403
    assert not Response.objects.exists()
    reply = client.post(url, {"RH_SALARIES": "12"}, headers={"x-csrftoken": token})
    body = reply.json()
    assert reply.status_code == 200 and body["saved"] is True
    assert re.fullmatch(r"\d{1,2} h \d{2}", body["saved_at"]) and body["message"] == f"Enregistré à {body['saved_at']}"
    assert stored(world).answers == {"RH_SALARIES": 12}
