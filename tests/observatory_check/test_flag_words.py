"""The correspondent's flag cards speak French: question labels rather than codes, this year and last year by
name, the robust score in words (« 21,5 fois l'écart habituel »), never `robust_z` or `PUB_PARTICIPANTS_UNIQUES`."""

import html
import re

from django.urls import reverse

from maillage.observatory.checks import checking
from tests.logins import log_in

CODE = re.compile(r"\b[A-Z][A-Z0-9]+_[A-Z0-9_]+\b")


def flag_cards(page) -> list[str]:
    cards = re.findall(r'<article class="card mb-3" aria-labelledby="flag-.*?</article>', page.content.decode(), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split()) for card in cards]


def test_flag_cards_name_questions_and_scores_in_words(client, world, campaign):
    response = campaign[0]
    response.answers = {**response.answers, "PUB_PARTICIPANTS_UNIQUES": 50_000, "PAR_BENEVOLES_ACTIVITE": 5_000}
    response.save()
    flags = checking.raise_flags(response)
    assert flags
    log_in(client, world.users["national_admin"])
    cards = flag_cards(client.get(reverse("observatory_check:response", args=[2025, response.structure_id])))
    assert len(cards) == len(flags)
    text = " ".join(cards)
    assert CODE.findall(text) == [] and "robust_z" not in text
    assert "« Participants uniques sur l'année »" in text and "vaut 3,33 fois « Fréquentation cumulée »" in text
    assert "fois l'écart habituel" in text and "50 000" in text
