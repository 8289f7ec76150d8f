"""A correspondent acts from « À faire »: the questionnaire to check leads to its coherence flags, read in words, and
an answer is corrected by picking its question from a list, at 1280 and 375 px, with axe clean: question labels, this
year / last year / change side by side, never a code."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from maillage.observatory.checks import checking
from maillage.observatory.models import AnswerCorrection, ResponseStatus
from tests.observatory_fill.conftest import COMPLETE_CSX

from .pages import blocking_violations, describe, log_in, page_widths, second_factor, submit
from .test_observatory import PHONE_SE, flat, observatory  # noqa: F401 (the fixture)

DESKTOP = {"width": 1280, "height": 800}
RAW_CODE = re.compile(r"[A-Z]{2,}_[A-Z_]+")
VOLUNTEERS = "Bénévoles d'activité"


@pytest.fixture
def flagged(observatory):  # noqa: F811
    """Our centre transmitted 2 000 volunteers (40 last year): flagged."""
    response = observatory.response()
    response.answers = {**COMPLETE_CSX, "PAR_BENEVOLES_ACTIVITE": 2000}
    response.status = ResponseStatus.SUBMITTED
    response.save()
    kinds = {flag.kind for flag in checking.raise_flags(response) if flag.codes == ["PAR_BENEVOLES_ACTIVITE"]}
    assert "jump" in kinds
    return observatory


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_SE], ids=["bureau", "telephone"])
def test_correspondent_reads_a_flag_in_words_and_corrects_by_picking_the_question(flagged, new_page, axe, viewport):
    page = new_page(viewport=viewport)
    log_in(page, flagged.site, flagged.correspondent.email)
    second_factor(page, flagged.device)
    # From « À faire », where a correspondent lands: the questionnaire to check, then its structure in the list.
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    assert page_widths(page)["scroll"] <= viewport["width"], page_widths(page)
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"
    submit(page, page.get_by_role("link", name=re.compile(r"^1 questionnaire transmis à vérifier et valider")))
    submit(page, page.get_by_role("link", name=flagged.structure.name, exact=True))
    assert page.url == flagged.site(reverse("observatory_check:response", args=[2025, flagged.structure.pk]))
    page.wait_for_load_state("networkidle")
    widths = page_widths(page)
    assert widths["scroll"] <= widths["inner"], f"défilement horizontal : {widths}"
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"
    assert RAW_CODE.findall(page.locator("main").inner_text()) == []

    card = page.locator("article").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(VOLUNTEERS)} : 2 000 cette année"))
    )
    figures = card.get_by_role("table")
    expect(figures.get_by_role("columnheader")).to_have_text(["Question", "Cette année", "L'an dernier", "Évolution"])
    row = figures.get_by_role("row").filter(has=page.get_by_role("rowheader", name=VOLUNTEERS))
    assert flat(row.inner_text()) == f"{VOLUNTEERS} 2 000 bénévoles 40 bénévoles +1 960 bénévoles (+4 900 %)"
    expect(card).to_contain_text("Évolution : valeur multipliée par 50 en un an.")

    question = page.get_by_label("Question n° 1", exact=True)
    question.select_option(label=VOLUNTEERS)
    page.get_by_label("Nouvelle valeur n° 1", exact=True).fill("45")
    page.get_by_label("Raison de la correction").fill("Un zéro de trop, confirmé au téléphone.")
    submit(page, page.get_by_role("button", name="Corriger la valeur"))
    expect(page.locator(".messages")).to_contain_text("Valeur corrigée ; la correction est consignée.")
    corrections = page.get_by_role("region", name=re.compile("valeurs corrigées"))
    expect(corrections).to_contain_text(VOLUNTEERS)
    correction = AnswerCorrection.objects.get(response__structure=flagged.structure)
    assert (correction.code, correction.old_value, correction.new_value) == ("PAR_BENEVOLES_ACTIVITE", 2000, 45)
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"
