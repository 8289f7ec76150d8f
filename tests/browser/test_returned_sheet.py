"""A returned sheet is fixed, in a real browser, at 1280 and 375 px, with no blocking axe violation.

The structure's member lands on « À faire », follows « 1 fiche renvoyée à corriger » and finds the
correspondent's comment in « Mon espace » and at the top of the sheet's form, fixes the sheet and submits it
again; the correspondent, past the second factor, goes from « À faire » to the sheet to moderate, sees what
changed since the return (words marked) and publishes it. Two sheets of two structures are compared side by side
before a merge, which needs the explicit « Fusionner quand même ».
"""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.actions.models import Action, ActionState
from maillage.actions.workflow import transition
from maillage.structures.models import Structure
from tests.factories import make_sheet

from .pages import PASSWORD, blocking_violations, describe, log_in, page_widths, second_factor, submit

SIZES = {"ordinateur": {"width": 1280, "height": 900}, "téléphone": {"width": 375, "height": 740}}
COMMENT = "Le public n'est pas précisé.\nAjoutez aussi <les partenaires>."


def check_page(page, axe, width: int) -> None:
    """No blocking axe violation, and nothing wider than the screen (no sideways scrolling)."""
    violations = blocking_violations(axe, page)
    assert violations == [], f"{page.url}\n{describe(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} {page_widths(page)}"


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_a_returned_sheet_is_fixed_and_published(site, new_page, axe, size):
    viewport = SIZES[size]
    structure = Structure.objects.filter(department__code="13").order_by("name").first()
    member = User.objects.create_user("membre@centre.test", password=PASSWORD, full_name="Nadia Benali")
    Membership.objects.create(user=member, structure=structure)
    correspondent = User.objects.create_user("caf13@caf.test", password=PASSWORD, full_name="Inès Caf")
    CorrespondentScope.objects.create(user=correspondent, department=structure.department, organisation="caf")
    device = TOTPDevice.objects.create(user=correspondent, name="téléphone", confirmed=True)
    sheet = make_sheet("Cuisine partagée des voisins", structure, state=ActionState.DRAFT, status="En cours",
                       summary="Un repas préparé ensemble chaque mois.")  # fmt: skip
    transition(sheet, ActionState.SUBMITTED, acting_user=member)
    transition(sheet, ActionState.RETURNED, acting_user=correspondent, comment=COMMENT)

    # The member reads why in « Mon espace », then at the top of the sheet's form.
    page = new_page(viewport=viewport)
    log_in(page, site, member.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")  # where a member lands
    submit(page, page.get_by_role("link", name="1 fiche renvoyée à corriger"))
    listed = page.locator("li", has_text="Cuisine partagée des voisins")
    expect(listed.locator(".returned-comment")).to_contain_text("Ajoutez aussi <les partenaires>.")
    check_page(page, axe, viewport["width"])
    listed.get_by_role("link", name=re.compile("Cuisine partagée des voisins")).click()
    notice = page.locator(".returned-notice")
    expect(notice.get_by_role("heading")).to_contain_text("Fiche renvoyée le")
    expect(notice).to_contain_text("par Inès Caf")
    assert notice.locator("blockquote").inner_text() == "Le public n'est pas précisé.\nAjoutez aussi <les partenaires>."
    assert notice.bounding_box()["y"] < page.get_by_label("Titre de l'action").bounding_box()["y"]
    check_page(page, axe, viewport["width"])
    page.get_by_label("Résumé").fill("Un repas préparé ensemble chaque mois, ouvert aux familles du quartier.")
    submit(page, page.get_by_role("button", name="Enregistrer et soumettre à nouveau"))
    assert Action.objects.get(pk=sheet.pk).state == ActionState.SUBMITTED

    # The correspondent sees what changed since the return, then publishes.
    moderator = new_page(viewport=viewport)
    log_in(moderator, site, correspondent.email)
    second_factor(moderator, device)
    expect(moderator.get_by_role("heading", level=1)).to_have_text("À faire")  # where a correspondent lands
    submit(moderator, moderator.get_by_role("link", name="1 fiche soumise à modérer"))
    expect(moderator.get_by_role("link", name="Fiches à examiner (1)")).to_be_visible()
    moderator.get_by_role("link", name="Cuisine partagée des voisins").first.click()
    since = moderator.locator(".since-return")
    expect(since.get_by_role("heading")).to_contain_text("Modifications depuis le renvoi du")
    expect(since.locator("blockquote")).to_contain_text("Ajoutez aussi <les partenaires>.")
    expect(since.locator("ins")).to_have_text(", ouvert aux familles du quartier")
    check_page(moderator, axe, viewport["width"])
    submit(moderator, moderator.get_by_role("button", name="Publier"))
    assert Action.objects.get(pk=sheet.pk).state == ActionState.PUBLISHED
    expect(moderator.get_by_text("La fiche est maintenant publiée.")).to_be_visible()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_two_structures_sheets_are_compared_before_a_merge(site, new_page, axe, size):
    viewport = SIZES[size]
    first, second = Structure.objects.filter(department__code="13").order_by("name")[:2]
    correspondent = User.objects.create_user("caf13@caf.test", password=PASSWORD, full_name="Inès Caf")
    CorrespondentScope.objects.create(user=correspondent, department=first.department, organisation="caf")
    device = TOTPDevice.objects.create(user=correspondent, name="téléphone", confirmed=True)
    kept = make_sheet("Atelier de réparation de vélos", first, summary="Le samedi matin, au local.")
    removed = make_sheet("Atelier de réparation de vélos", second, summary="Le mercredi, devant l'école.")

    moderator = new_page(viewport=viewport)
    log_in(moderator, site, correspondent.email)
    second_factor(moderator, device)
    moderator.goto(site("/moderation/doublons/"))
    pair = moderator.locator("section.card", has_text="Atelier de réparation de vélos")
    expect(pair).to_contain_text("Ces fiches appartiennent à deux structures différentes")
    check_page(moderator, axe, viewport["width"])
    pair.get_by_role("link", name=f"Comparer et fusionner (garder n° {kept.pk})").click()
    expect(
        moderator.get_by_role("heading", name="Ces fiches appartiennent à deux structures différentes")
    ).to_be_visible()
    summary = moderator.get_by_role("row", name=re.compile("^Résumé"))
    expect(summary).to_contain_text("Différent")
    expect(summary).to_contain_text("Le mercredi, devant l'école.")
    check_page(moderator, axe, viewport["width"])
    submit(moderator, moderator.get_by_role("button", name="Confirmer la fusion"))
    expect(moderator.get_by_role("alert")).to_contain_text("deux structures différentes")
    assert Action.objects.filter(pk=removed.pk).exists()
    moderator.get_by_label(re.compile("^Fusionner quand même")).check()
    submit(moderator, moderator.get_by_role("button", name="Confirmer la fusion"))
    assert not Action.objects.filter(pk=removed.pk).exists()
    expect(moderator.get_by_text(f"la fiche n° {kept.pk} est conservée")).to_be_visible()
