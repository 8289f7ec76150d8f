"""A sheet's print view and « Signaler une erreur », at 1280 and 375 px, axe clean: the reader prints the
sheet (tools and navigation hidden), then reports an error, which reaches the department's correspondent."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from maillage.accounts.models import CorrespondentScope, User
from maillage.actions.models import Action

from .pages import blocking_violations, describe, page_widths, submit

TITLE = "Accompagnement à la parentalité"
VIEWPORTS = {"bureau": {"width": 1280, "height": 900}, "téléphone": {"width": 375, "height": 800}}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_print_a_sheet_then_report_an_error(site, new_page, axe, viewport):
    action = Action.objects.select_related("structure__department").get(title=TITLE)
    correspondent = User.objects.create_user("correspondant@caf.test", password="x" * 16)
    CorrespondentScope.objects.create(user=correspondent, department=action.structure.department, organisation="caf")
    page = new_page(viewport=viewport)
    page.goto(site(action.get_absolute_url()))

    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("link", name="Signaler une erreur sur cette fiche")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    assert not (violations := blocking_violations(axe, page)), describe(violations)
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Signaler une erreur sur cette fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler une erreur")
    assert not (violations := blocking_violations(axe, page)), describe(violations)
    widths = page_widths(page)
    assert widths["scroll"] <= widths["inner"], widths
    submit(page, page.get_by_role("button", name="Envoyer le signalement"))
    expect(page.get_by_role("alert")).to_contain_text("Décrivez l'erreur")
    assert not (violations := blocking_violations(axe, page)), describe(violations)
    page.get_by_label("Quelle erreur avez-vous vue ?").fill("Le numéro de téléphone de la structure a changé.")
    page.get_by_label("Votre adresse e-mail (facultatif)").fill("lecteur@example.org")
    submit(page, page.get_by_role("button", name="Envoyer le signalement"))
    expect(page.get_by_role("status")).to_contain_text("votre message a été transmis")
    assert not (violations := blocking_violations(axe, page)), describe(violations)
    assert [message.to for message in mail.outbox] == [["correspondant@caf.test"]]
