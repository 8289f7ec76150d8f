"""The filling services: saving sections through `validate`, last year's answers, submission, states, corrections."""

import datetime
from decimal import Decimal

import pytest

from maillage.accounts import perms
from maillage.audit.models import AuditAction, AuditEvent
from maillage.observatory.answers import filling
from maillage.observatory.checks import corrections, states
from maillage.observatory.models import AnswerCorrection, Response, ResponseEvent, ResponseStatus
from tests.factories import make_structure

from .conftest import COMPLETE_CSX, open_campaign


@pytest.fixture
def response(campaign, world):
    return filling.response_for(filling.questionnaire_for(campaign, world.structure_a), world.structure_a)


def save(response, section, answers, user, confirmations=None):
    return filling.save_section(response, section, answers, confirmations or {}, acting_user=user)


def test_questionnaire_follows_the_kind_of_the_structure(campaign, world):
    world.structure_b.kind = "evs"
    world.structure_b.save()
    assert filling.questionnaire_for(campaign, world.structure_a).kind == "csx"
    assert filling.questionnaire_for(campaign, world.structure_b).kind == "evs"


def test_first_save_creates_the_response_starts_it_and_stores_typed_values(response, world):
    member = world.users["member_a"]
    outcome = save(
        response,
        "RH",
        {
            "RH_SALARIES": "1 200",
            "RH_ETP_TOTAL": "12,5",
            "RH_DIRECTEUR_QUALIFIE": "oui",
            "RH_DIRECTEUR_NIVEAU": "niveau_7",
            "RH_CONVENTION_COLLECTIVE": "",
        },
        member,
    )
    stored = Response.objects.get(pk=outcome.response.pk)
    assert stored.status == ResponseStatus.IN_PROGRESS
    assert stored.answers["RH_SALARIES"] == 1200
    assert stored.answers["RH_ETP_TOTAL"] == "12.5"
    assert stored.answers["RH_DIRECTEUR_QUALIFIE"] is True
    assert stored.answers["RH_DIRECTEUR_NIVEAU"] == "niveau_7"
    assert "RH_CONVENTION_COLLECTIVE" not in stored.answers
    event = ResponseEvent.objects.get(response=stored)
    assert (event.source, event.target, event.acting_user) == ("not_started", "in_progress", member)
    audit = AuditEvent.objects.get(action=AuditAction.QUESTIONNAIRE_STATUS, object_id=str(stored.pk))
    assert (audit.actor, audit.object_type) == (member, "observatory.response")
    assert (audit.details["from_status"], audit.details["to_status"]) == ("not_started", "in_progress")


def test_every_type_is_saved(response, world):
    member = world.users["member_a"]
    save(
        response,
        "PROJET",
        {
            "ID_MODE_GESTION": "associatif",
            "ID_SPECIFICITES": [],
            "PRJ_AXES": ["jeunesse", "parentalite"],
            "PRJ_DATE_PREMIER_AGREMENT": "05/03/2010",
            "PRJ_PREOCCUPATION_TERRITOIRE": "  Isolement  ",
            "ID_ADHERENT_FEDERATION": "non",
            "ID_AUTRE_FEDERATION": "Fédération X",
        },
        member,
    )
    save(
        response,
        "FINANCES",
        {
            "FIN_CHARGES_TOTAL": "450 000,50",
            "FIN_PRODUITS_TOTAL": "450000.50",
            "FIN_PRODUITS_FINANCEURS": {"caf_ps": {"montant": "100 000"}, "communes": {"montant": ""}},
        },
        member,
    )
    save(
        response,
        "PARTENARIATS",
        {"PART_PARTENAIRES": {"commune": {"partenariat": "oui", "convention": "non", "role": "financement"}}},
        member,
    )
    answers = Response.objects.get(structure=response.structure).answers
    assert answers["PRJ_AXES"] == ["parentalite", "jeunesse"]  # in the order of the options
    assert answers["PRJ_DATE_PREMIER_AGREMENT"] == "2010-03-05"
    assert answers["PRJ_PREOCCUPATION_TERRITOIRE"] == "Isolement"
    assert answers["ID_AUTRE_FEDERATION"] == "Fédération X"
    assert answers["FIN_CHARGES_TOTAL"] == "450000.5"
    assert answers["FIN_PRODUITS_FINANCEURS"] == {"caf_ps": {"montant": 100000}}
    assert answers["PART_PARTENAIRES"] == {"commune": {"partenariat": True, "convention": False, "role": "financement"}}


def test_hidden_question_is_ignored_and_dropped(response, world):
    member = world.users["member_a"]
    outcome = save(response, "PROJET", {"ID_ADHERENT_FEDERATION": "oui", "ID_AUTRE_FEDERATION": "abc" * 200}, member)
    assert "ID_AUTRE_FEDERATION" not in outcome.response.answers
    assert not outcome.result.errors_for("ID_AUTRE_FEDERATION")


def test_unreadable_value_is_kept_with_a_french_error_naming_the_field(response, world):
    outcome = save(response, "RH", {"RH_SALARIES": "douze"}, world.users["member_a"])
    assert outcome.response.answers["RH_SALARIES"] == "douze"
    [error] = outcome.result.errors_for("RH_SALARIES")
    assert "« Nombre de salariés » :" in error.message and "nombre attendu" in error.message
    assert not outcome.result.can_submit


def test_warning_is_confirmed_by_a_justification(response, world):
    member = world.users["member_a"]
    outcome = save(response, "RH", {"RH_SALARIES": "400"}, member)
    assert [w.key for w in outcome.result.warnings_for("RH_SALARIES")] == ["RH_SALARIES"]
    outcome = save(response, "RH", {"RH_SALARIES": "400"}, member, {"RH_SALARIES": "Grosse structure multi-sites"})
    assert not outcome.result.warnings
    assert outcome.response.confirmations == {"RH_SALARIES": "Grosse structure multi-sites"}
    outcome = save(response, "RH", {"RH_SALARIES": "20"}, member)  # no warning any more: justification dropped
    assert outcome.response.confirmations == {}


def test_progress_and_resume(response, world):
    member = world.users["member_a"]
    definition = response.questionnaire.definition()
    assert filling.resume_section(definition, filling.check(response)).code == "PROJET"
    answers = {k: v for k, v in COMPLETE_CSX.items() if k.startswith(("ID_", "PRJ_"))}
    outcome = save(response, "PROJET", answers, member)
    progress = outcome.result.progress_by_section["PROJET"]
    assert progress.answered == len(answers) and progress.total == 15  # ID_AUTRE_FEDERATION hidden
    assert filling.display_status(outcome.response) == f"en cours ({outcome.result.progress.percent} %)"
    # PROJET has no missing required question nor error, but unanswered optional ones; ACTIONS comes first
    # among sections with a missing required answer.
    assert filling.resume_section(definition, outcome.result).code == "ACTIONS"


def test_copy_last_year_fills_empty_questions_only(world, questionnaire_files, campaign, response):
    last = open_campaign(questionnaire_files, 2024, opens=datetime.date(2025, 3, 1), closes=datetime.date(2025, 5, 31))
    old = filling.response_for(filling.questionnaire_for(last, world.structure_a), world.structure_a)
    old.answers = {"RH_SALARIES": 18, "RH_ETP_TOTAL": "11.5", "RH_POSTES_VACANTS": 1, "FIN_CHARGES_TOTAL": 1}
    old.status = ResponseStatus.VALIDATED
    old.save()
    member = world.users["member_a"]
    save(response, "RH", {"RH_POSTES_VACANTS": "3"}, member)
    response = Response.objects.get(structure=world.structure_a, questionnaire__campaign=campaign)
    assert filling.copy_last_year(response, "RH", acting_user=member) == 2
    response.refresh_from_db()
    assert response.answers == {"RH_SALARIES": 18, "RH_ETP_TOTAL": "11.5", "RH_POSTES_VACANTS": 3}


def test_copy_last_year_without_last_year(response, world):
    with pytest.raises(filling.FillingRefused, match="pas de réponses de l'an dernier"):
        filling.copy_last_year(response, "RH", acting_user=world.users["member_a"])


def test_submit_refused_when_incomplete(response, world):
    member = world.users["member_a"]
    save(response, "RH", {"RH_SALARIES": "20"}, member)
    response = Response.objects.get(structure=world.structure_a)
    with pytest.raises(filling.FillingRefused, match="obligatoires? sans réponse"):
        filling.submit(response, acting_user=member)
    assert Response.objects.get(pk=response.pk).status == ResponseStatus.IN_PROGRESS


def test_submit_then_return_then_resubmit(response, world):
    member = world.users["member_a"]
    response.answers = dict(COMPLETE_CSX)
    response.status = ResponseStatus.IN_PROGRESS
    response.save()
    filling.submit(response, acting_user=member)
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_at is not None
    assert not perms.can_fill_response(member, response)
    with pytest.raises(filling.FillingRefused):
        save(response, "RH", {"RH_SALARIES": "21"}, member)
    states.move(response, ResponseStatus.RETURNED, acting_user=world.users["correspondent"], comment="Vérifiez les ETP")
    assert perms.can_fill_response(member, response)
    save(response, "RH", {"RH_SALARIES": "21", "RH_ETP_TOTAL": "12"}, member)
    save(response, "RH", {"RH_SALARIES": "22", "RH_ETP_TOTAL": "12"}, member)  # same correction, updated
    [correction] = AnswerCorrection.objects.filter(response=response)
    assert (correction.code, correction.old_value, correction.new_value) == ("RH_SALARIES", 20, 22)
    assert correction.reason == corrections.MEMBER_CORRECTION_REASON and correction.acting_user == member
    response.refresh_from_db()
    assert response.status == ResponseStatus.RETURNED
    filling.submit(response, acting_user=member)
    targets = list(ResponseEvent.objects.filter(response=response).values_list("target", flat=True))
    assert targets == ["submitted", "returned", "submitted"]


def test_only_members_fill_in(response, world):
    for role in ("correspondent", "national_admin", "member_b"):
        with pytest.raises(filling.FillingRefused):
            save(response, "RH", {"RH_SALARIES": "20"}, world.users[role])


def test_amount_with_three_decimals_typed_reads_back_the_same(response, world):
    """« 1,250 » € is 1.25 €: stored as "1.25", not "1.250", which would read back as 1 250 €."""
    answers = {"FIN_CHARGES_TOTAL": "400 000", "FIN_PRODUITS_TOTAL": "400 001,25", "FIN_RESULTAT": "1,250"}
    outcome = save(response, "FINANCES", answers, world.users["member_a"])
    stored = Response.objects.get(pk=outcome.response.pk)
    assert stored.answers["FIN_RESULTAT"] == "1.25"
    assert filling.check(stored).values["FIN_RESULTAT"] == Decimal("1.25")


def test_submit_flags_at_once_an_outlier_of_a_small_department(response, world):
    """ETP = 600 in a department of 4 centres: the transmission raises the flag, judged against the region."""
    for n in range(9):
        structure = make_structure(f"Centre social {n}", "13" if n < 3 else "84")
        answers = {"RH_SALARIES": 20 + n, "RH_ETP_TOTAL": 9 + n % 4}
        Response.objects.create(questionnaire=response.questionnaire, structure=structure, answers=answers,
                                status=ResponseStatus.VALIDATED)  # fmt: skip
    response.answers = {**COMPLETE_CSX, "RH_SALARIES": 700, "RH_ETP_TOTAL": 600}
    response.confirmations = {"RH_SALARIES": "Beaucoup de vacataires.", "RH_ETP_TOTAL": "Un très grand centre."}
    response.status = ResponseStatus.IN_PROGRESS
    response.save()
    filling.submit(response, acting_user=world.users["member_a"])
    [outlier] = response.flags.filter(kind="outlier")
    assert outlier.codes == ["RH_ETP_TOTAL"] and outlier.values["region"] == "93"
    assert "600, très au-dessus de la médiane de la région Provence-Alpes-Côte d'Azur" in outlier.explanation
