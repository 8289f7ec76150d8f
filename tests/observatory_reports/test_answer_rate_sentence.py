"""The sentence that opens a report: how many structures had their questionnaire validated, and the answer rate.

Found by the browser test of the observatory path: the rate came through an include whose final line break put a
space before the closing parenthesis (« 86 % ) »), and one structure read « 1 structure sur 4 ont vu leur … ».
"""

import pytest
from django.urls import reverse

from .conftest import DEPARTMENT, add, responded

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_the_rate_is_closed_by_its_parenthesis(client, aggregates):
    text = client.get(reverse("observatory:departement", kwargs={"code": "13"})).content.decode()
    # Bouches-du-Rhône 2024: 9 answering structures (6 CSX, 3 EVS) of 11 surveyed.
    expected = "<strong>9</strong> structures sur 11 ont vu leur questionnaire de l'enquête 2025 — données 2024 validé"
    assert f"{expected} (taux de réponse : 82{NBSP}%)." in text


def test_one_structure_is_written_in_the_singular(client, aggregates):
    add(2024, DEPARTMENT, "05", "all", "REPONSES", responded(1, 4))
    text = client.get(reverse("observatory:departement", kwargs={"code": "05"})).content.decode()
    expected = "<strong>1</strong> structure sur 4 a vu son questionnaire de l'enquête 2025 — données 2024 validé"
    assert f"{expected} (taux de réponse : 25{NBSP}%)." in text
