"""The paths of a reader in the action bank: search, filter (with and without JavaScript), export."""

import csv
import io
import re

from playwright.sync_api import expect

from .pages import expect_count, facet_checkbox, query_pairs, result_titles, search

# The sheets of the seed file with the keyword "Parentalité".
PARENTALITY_SHEETS = {
    '"CAF\' ECOLES"',
    "Accompagnement à la parentalité",
    "accompagnement à la scolarité",
    "accueil maman/bébé..la famille du vendredi",
    "BULLE DE JEUX",
    "CAFE /thé des PARENTS",
}
CULTURE_SHEETS = {
    ".AGORA DES CREATEURS _ ARTISTES DANS LA CITE",
    '"L\'ESPACE JEUNE"',
    "« Artistes en her’bel », atelier de peinture de rue",
    "Accès à la Culture",
    "accompagnement à la scolarité",
}
CULTURE_AND_YOUTH_SHEETS = {'"L\'ESPACE JEUNE"'}


def test_the_list_shows_the_23_published_sheets_of_the_seed(site, page):
    page.goto(site("/actions/"))
    expect_count(page, 23)
    assert len(result_titles(page)) == 20
    expect(page.get_by_role("navigation", name="Pagination")).to_be_visible()


def test_searching_velo_without_accent_finds_the_bike_workshops(site, page):
    page.goto(site("/actions/"))
    search(page, "velo")
    assert "Ateliers vélo" in result_titles(page)
    assert ("q", "velo") in query_pairs(page.url)
    expect(page.locator(".chip").first).to_contain_text("« velo »")


def test_searching_parentalite_finds_the_parentality_sheets(site, page):
    page.goto(site("/actions/"))
    search(page, "parentalite")
    titles = result_titles(page)
    assert set(titles) >= PARENTALITY_SHEETS, titles
    expect_count(page, len(titles))


def test_ticking_facets_with_javascript_updates_list_and_url_in_place_and_back_restores(site, page):
    page.goto(site("/actions/"))
    expect_count(page, 23)
    # A page that is loaded again loses this mark: it proves the list changed in place.
    page.evaluate("window.notReloaded = true")

    # click(), not check(): the list, this checkbox included, is replaced as soon as the answer comes.
    facet_checkbox(page, "keyword", "Culture").click()
    page.wait_for_url(re.compile(r"keyword=Culture"))
    expect_count(page, len(CULTURE_SHEETS))
    assert set(result_titles(page)) == CULTURE_SHEETS
    expect(page.locator(".chip", has_text="Culture")).to_be_visible()
    expect(facet_checkbox(page, "keyword", "Culture")).to_be_checked()

    facet_checkbox(page, "public", "Jeunesse").click()
    page.wait_for_url(re.compile(r"public=Jeunesse"))
    expect_count(page, len(CULTURE_AND_YOUTH_SHEETS))
    assert set(result_titles(page)) == CULTURE_AND_YOUTH_SHEETS
    assert {("keyword", "Culture"), ("public", "Jeunesse")} <= set(query_pairs(page.url))
    assert page.evaluate("window.notReloaded") is True

    page.go_back()
    expect_count(page, len(CULTURE_SHEETS))
    assert set(result_titles(page)) == CULTURE_SHEETS
    assert ("public", "Jeunesse") not in query_pairs(page.url)
    expect(facet_checkbox(page, "public", "Jeunesse")).not_to_be_checked()

    page.go_back()
    expect_count(page, 23)
    assert query_pairs(page.url) == []
    assert page.evaluate("window.notReloaded") is True


def test_without_javascript_the_submit_button_applies_the_filters(site, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(site("/actions/"))
    apply = page.get_by_role("button", name="Appliquer les filtres")

    facet_checkbox(page, "keyword", "Culture").check()
    expect_count(page, 23)  # nothing happens before the form is sent
    apply.click()
    page.wait_for_url(re.compile(r"keyword=Culture"))
    expect_count(page, len(CULTURE_SHEETS))
    assert set(result_titles(page)) == CULTURE_SHEETS

    facet_checkbox(page, "public", "Jeunesse").check()
    apply.click()
    page.wait_for_url(re.compile(r"public=Jeunesse"))
    expect_count(page, len(CULTURE_AND_YOUTH_SHEETS))
    assert set(result_titles(page)) == CULTURE_AND_YOUTH_SHEETS
    assert {("keyword", "Culture"), ("public", "Jeunesse")} <= set(query_pairs(page.url))


def test_the_csv_export_downloads_the_rows_of_the_list(site, page):
    page.goto(site("/actions/?keyword=Culture&sort=title"))
    titles = result_titles(page)
    assert set(titles) == CULTURE_SHEETS

    link = page.get_by_role("link", name=re.compile(r"^CSV"))
    assert "/actions/export.csv?" in link.get_attribute("href")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    content = download.path().read_bytes()

    assert content.startswith(b"\xef\xbb\xbf"), "le CSV doit commencer par le BOM UTF-8 (Excel)"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row["Titre"] for row in rows] == titles
    paths = [page.locator(".result-list li.result h3 a").nth(i).get_attribute("href") for i in range(len(titles))]
    assert [row["Identifiant"] for row in rows] == [re.match(r"/actions/(\d+)-", path)[1] for path in paths]
