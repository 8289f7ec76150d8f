"""National administrators' campaign pages: the seven roles, small questionnaire files, helpers."""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.observatory.models import Campaign
from tests.authz.conftest import ROLES, World, world  # noqa: F401 (the seven roles, shared)

LIST_URL = "/espace/observatoire/campagnes/"
CREATE_URL = "/espace/observatoire/campagnes/nouvelle/"

MINI = """\
code: MINI
version: "1"
title: Mini questionnaire
kind: csx
years: [2025]
include: [bloc.yaml]
sections:
  - code: RH
    title: Ressources humaines
    questions:
      - code: RH_SALARIES
        label: Nombre de salariés
        help: Au 31 décembre.
        type: integer
"""
BLOC = """\
block: true
code: BLOC
title: Bloc
sections:
  - code: BLOC
    title: Bloc thématique
    questions:
      - code: BLOC_Q
        label: Une question
        help: Aide.
        type: boolean
"""


def text_of(response) -> str:
    """The page's HTML with its entities decoded (« l'année » rather than « l&#x27;année »)."""
    return html.unescape(response.content.decode())


def edit_url(year: int) -> str:
    return f"/espace/observatoire/campagnes/{year}/dates/"


def load_url(year: int) -> str:
    return f"/espace/observatoire/campagnes/{year}/questionnaire/"


def yaml_file(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/yaml")


def upload(client, year: int, main, *included):
    """POST the upload form: `main` and `included` are (name, content) pairs."""
    data = {"mode": "envoi", "main": yaml_file(*main)}
    if included:
        data["included"] = [yaml_file(*item) for item in included]
    return client.post(load_url(year), data)


def choose_shipped(client, year: int, name: str):
    return client.post(load_url(year), {"mode": "fourni", "shipped": name})


@pytest.fixture
def admin(world):  # noqa: F811
    return world.client("national_admin")


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(year=2025, opens_on=datetime.date(2026, 3, 1), closes_on=datetime.date(2026, 5, 31))
