"""Accessibility of the public pages: axe-core, keyboard (skip link), and phone-size screens."""

import pytest

from maillage.actions.models import Action
from maillage.structures.models import Structure

from .conftest import PHONE
from .pages import blocking_violations, describe, page_widths

SHEET_TITLE = "Accompagnement à la parentalité"
STRUCTURE_NAME = "CS SUSINI ST-JEROME (EX RENAUD"


def sheet_path() -> str:
    return Action.objects.get(title=SHEET_TITLE).get_absolute_url()


def structure_path() -> str:
    return Structure.objects.get(name=STRUCTURE_NAME).get_absolute_url()


PAGES = {
    "accueil": lambda: "/",
    "banque d'actions": lambda: "/actions/",
    "recherche filtrée": lambda: "/actions/?q=parentalite&keyword=Parentalit%C3%A9",
    "fiche action": sheet_path,
    "annuaire": lambda: "/structures/",
    "fiche structure": structure_path,
    "territoires": lambda: "/territoires/",
}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(site, page, axe, name):
    response = page.goto(site(PAGES[name]()))
    assert response.status == 200
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{name} ({page.url}) :\n{describe(blocking)}"


@pytest.mark.parametrize("name", ["banque d'actions", "fiche action"])
def test_the_skip_link_is_the_first_focusable_element_and_moves_focus_to_main(site, page, name):
    page.goto(site(PAGES[name]()))
    page.keyboard.press("Tab")
    focused = page.evaluate("({text: document.activeElement.textContent.trim(), href: document.activeElement.href})")
    assert focused["text"] == "Aller au contenu"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0"), "lien d'évitement invisible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id") == "MAIN#contenu"
    # The next Tab goes on from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('contenu').contains(document.activeElement)")


@pytest.mark.parametrize(
    "name", ["banque d'actions", "recherche filtrée", "fiche action", "annuaire", "fiche structure", "territoires"]
)
def test_phone_screen_has_no_horizontal_scroll(site, new_page, tmp_path, name):
    page = new_page(viewport=PHONE)
    page.goto(site(PAGES[name]()))
    page.wait_for_load_state("networkidle")
    screenshot = tmp_path / f"{name.replace(' ', '-')}-360x740.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0
    widths = page_widths(page)
    assert widths["inner"] == PHONE["width"]
    assert widths["scroll"] <= widths["inner"], f"{name} : défilement horizontal ({screenshot}) : {widths}"
