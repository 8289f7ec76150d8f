"""A past campaign (2023) with the shipped CSX and EVS questionnaires, the seven roles around structure A
(department 13, from tests/authz), an EVS and a structure known by its SIRET, and helpers to write tables."""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from maillage.observatory.models import Campaign, Questionnaire
from maillage.structures.models import Structure
from tests.authz.conftest import ROLES, world  # noqa: F401 (the seven roles around structure A)
from tests.factories import make_structure
from tests.observatory_check.conftest import questionnaire_for
from tests.structure_admin.conftest import upload_dir  # noqa: F401 (uploads kept under tmp_path)

__all__ = ["ROLES"]

YEAR = 2023
SIRET_B = "78154320900014"
SIRET_EVS = "73282932000074"
HEADER = ("id", "siret", "nom", "RH_SALARIES", "RH_ETP_TOTAL", "FIN_CHARGES_TOTAL", "FIN_PRODUITS_TOTAL",
          "FIN_RESULTAT", "PUB_PARTICIPANTS_UNIQUES", "PUB_PASSAGES_CUMULES", "PUB_AGES.a0_6.nombre",
          "PUB_AGES.a26_59.nombre", "TH25_PERMANENCES_DROITS", "TH25_PERMANENCES_HEURES",
          "TH25_ORGANISMES")  # fmt: skip


@dataclass
class Past:
    campaign: Campaign
    csx: Questionnaire
    evs: Questionnaire
    a: Structure  # CSX, identified by its id
    b: Structure  # CSX, identified by its SIRET
    evs_structure: Structure  # EVS, identified by its SIRET

    def rows(self) -> list[list]:
        """A header and three clean rows, written as people type them in a French spreadsheet."""
        return [
            list(HEADER),
            [self.a.pk, "", "Centre social A", "20", "12,5", "450 000", "452 000,50", "2 000,50", "800", "12 500",
             "300", "500", "oui", "12,5", "caf | France Travail"],
            ["", "781 543 209 00014", "Centre social B", "12", "8", "380 000", "380 000", "", "600", "9 000", "", "",
             "non", "", ""],
            ["", SIRET_EVS, "Espace C", "3", "2,5", "90 000", "91 000", "", "150", "", "", "", "Oui", "4", ""],
        ]  # fmt: skip


@pytest.fixture
def past(world):  # noqa: F811
    csx, evs = questionnaire_for(YEAR, "csx"), questionnaire_for(YEAR, "evs")
    world.structure_b.siret = SIRET_B
    world.structure_b.save()
    evs_structure = make_structure("Espace de vie sociale C", "13", kind="evs", siret=SIRET_EVS)
    return Past(csx.campaign, csx, evs, world.structure_a, world.structure_b, evs_structure)


def csv_bytes(rows: list[list], *, delimiter: str = ";", bom: bool = True) -> bytes:
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(folder: Path, content: bytes, name: str = "reponses.csv") -> Path:
    path = folder / name
    path.write_bytes(content)
    return path
