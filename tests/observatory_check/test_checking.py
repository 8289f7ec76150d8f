from decimal import Decimal

import pytest
from django.core import mail

from maillage.audit.models import AuditAction, AuditEvent
from maillage.observatory.checks import checking, corrections
from maillage.observatory.definitions.values import to_json
from maillage.observatory.figures.aggregates import ALL
from maillage.observatory.models import (
    Aggregate,
    AggregateScope,
    AnswerCorrection,
    Flag,
    FlagStatus,
    Response,
    ResponseEvent,
    ResponseStatus,
)
from tests.factories import make_structure

from .conftest import clean_answers


def kinds(flags) -> set:
    return {(f.kind, tuple(f.codes)) for f in flags}


def plant(response: Response, **answers) -> Response:
    response.answers = {**response.answers, **answers}
    response.save()
    return response


@pytest.mark.django_db
def test_clean_answers_raise_no_flag(campaign):
    for response in campaign:
        assert checking.raise_flags(response) == [], response.structure.name
    assert not Flag.objects.exists()


@pytest.mark.django_db
def test_budget_jump_is_flagged(campaign):
    response = plant(campaign[0], FIN_PRODUITS_TOTAL="900 000")
    flags = checking.raise_flags(response)
    assert ("jump", ("FIN_PRODUITS_TOTAL",)) in kinds(flags)
    jump = next(f for f in flags if f.kind == "jump")
    assert "l'an dernier" in jump.explanation and "+" in jump.explanation
    assert jump.values["current"] == 900000


@pytest.mark.django_db
def test_department_outlier_is_flagged(campaign):
    response = plant(campaign[0], PAR_BENEVOLES_ACTIVITE=900)
    flags = checking.raise_flags(response)
    assert ("outlier", ("PAR_BENEVOLES_ACTIVITE",)) in kinds(flags)
    outlier = next(f for f in flags if f.kind == "outlier")
    assert outlier.values["department"] == "13"
    assert "médiane du département 13" in outlier.explanation


def small_department(campaign, code: str, etp: str) -> Response:
    """Four centres in department `code` (the campaign's ten are in 13); the first answers `etp` ETP."""
    questionnaire = campaign[0].questionnaire
    responses = []
    for n in range(4):
        answers = {**clean_answers(20 + n), "RH_SALARIES": 700} | ({"RH_ETP_TOTAL": etp} if n == 0 else {})
        structure = make_structure(f"Centre social {code}-{n}", code)
        responses.append(Response.objects.create(questionnaire=questionnaire, structure=structure, answers=answers,
                                                 status=ResponseStatus.SUBMITTED))  # fmt: skip
    return responses[0]


@pytest.mark.django_db
def test_outlier_in_a_small_department_is_judged_against_its_region(campaign):
    response = small_department(campaign, "04", "600")  # Alpes-de-Haute-Provence: region 93, as 13
    [outlier] = [f for f in checking.raise_flags(response) if f.kind == "outlier"]
    assert outlier.codes == ["RH_ETP_TOTAL"] and outlier.values["region"] == "93"
    assert "600, très au-dessus de la médiane de la région Provence-Alpes-Côte d'Azur" in outlier.explanation
    assert "Trop peu de réponses dans le département 04 (moins de 8) : comparaison avec la région" in (
        outlier.explanation
    )
    assert not [f for f in checking.raise_flags(small_department(campaign, "84", "10")) if f.kind == "outlier"]


@pytest.mark.django_db
def test_outlier_in_a_small_region_is_judged_against_the_nation(campaign):
    response = small_department(campaign, "2A", "600")  # Corse: four answers in the whole region
    [outlier] = [f for f in checking.raise_flags(response) if f.kind == "outlier"]
    assert outlier.values["nation"] == "France"
    assert "très au-dessus de la médiane nationale" in outlier.explanation
    assert "Trop peu de réponses dans la région Corse (moins de 8) : comparaison avec la France entière." in (
        outlier.explanation
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("planted", "codes"),
    [
        ({"RH_ETP_TOTAL": "30", "RH_SALARIES": 20}, ("RH_ETP_TOTAL", "RH_SALARIES")),
        ({"PUB_PARTICIPANTS_UNIQUES": 5000, "PUB_PASSAGES_CUMULES": 3000},
         ("PUB_PARTICIPANTS_UNIQUES", "PUB_PASSAGES_CUMULES")),
        ({"ID_POPULATION": 100_000_000}, ("FIN_CHARGES_TOTAL", "ID_POPULATION")),
    ],
)  # fmt: skip
def test_impossible_ratios_are_flagged(campaign, planted, codes):
    flags = checking.raise_flags(plant(campaign[0], **planted))
    assert ("impossible_ratio", codes) in kinds(flags)


@pytest.mark.django_db
def test_missing_thematic_block_is_flagged(campaign):
    response = campaign[0]
    response.answers = {k: v for k, v in response.answers.items() if not k.startswith("TH25_")}
    response.save()
    flags = checking.raise_flags(response)
    assert [f.kind for f in flags] == ["missing_block"]
    assert "numérique et accès aux droits" in flags[0].explanation


@pytest.mark.django_db
def test_recomputing_keeps_decisions_and_resolves_vanished_flags(campaign, world):
    response = plant(campaign[0], PUB_PARTICIPANTS_UNIQUES=50_000)
    [flag] = checking.raise_flags(response)
    checking.accept_flag(flag, acting_user=world.users["correspondent"], justification="Grand festival de quartier.")
    [again] = checking.raise_flags(response)
    assert again.pk == flag.pk and again.status == FlagStatus.ACCEPTED
    plant(response, PUB_PARTICIPANTS_UNIQUES=1_000, RH_ETP_TOTAL="40")
    flags = checking.raise_flags(response)
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.ACCEPTED  # decided flags stay as decided
    new = next(f for f in flags if f.kind == "impossible_ratio")
    plant(response, RH_ETP_TOTAL="9")
    checking.raise_flags(response)
    assert Flag.objects.get(pk=new.pk).status == FlagStatus.RESOLVED


@pytest.mark.django_db
def test_accept_requires_a_justification(campaign, world):
    [flag] = checking.raise_flags(plant(campaign[0], PUB_PARTICIPANTS_UNIQUES=50_000))
    with pytest.raises(checking.CheckError) as refused:
        checking.accept_flag(flag, acting_user=world.users["correspondent"], justification="  ")
    assert refused.value.field == "comment"
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


@pytest.mark.django_db
def test_comment_keeps_the_flag_open(campaign, world):
    [flag] = checking.raise_flags(plant(campaign[0], PUB_PARTICIPANTS_UNIQUES=50_000))
    checking.comment_flag(flag, acting_user=world.users["correspondent"], comment="Vérifier les passages.")
    flag.refresh_from_db()
    assert (flag.status, flag.comment) == (FlagStatus.OPEN, "Vérifier les passages.")


@pytest.mark.django_db
def test_send_back_changes_state_logs_and_mails_members(campaign, world, django_capture_on_commit_callbacks):
    response = plant(campaign[0], PUB_PARTICIPANTS_UNIQUES=50_000)
    [flag] = checking.raise_flags(response)
    correspondent = world.users["correspondent"]
    with pytest.raises(checking.CheckError):
        checking.return_response(response, acting_user=correspondent, comment="")
    with django_capture_on_commit_callbacks(execute=True):
        checking.return_response(response, acting_user=correspondent, comment="Les passages semblent sous-estimés.")
    response.refresh_from_db()
    flag.refresh_from_db()
    assert response.status == ResponseStatus.RETURNED
    assert flag.status == FlagStatus.SENT_BACK
    event = ResponseEvent.objects.get(response=response)
    assert (event.source, event.target, event.acting_user) == ("submitted", "returned", correspondent)
    audit = AuditEvent.objects.get(action=AuditAction.QUESTIONNAIRE_STATUS, object_id=str(response.pk))
    assert (audit.details["from_status"], audit.details["to_status"]) == ("submitted", "returned")
    assert audit.details["comment"] == "Les passages semblent sous-estimés."
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin_a@maillage.test", "member_a@maillage.test"]
    assert "Les passages semblent sous-estimés." in mail.outbox[0].body
    assert "participants uniques" in mail.outbox[0].body


@pytest.mark.django_db
def test_resubmitted_flag_that_still_holds_is_open_again(campaign, world):
    response = plant(campaign[0], PUB_PARTICIPANTS_UNIQUES=50_000)
    [flag] = checking.raise_flags(response)
    checking.return_response(response, acting_user=world.users["correspondent"], comment="À revoir.")
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.SUBMITTED)
    checking.raise_flags(response)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


@pytest.mark.django_db
def test_correction_is_logged_and_settles_the_flag(campaign, world):
    response = plant(campaign[0], FIN_CHARGES_TOTAL=380)  # typed in k€
    flags = checking.raise_flags(response)
    assert ("impossible_ratio", ("FIN_CHARGES_TOTAL", "ID_POPULATION")) in kinds(flags)
    correspondent = world.users["correspondent"]
    correction = corrections.correct_answer(response, "fin_charges_total", "380 000", acting_user=correspondent,
                                         reason="Budget saisi en milliers d'euros.")  # fmt: skip
    assert (correction.old_value, correction.new_value, correction.acting_user) == (380, 380000, correspondent)
    assert correction.reason == "Budget saisi en milliers d'euros."
    response.refresh_from_db()
    assert response.answers["FIN_CHARGES_TOTAL"] == 380000
    assert not response.flags.filter(status__in=checking.UNRESOLVED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "value", "reason", "field"),
    [
        ("NOPE", "1", "x", "code"),
        ("RH_ETP_TOTAL", "douze", "x", "value"),
        ("RH_ETP_TOTAL", "12", "", "reason"),
        ("RH_ETP_TOTAL", "9", "x", "value"),  # same value as now (20 × 0,45)
    ],
)
def test_bad_corrections_are_refused_with_a_french_message(campaign, world, code, value, reason, field):
    with pytest.raises(checking.CheckError) as refused:
        corrections.correct_answer(campaign[0], code, value, acting_user=world.users["correspondent"], reason=reason)
    assert refused.value.field == field
    assert not AnswerCorrection.objects.exists()


@pytest.mark.django_db
def test_cleaning_rules_replay_on_late_answers(campaign, world):
    response = plant(campaign[0], FIN_CHARGES_TOTAL=380)
    corrections.correct_answer(response, "FIN_CHARGES_TOTAL", "380000", acting_user=world.users["correspondent"],
                            reason="Budget saisi en milliers d'euros.")  # fmt: skip
    assert corrections.replay_cleaning_rules(response) == []  # nothing to do: the value is corrected
    plant(response, FIN_CHARGES_TOTAL="380")  # the same wrong figure comes back (late import, new transmission)
    [replayed] = corrections.replay_cleaning_rules(response)
    assert replayed.reason.startswith(corrections.REPLAY_PREFIX)
    assert (replayed.old_value, replayed.new_value) == ("380", 380000)
    response.refresh_from_db()
    assert response.answers["FIN_CHARGES_TOTAL"] == 380000
    plant(response, FIN_CHARGES_TOTAL=470_000)  # a deliberate new figure is left alone
    assert corrections.replay_cleaning_rules(response) == []
    assert set(corrections.cleaning_rules(response)) == {"FIN_CHARGES_TOTAL"}


@pytest.mark.django_db
def test_validation_is_refused_while_flags_are_open(campaign, world):
    response = plant(campaign[0], RH_SALARIES=5)  # fewer employees than ETP: flagged, not a blocking rule
    checking.raise_flags(response)
    with pytest.raises(checking.CheckError) as refused:
        checking.validate_response(response, acting_user=world.users["correspondent"])
    assert "1 signalement reste à traiter" in refused.value.message
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED


@pytest.mark.django_db
def test_validation_once_flags_are_settled(campaign, world, monkeypatch, django_capture_on_commit_callbacks):
    refreshed = []
    monkeypatch.setattr(checking, "refresh_aggregates", refreshed.append)
    response = plant(campaign[0], RH_SALARIES=5)
    [flag] = checking.raise_flags(response)
    correspondent = world.users["correspondent"]
    checking.accept_flag(flag, acting_user=correspondent, justification="Départs et arrivées dans l'année.")
    with django_capture_on_commit_callbacks(execute=True):
        checking.validate_response(response, acting_user=correspondent)
    response.refresh_from_db()
    assert response.status == ResponseStatus.VALIDATED
    assert response.validated_by == correspondent and response.validated_at is not None
    assert response.events.get().target == ResponseStatus.VALIDATED
    assert AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_STATUS, details__to_status="validated").exists()
    assert refreshed == [2025]
    with pytest.raises(checking.CheckError):
        checking.validate_response(response, acting_user=correspondent)


@pytest.mark.django_db
def test_validation_refreshes_the_public_figures(campaign, world, django_capture_on_commit_callbacks):
    response = campaign[0]
    assert not Aggregate.objects.filter(year=2025).exists()
    with django_capture_on_commit_callbacks(execute=True):
        checking.validate_response(response, acting_user=world.users["correspondent"])
    answered = Aggregate.objects.get(year=2025, scope=AggregateScope.NATION, code="REPONSES", group=ALL)
    assert answered.structure_count >= 1


def test_values_are_stored_as_exact_json():
    assert to_json({"a": Decimal("12.50"), "b": (Decimal(3), None)}) == {"a": "12.5", "b": [3, None]}


# --- The questionnaire's blocking rules on corrections and validation -----------------------------------------

STAFF_600 = {  # structure 219: 600 ETP typed for 60, consistently across functions and contracts
    "RH_SALARIES": 700, "RH_ETP_TOTAL": "600", "RH_ETP_PILOTAGE": "100", "RH_ETP_ACTIVITES": "400",
    "RH_ETP_LOGISTIQUE": "100", "RH_CDI_ETP": "400", "RH_CDD_ETP": "100", "RH_AIDES_ETP": "100",
}  # fmt: skip
STAFF_60 = {"RH_ETP_TOTAL": "60", "RH_ETP_PILOTAGE": "10", "RH_ETP_ACTIVITES": "40", "RH_ETP_LOGISTIQUE": "10",
            "RH_CDI_ETP": "40", "RH_CDD_ETP": "10", "RH_AIDES_ETP": "10"}  # fmt: skip


def settle_flags(response, correspondent) -> None:
    for flag in checking.raise_flags(response):
        checking.accept_flag(flag, acting_user=correspondent, justification="Grand centre, vérifié.")


@pytest.mark.django_db
def test_correction_breaking_a_blocking_rule_is_refused_with_the_rules_message(campaign, world):
    response = plant(campaign[0], **STAFF_600)
    correspondent = world.users["correspondent"]
    with pytest.raises(checking.CheckError) as refused:
        corrections.correct_answer(response, "RH_ETP_TOTAL", "60", acting_user=correspondent, reason="Faute de frappe.")
    message = refused.value.message
    assert message.startswith("Correction refusée : Les ETP par fonction doivent totaliser le nombre total d'ETP")
    assert "Les ETP par contrat ne peuvent pas dépasser le total des ETP" in message
    assert "Decimal" not in message and "à 0,1 près" in message
    assert refused.value.field == "value"
    assert refused.value.related == ("RH_ETP_PILOTAGE", "RH_ETP_ACTIVITES", "RH_ETP_LOGISTIQUE", "RH_CDI_ETP",
                                     "RH_CDD_ETP", "RH_AIDES_ETP")  # fmt: skip
    assert "Corrigez dans la même correction les réponses liées : « ETP de pilotage et d'accueil », " in message
    response.refresh_from_db()
    assert response.answers["RH_ETP_TOTAL"] == "600" and not AnswerCorrection.objects.exists()


@pytest.mark.django_db
def test_related_answers_corrected_in_the_same_step_are_accepted(campaign, world):
    response = plant(campaign[0], **STAFF_600)
    correspondent = world.users["correspondent"]
    changes = [*STAFF_60.items(), ("", ""), ("RH_SALARIES", "700")]  # a blank line, an unchanged value
    done = corrections.correct_answers(response, changes, acting_user=correspondent, reason="Faute de frappe.")
    assert [(c.code, c.old_value, c.new_value) for c in done] == [
        ("RH_ETP_TOTAL", "600", 60), ("RH_ETP_PILOTAGE", "100", 10), ("RH_ETP_ACTIVITES", "400", 40),
        ("RH_ETP_LOGISTIQUE", "100", 10), ("RH_CDI_ETP", "400", 40), ("RH_CDD_ETP", "100", 10),
        ("RH_AIDES_ETP", "100", 10),
    ]  # fmt: skip
    response.refresh_from_db()
    assert response.answers["RH_ETP_TOTAL"] == 60 and response.answers["RH_CDI_ETP"] == 40
    settle_flags(response, correspondent)
    checking.validate_response(response, acting_user=correspondent)
    assert response.status == ResponseStatus.VALIDATED


@pytest.mark.django_db
def test_validation_is_refused_while_answers_break_a_blocking_rule(campaign, world):
    """Structure 219's path: answers that no transmission or import would have let through are not validated."""
    response = plant(campaign[0], **{**STAFF_600, "RH_ETP_TOTAL": "60"})
    settle_flags(response, world.users["correspondent"])  # a big centre: jump and outlier accepted
    with pytest.raises(checking.CheckError) as refused:
        checking.validate_response(response, acting_user=world.users["correspondent"])
    assert refused.value.message.startswith(
        "Le questionnaire ne peut pas être validé : Les ETP par fonction doivent totaliser le nombre total d'ETP"
    )
    assert "Les ETP par contrat ne peuvent pas dépasser le total des ETP" in refused.value.message
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and not response.events.exists()


@pytest.mark.django_db
def test_cleaning_rules_are_not_replayed_into_answers_breaking_a_blocking_rule(campaign, world):
    response = plant(campaign[0], **STAFF_600)
    corrections.correct_answers(response, STAFF_60.items(), acting_user=world.users["correspondent"], reason="Typo")
    # Transmitted again with the total as before but other ETP by function: replaying the total alone would
    # break the rule, so nothing is replayed and the flags look at the structure's figures.
    other_functions = {"RH_ETP_PILOTAGE": "150", "RH_ETP_ACTIVITES": "300", "RH_ETP_LOGISTIQUE": "150"}
    plant(response, **{**STAFF_600, **other_functions})
    assert corrections.replay_cleaning_rules(response) == []
    response.refresh_from_db()
    assert response.answers["RH_ETP_TOTAL"] == "600" and response.answers["RH_CDI_ETP"] == "400"
    # The figures the rules were written for come back: all of them are corrected again, consistently.
    plant(response, **STAFF_600)
    assert len(corrections.replay_cleaning_rules(response)) == 7
    response.refresh_from_db()
    assert response.answers["RH_ETP_TOTAL"] == 60 and response.answers["RH_ETP_ACTIVITES"] == 40
