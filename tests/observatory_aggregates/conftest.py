import datetime as dt

import pytest

from maillage.observatory.demo import questionnaire_for_year
from maillage.observatory.models import Campaign, Response, ResponseStatus
from maillage.referentials.models import PriorityGeography, TerritoryType
from tests.factories import make_structure

URBAN = "Un espace à dominante urbaine"
RURAL = "Un espace à dominante rurale"
QPV = "Votre structure est située sur un quartier prioritaire de la Politique de la Ville (QPV)"
NO_QPV = "Vous n'êtes pas concerné par cette question"


def campaign(year: int) -> Campaign:
    found, _ = Campaign.objects.get_or_create(
        year=year, defaults={"opens_on": dt.date(year + 1, 3, 1), "closes_on": dt.date(year + 1, 5, 31)}
    )
    return found


def questionnaires(year: int) -> dict:
    found = campaign(year)
    return {kind: questionnaire_for_year(f"{kind}_2025.yaml", found)[0] for kind in ("csx", "evs")}


def answer(structure, questionnaire, answers, status=ResponseStatus.VALIDATED) -> Response:
    return Response.objects.create(questionnaire=questionnaire, structure=structure, answers=answers, status=status)


def small_answers(etp, budget, volunteers, caf=None, other=None, access=True, commune=True) -> dict:
    answers = {
        "RH_SALARIES": int(etp * 2) + 1,
        "RH_ETP_TOTAL": etp,
        "FIN_CHARGES_TOTAL": budget,
        "PAR_BENEVOLES_ACTIVITE": volunteers,
        "ACT_ACCES_DROITS": access,
        "PART_PARTENAIRES": {"commune": {"partenariat": commune}},
        "PUB_AGES": {"a0_6": {"nombre": volunteers}, "a26_59": {"nombre": 2 * volunteers}},
    }
    if caf is not None:
        answers["FIN_PRODUITS_FINANCEURS"] = {"caf_ps": {"montant": caf}, "communes": {"montant": other or 0}}
    return answers


@pytest.fixture
def small_world(db):
    """Structures in 13 and 84 (region 93), 75 (region 11), one without department; 2025 answers, varied."""
    urban, rural = TerritoryType.objects.get(label=URBAN), TerritoryType.objects.get(label=RURAL)
    qpv, no_qpv = PriorityGeography.objects.get(label=QPV), PriorityGeography.objects.get(label=NO_QPV)
    forms = questionnaires(2025)
    specs = [
        # name, department, kind, territory, priority, answers or None (no response), status
        ("A", "13", "csx", urban, qpv, small_answers(12.5, 400_000, 50, 100_000, 200_000), None),
        ("B", "13", "csx", urban, no_qpv, small_answers(8, 300_000, 30, 90_000, 100_000, access=False), None),
        ("C", "13", "csx", rural, no_qpv, small_answers(15.2, 520_000, 70, 120_000, 300_000), None),
        ("D", "13", "evs", rural, None, small_answers(1.5, 80_000, 20, 30_000, 10_000, commune=False), None),
        ("E", "13", "csx", urban, qpv, small_answers(900, 9_000_000, 9000), ResponseStatus.SUBMITTED),
        ("F", "13", "csx", urban, qpv, None, None),
        ("G", "84", "csx", rural, no_qpv, small_answers(10, 350_000, 45, 80_000, 150_000), None),
        ("H", "84", "evs", urban, qpv, small_answers(2, 90_000, 25), None),
        ("I", "75", "csx", urban, qpv, small_answers(20.3, 800_000, 90, 200_000, 400_000), None),
        ("J", "75", "csx", urban, qpv, {"RH_SALARIES": 0, "FIN_CHARGES_TOTAL": "45000.50"}, None),
        ("K", None, "csx", urban, qpv, small_answers(11, 420_000, 40, 100_000, 100_000), None),
    ]
    structures = {}
    for name, department, kind, territory, priority, answers, status in specs:
        if department is None:
            structure = make_structure(f"Centre {name}", "13", kind=kind, territory_type=territory,
                                       priority_geography=priority)  # fmt: skip
            structure.department = None
            structure.save()
        else:
            structure = make_structure(f"Centre {name}", department, kind=kind, territory_type=territory,
                                       priority_geography=priority)  # fmt: skip
        structures[name] = structure
        if answers is not None:
            answer(structure, forms[kind], answers, status or ResponseStatus.VALIDATED)
    return structures
