"""Campaigns loaded from the shipped questionnaires, and the seven roles around structure A (department 13)."""

import datetime
import shutil

import pytest
from django.utils import timezone

from maillage.observatory.campaigns import load_questionnaire
from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR
from maillage.observatory.models import Campaign
from tests.authz.conftest import ROLES, World, world  # noqa: F401 (the seven roles, shared)


@pytest.fixture
def questionnaire_files(tmp_path):
    for name in ("csx_2025.yaml", "evs_2025.yaml", "thematique_2025.yaml"):
        shutil.copy(QUESTIONNAIRES_DIR / name, tmp_path / name)
    return tmp_path


def open_campaign(folder, year: int, *, opens=None, closes=None):
    """A campaign of `year` with the CSX and EVS questionnaires of the shipped files (their `years` widened)."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(year=year, opens_on=opens or today - datetime.timedelta(days=10),
                                       closes_on=closes or today + datetime.timedelta(days=60))  # fmt: skip
    if year != 2025:
        copy = folder / f"y{year}"
        copy.mkdir(exist_ok=True)
        for path in folder.glob("*.yaml"):
            text = path.read_text(encoding="utf-8").replace("years: [2025]", f"years: [{year}]")
            (copy / path.name).write_text(text, encoding="utf-8")
        folder = copy
    for name in ("csx_2025.yaml", "evs_2025.yaml"):
        load_questionnaire(folder / name, campaign)
    return campaign


@pytest.fixture
def campaign(world, questionnaire_files):  # noqa: F811
    return open_campaign(questionnaire_files, 2025)


# Answers that make the CSX questionnaire complete (every required visible question, no error, no warning).
COMPLETE_CSX = {
    "ID_MODE_GESTION": "associatif",
    "ID_TYPE_TERRITOIRE": "urbain",
    "ID_TAILLE_TERRITOIRE": "quartier",
    "ID_QPV": "non_concerne",
    "ID_POPULATION": 12000,
    "ID_ADHERENT_FEDERATION": True,
    "PRJ_DATE_PREMIER_AGREMENT": "2010-03-01",
    "PRJ_AXES": ["jeunesse"],
    "PUB_PARTICIPANTS_UNIQUES": 800,
    "PAR_BENEVOLES_ACTIVITE": 40,
    "PAR_BENEVOLES_GOUVERNANCE": 12,
    "RH_SALARIES": 20,
    "RH_ETP_TOTAL": 12,
    "FIN_CHARGES_TOTAL": 450000,
    "FIN_PRODUITS_TOTAL": 450000,
    "TH25_PERMANENCES_DROITS": False,
}


def section_url(campaign, structure, section: str, name: str = "section") -> str:
    from django.urls import reverse

    return reverse(f"observatory_fill:{name}", args=[campaign.year, structure.pk, section])


def summary_url(campaign, structure, name: str = "summary") -> str:
    from django.urls import reverse

    return reverse(f"observatory_fill:{name}", args=[campaign.year, structure.pk])
