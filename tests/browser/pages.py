"""What the browser tests read and do on the pages, in one place."""

import re
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Page, expect

RESULT_LINKS = ".result-list li.result h3 a"


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
