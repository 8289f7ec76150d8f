"""The Content-Security-Policy in a real browser: inline code is blocked, and the pages that once had
inline styles (the second-factor setup, a sheet's history) show nothing the policy refuses.

Every browser test fails on a CSP violation reported in the console (`conftest.new_page`).
"""

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.actions.models import Action
from maillage.referentials.models import Department
from tests.factories import change_sheet

from .pages import PASSWORD, log_in


def test_inline_code_is_blocked(site, browser):
    context = browser.new_context()
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(site("/"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        """() => {
            const box = document.createElement("div");
            box.innerHTML = '<img src="data:," onload="window.ran = true">';
            document.body.append(box);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.ran") is None
    assert any("Content Security Policy" in text for text in console)
    context.close()


def test_second_factor_setup_and_history_under_the_policy(site, new_page):
    correspondent = User.objects.create_user("caf13@caf.test", password=PASSWORD)
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    page = new_page()
    log_in(page, site, correspondent.email)
    expect(page.locator(".two-factor-qr svg")).to_be_visible()
    assert page.locator(".two-factor-qr").bounding_box()["width"] <= 14 * 16 + 1  # max-width from the CSS

    sheet = Action.objects.published().order_by("pk").first()
    change_sheet(sheet, summary="Un résumé réécrit.\nSur deux lignes.")
    member = User.objects.create_user("membre@centre.test", password=PASSWORD)
    Membership.objects.create(user=member, structure=sheet.structure)
    other = new_page()
    log_in(other, site, member.email)
    other.goto(site(f"/espace/fiches/{sheet.pk}/historique/"))
    diff = other.locator("div.diff .diff-row").first
    expect(diff).to_be_visible()
    assert diff.evaluate("element => getComputedStyle(element).whiteSpace") == "pre-wrap"
    assert TOTPDevice.objects.filter(user=correspondent, confirmed=False).exists()
