"""A 2024 and a 2025 campaign with the shipped CSX questionnaire, and realistic answers to them."""

import datetime

import pytest

from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR
from maillage.observatory.definitions.sources import source_bundle
from maillage.observatory.models import Campaign, Questionnaire, Response, ResponseStatus
from tests.authz.conftest import ROLES, world  # noqa: F401 (the seven roles around structure A)
from tests.factories import make_structure

__all__ = ["ROLES"]


def questionnaire_for(year: int, kind: str = "csx") -> Questionnaire:
    """The shipped questionnaire kept for a campaign (2024 reuses the 2025 file: same codes, earlier year)."""
    campaign, _ = Campaign.objects.get_or_create(
        year=year, defaults={"opens_on": datetime.date(year + 1, 3, 1), "closes_on": datetime.date(year + 1, 5, 31)}
    )
    name = f"{kind}_2025.yaml"
    return Questionnaire.objects.create(
        campaign=campaign, kind=kind, code=f"{kind.upper()}_CORE", version="2025.1", title=f"Questionnaire {kind}",
        main_file=name, sources=source_bundle(QUESTIONNAIRES_DIR / name), question_count=100,
    )  # fmt: skip


def clean_answers(n: int) -> dict:
    """Plausible answers of a centre social (as stored from the form: French strings and JSON numbers), keeping
    the questionnaire's blocking rules."""
    budget = 380_000 + 13_000 * n
    salaries = 20 + n
    return {
        "FIN_CHARGES_TOTAL": budget,
        "FIN_PRODUITS_TOTAL": f"{budget + 2_000:_}".replace("_", " "),
        "FIN_RESULTAT": "2 000",  # the questionnaire's blocking rule: income = expenses + result
        "ID_POPULATION": 12_000 + 900 * n,
        "RH_SALARIES": salaries,
        "RH_ETP_TOTAL": f"{salaries * 0.45:.1f}".replace(".", ","),
        "PUB_PARTICIPANTS_UNIQUES": 1_200 + 40 * n,
        "PUB_PASSAGES_CUMULES": 15_000 + 600 * n,
        "PAR_BENEVOLES_ACTIVITE": 45 + 2 * n,
        "TH25_PERMANENCES_DROITS": "oui",
        "TH25_PERMANENCES_HEURES": "12,5",
        "TH25_FRANCE_SERVICES": False,
    }


def last_year(answers: dict, n: int) -> dict:
    """Last year's answers: the same centre, a few percent apart."""
    factor = 0.96 + 0.01 * (n % 5)
    return {
        "FIN_CHARGES_TOTAL": round(answers["FIN_CHARGES_TOTAL"] * factor),
        "FIN_PRODUITS_TOTAL": round(answers["FIN_CHARGES_TOTAL"] * factor) + 1_000,
        "RH_ETP_TOTAL": round(answers["RH_SALARIES"] * 0.45 * factor, 1),
        "PAR_BENEVOLES_ACTIVITE": round(answers["PAR_BENEVOLES_ACTIVITE"] * factor),
    }


@pytest.fixture
def campaign(world):  # noqa: F811
    """Campaign 2025: structure A (submitted) and 9 more centres of department 13 that answered; 2024 too."""
    current, previous = questionnaire_for(2025), questionnaire_for(2024)
    structures = [world.structure_a] + [make_structure(f"Centre social {n}", "13") for n in range(1, 10)]
    responses = []
    for n, structure in enumerate(structures):
        answers = clean_answers(n)
        status = ResponseStatus.SUBMITTED if n == 0 else ResponseStatus.VALIDATED
        responses.append(Response.objects.create(questionnaire=current, structure=structure, answers=answers,
                                                 status=status))  # fmt: skip
        Response.objects.create(questionnaire=previous, structure=structure, answers=last_year(answers, n),
                                status=ResponseStatus.VALIDATED)  # fmt: skip
    return responses
