"""The observatory's territory pages as people read them, at 1280 px and on a 375 px phone, and « se situer ».

Nine centres sociaux and seven espaces de vie sociale of the Bouches-du-Rhône, six centres of the Rhône, all validated
in 2024 and 2025 and the figures computed as a validation computes them. The national and the department pages open
with the key-figure tiles, draw their charts, keep their tables folded under « Voir les données » (each in a box
that scrolls by itself), never scroll sideways, and pass axe. An EVS's member reaches « se situer » from her space
and sees her EVS among EVS, then widens the comparison.

With ``MAILLAGE_SCREENSHOTS=docs/screenshots`` the desktop and phone views of the department page are saved there.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.actions.models import Action
from maillage.observatory.figures import aggregates, indicators, key_figures, reports
from maillage.observatory.figures.formatting import format_value
from maillage.observatory.figures.statistics import summarize
from maillage.observatory.models import Response, ResponseStatus
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from tests.factories import make_structure
from tests.observatory_check.conftest import clean_answers, last_year, questionnaire_for
from tests.pdfs import pdf_objects

from .pages import (
    PASSWORD,
    blocking_violations,
    chart_text_sizes,
    describe,
    log_in,
    page_widths,
    read_back_pdf,
    second_factor,
)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 667}
READABLE_PX = 11  # the smallest chart text a phone's reader is asked to read
PDF_TIMEOUT_MS = 60_000  # WeasyPrint lays the plaquette out in a few seconds, more on a busy machine
EVS_NAME = "Espace de vie sociale des Lilas"
EVS_STAFF = [2, 3, 3, 4, 5, 6]  # the six other EVS' employees (ours has 4)


def csx_answers(n: int) -> dict:
    answers = clean_answers(n)
    caf, total = 90_000 + 5_000 * n, answers["FIN_CHARGES_TOTAL"]
    grid = {"caf_ps": {"montant": caf}, "communes": {"montant": total - caf}}
    return answers | {"FIN_PRODUITS_FINANCEURS": grid, "PAR_HABITANTS_INSTANCE": 8 + n}


def evs_answers(staff: int, n: int) -> dict:
    return {"RH_SALARIES": staff, "RH_ETP_TOTAL": f"{staff * 0.6:.1f}".replace(".", ","),
            "FIN_CHARGES_TOTAL": 60_000 + 4_000 * n, "FIN_PRODUITS_TOTAL": 61_000 + 4_000 * n,
            "PAR_BENEVOLES_ACTIVITE": 12 + n, "PUB_PARTICIPANTS_UNIQUES": 200 + 10 * n}  # fmt: skip


@pytest.fixture
def published(site):
    """Validated answers of 2024 and 2025 in the Bouches-du-Rhône (CSX and EVS) and the Rhône, figures computed."""
    forms = {(year, kind): questionnaire_for(year, kind) for year in (2024, 2025) for kind in ("csx", "evs")}

    def answered(structure, kind: str, answers: dict, before: dict) -> None:
        for year, given in ((2025, answers), (2024, before)):
            Response.objects.create(questionnaire=forms[(year, kind)], structure=structure, answers=given,
                                    status=ResponseStatus.VALIDATED)  # fmt: skip

    for n in range(1, 10):
        answers = csx_answers(n)
        answered(make_structure(f"Centre social {n}", "13"), "csx", answers, last_year(answers, n))
    for n in range(1, 7):
        answers = csx_answers(n + 3)
        answered(make_structure(f"Centre social du Rhône {n}", "69"), "csx", answers, last_year(answers, n))
    for n, staff in enumerate(EVS_STAFF, 1):
        answers = evs_answers(staff, n)
        answered(make_structure(f"Espace de vie sociale {n}", "13", kind="evs"), "evs", answers, answers)
    ours = make_structure(EVS_NAME, "13", kind="evs")
    answered(ours, "evs", evs_answers(4, 7), evs_answers(4, 7))
    member = User.objects.create_user("accueil@lilas.test", password=PASSWORD)
    Membership.objects.create(user=member, structure=ours)
    for year in (2024, 2025):
        aggregates.refresh_year(year)
    return member


def shots() -> Path | None:
    folder = os.environ.get("MAILLAGE_SCREENSHOTS")
    return Path(folder) if folder else None


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
@pytest.mark.parametrize("where", ["nation", "departement"])
def test_a_territory_page_opens_with_its_key_figures(published, site, new_page, axe, where, viewport):
    page = new_page(viewport=viewport)
    if where == "nation":
        url, place = reverse("observatory:nation"), reports.territory("nation")
    else:
        url, place = reverse("observatory:departement", kwargs={"code": "13"}), reports.territory("department", "13")
    page.goto(site(url))

    tiles = page.locator(".key-tile")
    expect(tiles).to_have_count(len(key_figures.TILES))
    first = tiles.first.bounding_box()
    assert first["y"] < viewport["height"], f"la première tuile commence à {first['y']} px"
    order = page.evaluate(
        "[...document.querySelectorAll('#contenu h2, #contenu table, #contenu svg, #contenu .key-tiles')]"
        ".map(e => e.id || e.className.baseVal || e.className || e.tagName)"
    )
    assert order[:2] == ["chiffres-cles", "key-tiles"], order[:5]
    figures = key_figures.key_figures(place, 2025)
    etp = next(f for f in figures.figures if f.slug == "etp")
    expect(page.locator("#tuile-etp .key-tile-value")).to_have_text(etp.text)
    expect(page.locator("#tuile-etp")).to_contain_text(f"Sur un an{etp.change_text}")
    if where == "departement":
        expect(page.locator("#tuile-etp")).to_contain_text(f"France{etp.comparisons[-1].text}")

    # Charts are drawn, tables folded: none shows before « Voir les données » is opened.
    expect(page.locator(".report-chart svg:visible").first).to_be_visible()
    assert_chart_text_readable(page, narrow=viewport is PHONE)
    expect(page.get_by_role("table").first).to_be_hidden()
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Ressources humaines", exact=True))
    section.get_by_text("Voir les données").click()
    box = section.get_by_role("region", name=re.compile("^Tableau : Ressources humaines"))
    expect(box).to_be_visible()
    expect(box.get_by_role("table").get_by_role("rowheader", name="ETP par structure")).to_be_visible()
    assert box.get_attribute("tabindex") == "0"

    widths = page_widths(page)
    assert widths["scroll"] <= viewport["width"], f"défilement horizontal : {widths}"
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"

    folder = shots()
    if folder and where == "departement":
        section.get_by_text("Voir les données").click()  # folded again, as a reader finds it
        page.evaluate("window.scrollTo(0, 0)")
        name = "observatoire-bureau.png" if viewport is DESKTOP else "observatoire-telephone.png"
        height = 1450 if viewport is DESKTOP else 1900  # the key figures and the first section
        page.screenshot(path=folder / name, full_page=True,
                        clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})  # fmt: skip
        if viewport is PHONE:  # the first section's charts, in their narrow drawing
            page.locator(".report-section").filter(has=page.locator(".report-charts")).first.screenshot(
                path=folder / "observatoire-graphiques-telephone.png"
            )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_plaquette_taken_from_the_page_reads_back_in_four_tagged_pages(published, site, new_page, axe, viewport):
    page = new_page(viewport=viewport)
    page.goto(site(reverse("observatory:departement", kwargs={"code": "13"})))
    link = page.get_by_role("link", name="Télécharger la plaquette (PDF)")
    expect(link).to_be_visible()
    assert link.bounding_box()["x"] + link.bounding_box()["width"] <= viewport["width"]
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"

    answer = page.request.get(site(link.get_attribute("href")), timeout=PDF_TIMEOUT_MS)
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    data = answer.body()
    info, pages = read_back_pdf(data)
    assert 1 <= len(pages) <= 4, pages  # made to be handed out
    for number, text in enumerate(pages, 1):
        assert f"page {number} / {len(pages)}" in text, f"page {number} : {text[:200]}"
    assert "Bouches-du-Rhône (13) — Enquête 2026 — données 2025" in pages[0] and "Chiffres clés" in pages[0]
    etp = next(f for f in key_figures.key_figures(reports.territory("department", "13"), 2025).figures
               if f.slug == "etp")  # fmt: skip
    assert etp.text in pages[0], pages[0]
    # Tagged for screen readers (PDF/UA): a structure tree, marked content, the language, charts' alternative text.
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo" in objects and b"/Lang (fr)" in objects
    assert b"/Alt" in objects


def assert_chart_text_readable(page, narrow: bool) -> None:
    """Chart text shows at 11 px or more: on a phone the page shows the narrow drawing, not the wide one shrunk."""
    charts = chart_text_sizes(page)
    assert charts, "aucun graphique visible"
    assert {chart["width"] for chart in charts} == ({340} if narrow else {640}), charts
    small = [chart for chart in charts if chart["smallest"] < READABLE_PX]
    assert small == [], f"texte de graphique trop petit : {small}"


def test_an_evs_situates_itself_among_evs(published, new_page, axe, site):
    page = new_page(viewport=PHONE)
    log_in(page, site, published.email)
    page.goto(site("/espace/"))
    page.get_by_role("link", name=f"Se situer : comparer {EVS_NAME} aux autres structures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Se situer : {EVS_NAME}")
    choices = page.get_by_role("navigation", name="Structures comparées")
    expect(choices.locator("[aria-current=page]")).to_have_text("les espaces de vie sociale")

    staff = page.locator("section").filter(has=page.get_by_role("heading", name="Salariés par structure"))
    table = staff.get_by_role("table")
    staff_median = summarize([*EVS_STAFF, 4]).median  # the seven EVS of the department, ours included
    row = table.get_by_role("row", name=re.compile("^Espaces de vie sociale — Bouches-du-Rhône"))
    salaries = indicators.BY_CODE["SALARIES"]
    expected = format_value(staff_median, reports.unit_of(salaries), reports.decimals_of(salaries))
    expect(row.get_by_role("cell").nth(2)).to_have_text(expected)
    expect(table.get_by_role("row", name=re.compile("^Département"))).to_have_count(0)
    assert_chart_text_readable(page, narrow=True)
    widths = page_widths(page)
    assert widths["scroll"] <= PHONE["width"], f"défilement horizontal : {widths}"
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"

    choices.get_by_role("link", name="toutes les structures").click()
    expect(choices.locator("[aria-current=page]")).to_have_text("toutes les structures")
    expect(table.get_by_role("row", name=re.compile("^Département : Bouches-du-Rhône"))).to_have_count(1)

    page.goto(site(reverse("observatory:departement", kwargs={"code": "13"})))
    page.get_by_role("link", name="Se situer : comparer sa structure").click()
    page.get_by_role("link", name=f"Se situer : {EVS_NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Se situer : {EVS_NAME}")

    # A questionnaire's grid scrolls in its box; the hidden texts of its cells no longer widen the page (405 px).
    ours = Structure.objects.get(name=EVS_NAME)
    page.goto(site(reverse("observatory_fill:section", args=[2025, ours.pk, "PARTENARIATS"])))
    expect(page.locator(".question-grid").first).to_be_attached()
    widths = page_widths(page)
    assert widths["scroll"] <= PHONE["width"], f"défilement horizontal : {widths}"


def test_the_main_pages_fit_a_phone(published, site, new_page):
    """No page scrolls sideways at 375 px: wide tables scroll inside their own box."""
    page = new_page(viewport=PHONE)
    sheet = reverse("www:action-permalink", kwargs={"pk": Action.objects.published().first().pk})
    structure = reverse("www:structure-detail", kwargs={"pk": Structure.objects.first().pk})
    region = reverse("observatory:region", kwargs={"code": reports.territory("department", "13").region[0]})
    paths = ["/", "/actions/", sheet, "/structures/", structure, "/territoires/", "/territoires/13/",
             "/confidentialite/", reverse("api:docs"), "/connexion/", region]  # fmt: skip
    wide = {}
    for path in paths:
        page.goto(site(path))
        widths = page_widths(page)
        if widths["scroll"] > PHONE["width"]:
            wide[path] = widths
    assert wide == {}, f"défilement horizontal : {wide}"


def test_a_correspondents_pages_fit_a_phone(published, site, new_page):
    """The campaign's dashboard, a questionnaire to check and the orphan structures: their tables scroll in a box."""
    correspondent = User.objects.create_user("caf13@caf.test", password=PASSWORD)
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    device = TOTPDevice.objects.create(user=correspondent, name="téléphone", confirmed=True)
    page = new_page(viewport=PHONE)
    log_in(page, site, correspondent.email)
    second_factor(page, device)
    structure = Structure.objects.get(name="Centre social 1")
    paths = [reverse("observatory_check:dashboard"), reverse("moderation:orphans"),
             reverse("observatory_check:response", kwargs={"year": 2025, "structure_id": structure.pk})]  # fmt: skip
    wide = {}
    for path in paths:
        page.goto(site(path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        widths = page_widths(page)
        if widths["scroll"] > PHONE["width"]:
            wide[path] = widths
    assert wide == {}, f"défilement horizontal : {wide}"
