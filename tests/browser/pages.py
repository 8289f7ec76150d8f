"""What the browser tests read and do on the pages, in one place."""

import re
import subprocess
from urllib.parse import parse_qsl, urlsplit

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.pdfs import pdfinfo

RESULT_LINKS = ".result-list li.result h3 a"
PASSWORD = "Une phrase de passe solide 2026"
BLOCKING_IMPACTS = {"serious", "critical"}


def result_titles(page: Page) -> list[str]:
    return [title.strip() for title in page.locator(RESULT_LINKS).all_inner_texts()]


def expect_count(page: Page, count: int) -> None:
    """`#results-count` starts with "N fiche(s)"."""
    word = "fiche" if count < 2 else "fiches"
    expect(page.locator("#results-count")).to_have_text(re.compile(rf"^\s*{count} {word}\b"))


def search(page: Page, words: str) -> None:
    page.get_by_label("Rechercher une action").fill(words)
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_load_state()


def facet_checkbox(page: Page, name: str, label: str):
    """The checkbox of one facet option, its `<details>` opened if needed (closed facets hide it)."""
    option = page.locator(f"li.form-check:has(input[name={name}])").filter(
        has=page.locator("label", has_text=re.compile(rf"^\s*{re.escape(label)} \("))
    )
    checkbox = option.locator("input[type=checkbox]")
    details = page.locator(f"details.facet:has(input[name={name}])")
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(checkbox).to_have_count(1)
    return checkbox


def query_pairs(url: str) -> list[tuple[str, str]]:
    return [(key, value) for key, value in parse_qsl(urlsplit(url).query) if value]


def submit(page: Page, button) -> None:
    """Click a form's button and wait for the answer page."""
    with page.expect_navigation():
        button.click()


def log_in(page: Page, site, email: str, password: str = PASSWORD) -> None:
    page.goto(site("/connexion/"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, page.get_by_role("button", name="Se connecter"))


def second_factor(page: Page, device: TOTPDevice) -> None:
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.get_by_label(re.compile(r"^Code à 6 chiffres")).fill(code)  # the application's, or a recovery code
    submit(page, page.get_by_role("button", name=re.compile("Valider|Vérifier|Continuer")))


def blocking_violations(axe, page: Page) -> list[dict]:
    """The axe-core violations of the page that block a person (serious or critical)."""
    violations = axe.run(page).response["violations"]
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))} : {node['html'][:160]}")
            lines.append(f"      {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def page_widths(page: Page) -> dict:
    """The page's scroll width against the window's, and the first elements that stick out (to say which)."""
    return page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " widest: [...document.querySelectorAll('body *')]"
        "  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        "  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' → ' + Math.round(e.getBoundingClientRect().right))})"
    )


def chart_text_sizes(page: Page) -> list[dict]:
    """Each visible chart's smallest text as shown on screen, in px: the computed font size times the drawing's scale
    (its shown width over its viewBox's width). A 640 px drawing shown 340 px wide turns 13 px text into 7 px."""
    return page.evaluate(
        "[...document.querySelectorAll('svg.chart')].filter(svg => svg.checkVisibility()).map(svg => {"
        " const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
        " const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);"
        " return {chart: svg.getAttribute('aria-labelledby').split(' ')[0], width: svg.viewBox.baseVal.width,"
        "  scale: Math.round(scale * 100) / 100, smallest: Math.round(Math.min(...sizes) * 10) / 10}; })"
    )


def read_back_pdf(data: bytes) -> tuple[str, list[str]]:
    """A PDF as poppler reads it back: ``pdfinfo``'s report (pages, « Tagged: yes ») and each page's text from
    ``pdftotext -layout``, blanks joined."""
    info = pdfinfo(data)
    count = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    pages = text.decode().replace("\u00a0", " ").replace("\u202f", " ").split("\f")[:count]
    return info, [" ".join(page.split()) for page in pages]
