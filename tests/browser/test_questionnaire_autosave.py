"""Nothing typed in the questionnaire is lost: a member, come from « À faire » at 1280 or 375 px, types an answer and
leaves the page within a second (a link followed, or the page closed), before the 2 s pause and the 20 s autosave;
the page saved it on leaving (`pagehide` / `visibilitychange`, a keepalive request with the CSRF token), and the
answer is there on return."""

import re
import time

import pytest
from playwright.sync_api import expect

from .pages import blocking_violations, describe, log_in, submit
from .test_observatory import PHONE_SE, observatory  # noqa: F401 (the fixture)

DESKTOP = {"width": 1280, "height": 800}
SAVE_WAIT_S = 5


def saved_answer(observatory, code):  # noqa: F811
    """The stored answer, once the request sent on leaving has arrived (it outlives the page)."""
    deadline = time.monotonic() + SAVE_WAIT_S
    while True:
        value = observatory.response().answers.get(code)
        if value is not None or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_SE], ids=["bureau", "telephone"])
def test_typed_answer_survives_leaving_within_a_second(observatory, new_page, axe, viewport):  # noqa: F811
    page = new_page(viewport=viewport)
    log_in(page, observatory.site, observatory.member.email)
    # From « À faire », where a member lands, to the questionnaire's summary, then to a section.
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    submit(page, page.get_by_role("link", name=re.compile(r"^1 questionnaire à remplir")))
    submit(page, page.get_by_role("link", name=re.compile(r"^Ouvrir le questionnaire Enquête 2026")))
    violations = blocking_violations(axe, page)
    assert violations == [], describe(violations)
    submit(page, page.get_by_role("link", name="Ressources humaines", exact=True))
    assert page.url == observatory.section("RH")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ressources humaines")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = blocking_violations(axe, page)
    assert violations == [], describe(violations)

    # Typed, then a link followed at once.
    page.get_by_label("Nombre de salariés").fill("11")
    page.get_by_role("link", name="Retour au sommaire du questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(observatory.structure.name)
    assert saved_answer(observatory, "RH_SALARIES") == 11

    # Typed, then the page closed at once.
    page.goto(observatory.section("RH"))
    expect(page.get_by_label("Nombre de salariés")).to_have_value("11")
    page.get_by_label("Nombre total d'ETP").fill("9,5")
    page.close(run_before_unload=True)
    assert saved_answer(observatory, "RH_ETP_TOTAL") in ("9.5", 9.5)

    again = new_page(viewport=viewport)
    log_in(again, observatory.site, observatory.member.email)
    again.goto(observatory.section("RH"))
    expect(again.get_by_label("Nombre de salariés")).to_have_value("11")
    expect(again.get_by_label("Nombre total d'ETP")).to_have_value("9,5")


def test_pause_in_typing_saves_and_says_so(observatory, new_page):  # noqa: F811
    page = new_page(viewport=PHONE_SE)
    log_in(page, observatory.site, observatory.member.email)
    page.goto(observatory.section("RH"))
    page.get_by_label("Nombre de salariés").press_sequentially("7")
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(re.compile(r"^Enregistré à \d{1,2} h \d{2}$"), timeout=5_000)
    assert observatory.response().answers.get("RH_SALARIES") == 7


def test_failed_save_warns_before_leaving_and_keeps_the_text(observatory, new_page):  # noqa: F811
    page = new_page(viewport=DESKTOP)
    log_in(page, observatory.site, observatory.member.email)
    page.goto(observatory.section("RH"))
    page.context.set_offline(True)
    page.get_by_label("Nombre de salariés").press_sequentially("8")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Hors ligne : non enregistré", timeout=5_000)
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # the person stays: the text is still in the form
    expect(page.get_by_label("Nombre de salariés")).to_have_value("8")
    assert page.evaluate("document.getElementById('autosave-status').textContent").startswith("Hors ligne")


def test_expired_session_is_said_and_nothing_is_lost(observatory, new_page):  # noqa: F811
    page = new_page(viewport=PHONE_SE)
    log_in(page, observatory.site, observatory.member.email)
    page.goto(observatory.section("RH"))
    page.context.clear_cookies()  # the session expired while the page stayed open
    page.get_by_label("Nombre de salariés").press_sequentially("6")
    expect(page.locator("#autosave-status")).to_contain_text("Non enregistré : votre session a peut-être expiré")
    assert observatory.response().answers.get("RH_SALARIES") is None
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()
    expect(page.get_by_label("Nombre de salariés")).to_have_value("6")
