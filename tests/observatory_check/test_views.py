import pytest
from django.urls import reverse
from django.utils.html import escape

from maillage.observatory.checks import checking
from maillage.observatory.models import AnswerCorrection, Flag, FlagStatus, Response, ResponseStatus
from tests.factories import make_structure
from tests.logins import log_in

from .conftest import ROLES

CHECKERS_13 = {"correspondent", "national_admin"}
CHECKERS = {"correspondent", "other_correspondent", "national_admin"}


def client_for(client, world, role):
    if role != "anonymous":
        log_in(client, world.users[role])
    return client


def flagged(campaign, **answers) -> tuple[Response, Flag]:
    response = campaign[0]
    response.answers = {**response.answers, **(answers or {"PUB_PARTICIPANTS_UNIQUES": 50_000})}
    response.save()
    [flag] = checking.raise_flags(response)
    return response, flag


def urls(response, flag):
    args = [2025, response.structure_id]
    return [
        ("get", reverse("observatory_check:response", args=args)),
        ("post", reverse("observatory_check:flag-comment", args=[*args, flag.pk])),
        ("post", reverse("observatory_check:flag-accept", args=[*args, flag.pk])),
        ("post", reverse("observatory_check:return", args=args)),
        ("post", reverse("observatory_check:correct", args=args)),
        ("post", reverse("observatory_check:recompute", args=args)),
        ("post", reverse("observatory_check:validate", args=args)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_dashboard_permissions(client, world, campaign, role):
    page = client_for(client, world, role).get(reverse("observatory_check:dashboard"))
    if role == "anonymous":
        assert page.status_code == 302
    elif role in CHECKERS:
        assert page.status_code == 200
    else:
        assert page.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_response_pages_permissions(client, world, campaign, role):
    """Empty POSTs: allowed roles get the page or a French refusal (400/409), never a change; others nothing."""
    response, flag = flagged(campaign)
    client = client_for(client, world, role)
    for method, url in urls(response, flag):
        page = getattr(client, method)(url)
        if role == "anonymous":
            assert page.status_code == 302, url
        elif role in CHECKERS_13:
            assert page.status_code in (200, 302, 400, 409), url
        elif role == "other_correspondent":
            assert page.status_code == 404, url
        else:
            assert page.status_code == 403, url
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED  # validation refused: the flag is open


@pytest.mark.django_db
def test_dashboard_counts_filters_and_list(client, world, campaign):
    log_in(client, world.users["correspondent"])
    checking.raise_flags(flagged(campaign)[0])
    page = client.get(reverse("observatory_check:dashboard"))
    body = page.content.decode()
    assert world.structure_69.name not in body  # outside the correspondent's departments
    totals = {value: count for value, _, count in page.context["totals"]}
    assert totals == {"not_started": 1, "in_progress": 0, "submitted": 1, "returned": 0, "validated": 9}
    [a] = [s for s in page.context["page"].object_list if s.pk == world.structure_a.pk]
    assert (a.response_status, a.open_flags) == ("submitted", 1)
    page = client.get(reverse("observatory_check:dashboard"), {"etat": "not_started", "departement": "13"})
    assert [s.name for s in page.context["page"].object_list] == ["Centre social B"]
    page = client.get(reverse("observatory_check:dashboard"), {"departement": "69", "etat": "nope"})
    assert escape("Ce département n'est pas dans votre périmètre.") in page.content.decode()
    assert "Choisissez un état de la liste." in page.content.decode()


@pytest.mark.django_db
def test_national_admin_sees_every_department(client, world, campaign):
    log_in(client, world.users["national_admin"])
    page = client.get(reverse("observatory_check:dashboard"), {"departement": "69"})
    assert [s.name for s in page.context["page"].object_list] == [world.structure_69.name]


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_structures(client, world, campaign, django_assert_max_num_queries):
    log_in(client, world.users["correspondent"])
    client.get(reverse("observatory_check:dashboard"))
    with django_assert_max_num_queries(12):
        client.get(reverse("observatory_check:dashboard"))
    for n in range(30):
        make_structure(f"Centre supplémentaire {n}", "13")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("observatory_check:dashboard"))
    assert len(page.context["page"].object_list) == 20
    assert "Page 1 sur 3" in page.content.decode()


@pytest.mark.django_db
def test_response_page_shows_answers_and_flags(client, world, campaign, django_assert_max_num_queries):
    response, flag = flagged(campaign)
    log_in(client, world.users["correspondent"])
    url = reverse("observatory_check:response", args=[2025, response.structure_id])
    client.get(url)
    with django_assert_max_num_queries(15):
        page = client.get(url)
    body = page.content.decode()
    assert "Ressources humaines" in body and "RH_ETP_TOTAL" in body and "9 ETP" in body
    assert "12,5 heures" in body and "oui" in body
    assert flag.explanation.split(" (")[0][:40] in page.content.decode()
    assert "Valider le questionnaire" in body and "Renvoyer à la structure" in body


@pytest.mark.django_db
def test_validate_refused_with_french_explanation_then_accepted(client, world, campaign):
    response, flag = flagged(campaign, RH_SALARIES=5)  # fewer employees than ETP: flagged, no blocking rule
    log_in(client, world.users["correspondent"])
    args = [2025, response.structure_id]
    page = client.post(reverse("observatory_check:validate", args=args))
    assert page.status_code == 409
    assert "1 signalement reste à traiter" in page.content.decode()
    page = client.post(
        reverse("observatory_check:flag-accept", args=[*args, flag.pk]),
        {"form": "flag", "flag_id": flag.pk, "comment": ""},
    )
    assert page.status_code == 400
    assert f'id="flag-{flag.pk}-error"' in page.content.decode()
    client.post(
        reverse("observatory_check:flag-accept", args=[*args, flag.pk]), {"comment": "Départs en cours d'année."}
    )
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.ACCEPTED
    page = client.post(reverse("observatory_check:validate", args=args), follow=True)
    assert "Questionnaire validé." in page.content.decode()
    response.refresh_from_db()
    assert response.status == ResponseStatus.VALIDATED


@pytest.mark.django_db
def test_send_back_needs_a_comment(client, world, campaign, mailoutbox):
    response, _ = flagged(campaign)
    log_in(client, world.users["correspondent"])
    url = reverse("observatory_check:return", args=[2025, response.structure_id])
    page = client.post(url, {"form": "return", "comment": "  "})
    assert page.status_code == 400 and 'id="return-error"' in page.content.decode()
    page = client.post(url, {"form": "return", "comment": "Revoir les <b>passages</b>."}, follow=True)
    response.refresh_from_db()
    assert response.status == ResponseStatus.RETURNED
    assert "Revoir les &lt;b&gt;passages&lt;/b&gt;." in page.content.decode()


@pytest.mark.django_db
def test_correct_a_value_from_the_page(client, world, campaign):
    response, _ = flagged(campaign)
    log_in(client, world.users["correspondent"])
    url = reverse("observatory_check:correct", args=[2025, response.structure_id])
    page = client.post(url, {"form": "correct", "code": "PUB_PARTICIPANTS_UNIQUES", "value": "1 300", "reason": ""})
    assert page.status_code == 400 and 'id="correct-reason-error"' in page.content.decode()
    page = client.post(url, {"form": "correct", "code": "PUB_PARTICIPANTS_UNIQUES", "value": "beaucoup", "reason": "x"})
    assert "Valeur illisible" in page.content.decode()
    client.post(url, {"code": "PUB_PARTICIPANTS_UNIQUES", "value": "1 300", "reason": "Erreur de saisie (un zéro)."})
    correction = AnswerCorrection.objects.get()
    assert (correction.old_value, correction.new_value) == (50000, 1300)
    assert correction.acting_user == world.users["correspondent"]
    assert not response.flags.filter(status__in=checking.UNRESOLVED).exists()


@pytest.mark.django_db
def test_not_started_structure_page(client, world, campaign):
    log_in(client, world.users["correspondent"])
    page = client.get(reverse("observatory_check:response", args=[2025, world.structure_b.pk]))
    assert page.status_code == 200 and "pas encore commencé" in page.content.decode()
    page = client.post(reverse("observatory_check:validate", args=[2025, world.structure_b.pk]))
    assert page.status_code == 404
    assert client.get(reverse("observatory_check:response", args=[2031, world.structure_b.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["correspondent", "national_admin"])
def test_moderation_tabs_lead_to_the_observatory(world, role):
    client = world.client(role)
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert f'href="{reverse("observatory_check:dashboard")}"' in queue
    dashboard = client.get(reverse("observatory_check:dashboard")).content.decode()
    assert 'aria-current="page" href="/moderation/observatoire/"' in dashboard
    assert (f'href="{reverse("observatory_import:upload")}"' in dashboard) is (role == "national_admin")


STAFF_600 = {
    "RH_SALARIES": 700, "RH_ETP_TOTAL": "600", "RH_ETP_PILOTAGE": "100", "RH_ETP_ACTIVITES": "400",
    "RH_ETP_LOGISTIQUE": "100", "RH_CDI_ETP": "400", "RH_CDD_ETP": "100", "RH_AIDES_ETP": "100",
}  # fmt: skip


@pytest.mark.django_db
def test_refused_correction_offers_the_related_answers_then_corrects_them_together(client, world, campaign):
    response = campaign[0]
    response.answers = {**response.answers, **STAFF_600}
    response.save()
    log_in(client, world.users["correspondent"])
    url = reverse("observatory_check:correct", args=[2025, response.structure_id])
    page = client.post(url, {"form": "correct", "code": ["RH_ETP_TOTAL", ""], "value": ["60", ""], "reason": "Typo"})
    assert page.status_code == 400
    body = page.content.decode()
    assert escape("Correction refusée : Les ETP par fonction doivent totaliser le nombre total d'ETP") in body
    assert 'id="correct-value-error"' in body and "Decimal" not in body
    # The form comes back with the corrected line and the related answers at their current values, to change.
    rows = [(row["code"], row["value"]) for row in page.context["correction_rows"]]
    assert rows == [("RH_ETP_TOTAL", "60"), ("RH_ETP_PILOTAGE", "100"), ("RH_ETP_ACTIVITES", "400"),
                    ("RH_ETP_LOGISTIQUE", "100"), ("RH_CDI_ETP", "400"), ("RH_CDD_ETP", "100"),
                    ("RH_AIDES_ETP", "100")]  # fmt: skip
    row_2 = body[body.index('id="correct-code-2"') : body.index("</select>", body.index('id="correct-code-2"'))]
    assert '<option value="RH_ETP_PILOTAGE" selected>' in row_2
    assert not AnswerCorrection.objects.exists()
    values = ["60", "10", "40", "10", "40", "10", "10"]
    page = client.post(url, {"code": [code for code, _ in rows], "value": values, "reason": "Typo"}, follow=True)
    assert "Valeur corrigée ; la correction est consignée." in page.content.decode()
    assert AnswerCorrection.objects.count() == 7
    response.refresh_from_db()
    assert (response.answers["RH_ETP_TOTAL"], response.answers["RH_ETP_ACTIVITES"]) == (60, 40)


@pytest.mark.django_db
def test_validation_refused_while_a_blocking_rule_is_broken(client, world, campaign):
    response = campaign[0]
    response.answers = {**response.answers, **STAFF_600, "RH_ETP_TOTAL": "60"}
    response.save()
    for flag in checking.raise_flags(response):
        checking.accept_flag(flag, acting_user=world.users["correspondent"], justification="Vérifié.")
    log_in(client, world.users["correspondent"])
    page = client.post(reverse("observatory_check:validate", args=[2025, response.structure_id]))
    assert page.status_code == 409
    assert escape("Le questionnaire ne peut pas être validé : Les ETP par fonction") in page.content.decode()
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED


@pytest.mark.django_db
def test_structures_justifications_next_to_flags_and_answers(client, world, campaign):
    response, flag = flagged(campaign, RH_SALARIES=5)
    response.confirmations = {"R_ETP_EFFECTIF": "Départs et arrivées en cours d'année.",
                              "RH_SALARIES": "Beaucoup de temps partiels."}  # fmt: skip
    response.save()
    log_in(client, world.users["correspondent"])
    page = client.get(reverse("observatory_check:response", args=[2025, response.structure_id]))
    [shown] = page.context["flags"]
    assert [j.text for j in shown.justifications] == ["Beaucoup de temps partiels.",
                                                      "Départs et arrivées en cours d'année."]  # fmt: skip
    body = page.content.decode()
    flag_card = body[body.index(f'id="flag-{flag.pk}-title"') : body.index('id="decide-title"')]
    assert escape("Justification de la structure (Plus d'ETP que de salariés") in flag_card
    assert escape("« Départs et arrivées en cours d'année. »") in flag_card
    answers = body[body.index('id="answers-title"') :]
    salaries_row = answers[
        answers.index('id="answer-RH_SALARIES"') : answers.index("</tr>", answers.index('id="answer-RH_SALARIES"'))
    ]
    assert escape("Justification de la structure : « Beaucoup de temps partiels. »") in salaries_row
    assert escape("« Départs et arrivées en cours d'année. »") in salaries_row
