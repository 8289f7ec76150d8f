"""The observatory path in a real browser: fill in, check, send back, correct, validate, publish.

A centre social of the Bouches-du-Rhône has answered most of its 2025 questionnaire (the fixture wrote it); its
member types the staff figures, leaves, comes back, confirms an unusual value, types the budget and transmits. The
budget jumped since 2024: the department's correspondent (past the second factor) sees the flag, accepts another one,
comments the budget and sends the questionnaire back; the member corrects the budget and transmits again; the
correspondent validates. Five other centres of the department were validated already, so the department's public
report shows the figures (secrecy hides figures of fewer than 5 structures), their charts and data tables, and its
PDF reads back with the same figures.
"""

import re
import subprocess
from dataclasses import dataclass

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.observatory.checks.corrections import MEMBER_CORRECTION_REASON
from maillage.observatory.definitions.builder import QUESTIONNAIRES_DIR
from maillage.observatory.figures import aggregates
from maillage.observatory.models import AnswerCorrection, Flag, FlagStatus, Response, ResponseStatus
from maillage.referentials.models import Department
from maillage.structures.models import Structure
from tests.factories import make_structure
from tests.observatory_check.conftest import clean_answers, last_year, questionnaire_for
from tests.observatory_fill.conftest import COMPLETE_CSX, open_campaign

from .conftest import Site
from .pages import PASSWORD, blocking_violations, describe, log_in, page_widths, second_factor, submit

NAME = "Centre social des Tilleuls"
OTHERS = 5  # validated centres of the department besides ours: 6 in all, enough to publish (secrecy: 5)
# Left for the browser: the staff and the budget.
TYPED = ("RH_SALARIES", "RH_ETP_TOTAL", "FIN_CHARGES_TOTAL", "FIN_PRODUITS_TOTAL")
LAST_YEAR = {"FIN_CHARGES_TOTAL": 400_000, "FIN_PRODUITS_TOTAL": 405_000, "RH_SALARIES": 11, "RH_ETP_TOTAL": 9,
             "PAR_BENEVOLES_ACTIVITE": 40}  # fmt: skip
CORRECTED_BUDGET = 415_000
# The department's budgets: ours corrected and the five others' (clean_answers): their median.
BUDGETS = sorted([CORRECTED_BUDGET, *(clean_answers(n)["FIN_CHARGES_TOTAL"] for n in range(1, OTHERS + 1))])
MEDIAN_BUDGET = (BUDGETS[2] + BUDGETS[3]) // 2  # 417 000
RETURN_COMMENT = "Le budget a augmenté de 63 % : vérifiez le total des charges et celui des produits."
PHONE_SE = {"width": 375, "height": 667}
PDF_TIMEOUT_MS = 60_000
NBSP = "\u00a0"


@dataclass(frozen=True)
class Observatory:
    site: Site
    structure: Structure
    member: User
    correspondent: User
    device: TOTPDevice

    def summary(self) -> str:
        return self.site(reverse("observatory_fill:summary", args=[2025, self.structure.pk]))

    def section(self, code: str) -> str:
        return self.site(reverse("observatory_fill:section", args=[2025, self.structure.pk, code]))

    def response(self) -> Response:
        return Response.objects.get(structure=self.structure, questionnaire__campaign__year=2025)


@pytest.fixture
def observatory(site):
    """The 2025 campaign (open), the 2024 one; our centre's answers of 2024 (validated) and most of 2025 (in
    progress); five other validated centres of the department both years; the 2024 figures published."""
    campaign = open_campaign(QUESTIONNAIRES_DIR, 2025)
    current, previous = campaign.questionnaires.get(kind="csx"), questionnaire_for(2024)
    for n in range(1, OTHERS + 1):
        other, answers = make_structure(f"Centre social {n}", "13"), clean_answers(n)
        for questionnaire, given in ((current, answers), (previous, last_year(answers, n))):
            Response.objects.create(questionnaire=questionnaire, structure=other, answers=given,
                                    status=ResponseStatus.VALIDATED)  # fmt: skip
    structure = make_structure(NAME, "13")
    Response.objects.create(questionnaire=previous, structure=structure, answers=LAST_YEAR,
                            status=ResponseStatus.VALIDATED)  # fmt: skip
    answers = {code: value for code, value in COMPLETE_CSX.items() if code not in TYPED}
    Response.objects.create(questionnaire=current, structure=structure, answers=answers,
                            status=ResponseStatus.IN_PROGRESS)  # fmt: skip
    aggregates.refresh_year(2024)
    member = User.objects.create_user("direction@tilleuls.test", password=PASSWORD)
    Membership.objects.create(user=member, structure=structure)
    correspondent = User.objects.create_user("caf13@caf.test", password=PASSWORD)
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    device = TOTPDevice.objects.create(user=correspondent, name="téléphone", confirmed=True)
    return Observatory(site, structure, member, correspondent, device)


def flat(text: str) -> str:
    """Whitespace as a reader sees it: line breaks and no-break spaces are spaces."""
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").split())


def test_fill_check_return_correct_validate_publish(observatory, new_page, axe, tmp_path):
    member = new_page()
    member.clock.install()  # autosave runs every 20 seconds: the test moves the page's clock instead of waiting
    log_in(member, observatory.site, observatory.member.email)
    fill_staff_leave_and_come_back(member, observatory)
    confirm_unusual_value_type_budget_and_transmit(member, observatory)

    checker = new_page()
    log_in(checker, observatory.site, observatory.correspondent.email)
    second_factor(checker, observatory.device)
    send_back_with_comments(checker, observatory)

    correct_and_transmit_again(member, observatory)
    validate(checker, observatory)

    public = new_page()
    read_public_report(public, observatory, axe)
    read_pdf(public, observatory, tmp_path)


def fill_staff_leave_and_come_back(page, observatory) -> None:
    """From « Mon espace » to the staff section; typed answers are autosaved, and found again after leaving."""
    page.goto(observatory.site("/espace/"))
    page.get_by_role("link", name=re.compile("^Observatoire : le questionnaire")).click()
    page.get_by_role("link", name=f"Ouvrir le questionnaire Enquête 2026 — données 2025 du {NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.locator("dl")).to_contain_text(re.compile(r"État\s*en cours \(\d+ %\)"))
    page.get_by_role("link", name="Reprendre : Ressources humaines").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ressources humaines")
    etp = page.get_by_label("Nombre total d'ETP")
    expect(etp).to_be_hidden()  # « Seulement si » there are employees
    page.get_by_label("Nombre de salariés").press_sequentially("11")
    expect(etp).to_be_visible()
    etp.press_sequentially("12")
    page.clock.run_for(20_000)
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Enregistré à \d{1,2} h \d{2}$"))
    expect(page.locator("#section-progress")).to_contain_text(re.compile(r"\(2 réponses sur \d+\)"))
    assert {k: observatory.response().answers.get(k) for k in TYPED[:2]} == {"RH_SALARIES": 11, "RH_ETP_TOTAL": 12}

    page.goto(observatory.site("/actions/"))  # leave, then come back the way one came
    page.get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name=re.compile("^Observatoire : le questionnaire")).click()
    page.get_by_role("link", name=f"Ouvrir le questionnaire Enquête 2026 — données 2025 du {NAME}").click()
    staff = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Ressources humaines"))
    expect(staff).to_contain_text(re.compile(r"\d+ % \(2/\d+\)"))
    expect(staff).to_contain_text("1 valeur à confirmer")
    staff.get_by_role("link", name="Ressources humaines").click()
    expect(page.get_by_label("Nombre de salariés")).to_have_value("11")
    expect(page.get_by_label("Nombre total d'ETP")).to_have_value("12")
    expect(page.get_by_text("L'an dernier : 11", exact=True)).to_be_visible()


def confirm_unusual_value_type_budget_and_transmit(page, observatory) -> None:
    """More ETP than employees: the member confirms it with a justification; then the budget, then transmits."""
    warnings = page.locator("#erreurs")
    expect(warnings).to_contain_text("Plus d'ETP que de salariés")
    page.get_by_label("Justification (pour confirmer cette valeur)").fill("Départs et arrivées en cours d'année.")
    submit(page, page.get_by_role("button", name="Enregistrer et passer à la section suivante"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Finances")
    expect(page.locator(".messages")).to_contain_text("Vos réponses sont enregistrées.")
    page.get_by_label("Total des charges de l'année").fill("650 000")
    page.get_by_label("Total des produits de l'année").fill("652 000")
    page.get_by_label("Résultat de l'exercice").fill("2 000")
    submit(page, page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.locator(".messages")).to_contain_text("Vos réponses sont enregistrées.")
    page.get_by_role("link", name="Retour au sommaire du questionnaire").click()
    submit(page, page.get_by_role("button", name="Transmettre le questionnaire"))
    expect(page.locator(".messages")).to_contain_text("Le questionnaire est transmis.")
    expect(page.locator("dl")).to_contain_text(re.compile(r"État\s*transmis"))
    response = observatory.response()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.confirmations == {"R_ETP_EFFECTIF": "Départs et arrivées en cours d'année."}
    flagged = {(kind, tuple(codes)) for kind, codes in response.flags.values_list("kind", "codes")}
    assert flagged == {("jump", ("FIN_CHARGES_TOTAL",)), ("jump", ("FIN_PRODUITS_TOTAL",)),
                       ("impossible_ratio", ("RH_ETP_TOTAL", "RH_SALARIES"))}  # fmt: skip


def send_back_with_comments(page, observatory) -> None:
    page.goto(observatory.site(reverse("observatory_check:dashboard")))  # no link leads there yet
    page.get_by_label("État", exact=True).select_option(label="transmis")
    submit(page, page.get_by_role("button", name="Filtrer"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=NAME))
    expect(row.get_by_role("cell").nth(2)).to_have_text("transmis")
    expect(row.get_by_role("cell").nth(3)).to_have_text("3")  # flags to settle
    row.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name="Signalements de cohérence (3 à traiter)")).to_be_visible()
    budget = flag_card(page, "Total des charges de l'année")
    assert flat(budget.get_by_role("heading").inner_text()) == (
        "Total des charges de l'année : 650 000 cette année contre 400 000 l'an dernier (+63 %)."
    )
    staff = flag_card(page, "dépassent le nombre de salariés")
    staff.get_by_label("Commentaire ou justification").fill("Départs et arrivées dans l'année, justifiés.")
    submit(page, staff.get_by_role("button", name="Accepter avec cette justification"))
    expect(flag_card(page, "dépassent le nombre de salariés")).to_contain_text("accepté avec justification")
    budget = flag_card(page, "Total des charges de l'année")
    budget.get_by_label("Commentaire ou justification").fill("Une crèche reprise ? Sinon, corrigez.")
    submit(page, budget.get_by_role("button", name="Commenter"))
    expect(flag_card(page, "Total des charges de l'année")).to_contain_text("Une crèche reprise ? Sinon, corrigez.")
    page.get_by_label("Commentaire pour la structure").fill(RETURN_COMMENT)
    submit(page, page.get_by_role("button", name="Renvoyer à la structure"))
    expect(page.locator(".messages")).to_contain_text("Questionnaire renvoyé à la structure")
    assert observatory.response().status == ResponseStatus.RETURNED
    (returned,) = [m for m in mail.outbox if "des réponses sont à revoir" in m.subject]
    assert returned.to == [observatory.member.email]
    assert RETURN_COMMENT in returned.body and "Une crèche reprise ? Sinon, corrigez." in returned.body


def flag_card(page, text: str):
    return page.locator("article").filter(has=page.get_by_role("heading", name=re.compile(re.escape(text))))


def correct_and_transmit_again(page, observatory) -> None:
    page.goto(observatory.summary())
    expect(page.locator("dl")).to_contain_text(re.compile(r"État\s*renvoyé"))
    expect(page.locator("h2:text-is('Historique') + ul")).to_contain_text(RETURN_COMMENT)
    points = page.get_by_role("region", name="Points à revoir")
    expect(points).to_contain_text("Une crèche reprise ? Sinon, corrigez.")
    points.get_by_role("link", name="Finances", exact=True).first.click()
    expect(page.locator(".alert-warning").first).to_contain_text("Une crèche reprise ? Sinon, corrigez.")
    expect(page.get_by_label("Total des charges de l'année")).to_have_value("650000")
    page.get_by_label("Total des charges de l'année").fill("415 000")
    page.get_by_label("Total des produits de l'année").fill("417 000")
    submit(page, page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.locator(".messages")).to_contain_text("Vos réponses sont enregistrées.")
    page.get_by_role("link", name="Retour au sommaire du questionnaire").click()
    submit(page, page.get_by_role("button", name="Transmettre le questionnaire"))
    expect(page.locator("dl")).to_contain_text(re.compile(r"État\s*transmis"))
    corrections = AnswerCorrection.objects.filter(response=observatory.response(), reason=MEMBER_CORRECTION_REASON)
    assert {(c.code, c.old_value, c.new_value) for c in corrections} == {
        ("FIN_CHARGES_TOTAL", 650_000, 415_000),
        ("FIN_PRODUITS_TOTAL", 652_000, 417_000),
    }


def validate(page, observatory) -> None:
    page.reload()
    expect(page.get_by_role("heading", name="Signalements de cohérence (0 à traiter)")).to_be_visible()
    expect(flag_card(page, "Total des charges de l'année")).to_contain_text("État : corrigé")
    expect(flag_card(page, "dépassent le nombre de salariés")).to_contain_text("accepté avec justification")
    submit(page, page.get_by_role("button", name="Valider le questionnaire"))
    expect(page.locator(".messages")).to_contain_text("Questionnaire validé.")
    assert observatory.response().status == ResponseStatus.VALIDATED
    statuses = set(Flag.objects.filter(response=observatory.response()).values_list("status", flat=True))
    assert statuses == {FlagStatus.RESOLVED, FlagStatus.ACCEPTED}


def read_public_report(page, observatory, axe) -> None:
    """The department's page: how many structures answered, the median budget, a chart with its name and table."""
    page.goto(observatory.site(reverse("observatory:departement", kwargs={"code": "13"})))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Observatoire : Bouches-du-Rhône (13) — Enquête 2026 — données 2025"
    )
    surveyed = Structure.objects.filter(department__code="13").count()
    answered = flat(page.locator("p#reponses").inner_text())
    sentence = (
        rf"6 structures sur {surveyed} ont vu leur questionnaire de l'enquête 2026 — données 2025 validé "
        r"\(taux de réponse : \d+ %\)\."
    )
    assert re.fullmatch(sentence, answered), answered
    expect(page.locator("#tuile-budget .key-tile-value")).to_have_text(f"{MEDIAN_BUDGET:,} €".replace(",", " "))
    finances = page.locator("section").filter(has=page.get_by_role("heading", name="Finances", exact=True))
    finances.get_by_text("Voir les données").click()  # the tables are folded under their charts
    budget = finances.locator("table.key-figures tr").filter(
        has=page.get_by_role("rowheader", name="Budget (total des charges)")
    )
    median = budget.get_by_role("cell").nth(2)  # value, 1st quartile, median
    expect(median).to_have_text(f"{MEDIAN_BUDGET:,} €".replace(",", " "))

    chart = page.locator("section").filter(has=page.locator("#graphique-structures"))
    chart.get_by_text("Voir les données").click()
    expect(chart.locator("#graphique-structures").get_by_role("img")).to_have_accessible_name(
        re.compile("^Structures ayant répondu par type — Bouches-du-Rhône \\(13\\), Enquête 2026 — données 2025")
    )
    expect(chart.get_by_role("table").get_by_role("row", name=re.compile("^Centres sociaux"))).to_contain_text("6")
    evolution = page.locator("section").filter(has=page.locator("#graphique-evolution-budget"))
    expect(evolution.locator("#graphique-evolution-budget").get_by_role("img")).to_have_accessible_name(
        re.compile("^Budget \\(total des charges\\) : évolution")
    )
    total = f"{sum(BUDGETS):,} €".replace(",", " ")  # the chart shows the department's total budget, year by year
    budgets = evolution.get_by_role("table", name=re.compile("Budget \\(total des charges\\) : évolution"))
    expect(budgets.get_by_role("row", name=re.compile("^2025"))).to_contain_text(total)
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"


def read_pdf(page, observatory, tmp_path) -> None:
    """The « plaquette »: a PDF whose pages, read back by poppler, carry the territory, the sections and the figure."""
    link = page.get_by_role("link", name="Télécharger la plaquette (PDF)")
    # WeasyPrint lays out a dozen pages: a few seconds, longer on a busy machine than the other pages' time limit.
    answer = page.request.get(observatory.site(link.get_attribute("href")), timeout=PDF_TIMEOUT_MS)
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    data = answer.body()
    assert data.startswith(b"%PDF")
    path = tmp_path / "plaquette.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE).group(1))
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info  # a structure tree for screen readers
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = [flat(page_text) for page_text in text.split("\f")[:count]]
    assert 1 <= count <= 4, pages  # made to be handed out: a cover, comparisons, evolution, the thematic block
    for number, page_text in enumerate(pages, 1):
        assert f"page {number} / {count}" in page_text, f"page {number} : {page_text[:200]}"
    assert "Bouches-du-Rhône (13) — Enquête 2026 — données 2025" in pages[0]
    assert "Chiffres clés" in pages[0]  # the cover opens with the key figures
    everything = " ".join(pages)
    for expected in ("comparé à sa région et à la France", "Évolution sur", "Secret statistique", "Méthodologie",
                     f"{MEDIAN_BUDGET:,} €".replace(",", " "), "6 structures sur"):  # fmt: skip
        assert expected in everything, expected


def test_a_section_fits_a_phone_and_is_filled_with_the_keyboard(observatory, new_page, axe):
    page = new_page(viewport=PHONE_SE)
    log_in(page, observatory.site, observatory.member.email)
    page.goto(observatory.section("FINANCES"))
    page.wait_for_load_state("networkidle")
    widths = page_widths(page)
    assert widths["inner"] == PHONE_SE["width"]
    assert widths["scroll"] <= widths["inner"], f"défilement horizontal : {widths}"
    blocking = blocking_violations(axe, page)
    assert not blocking, f"{page.url} :\n{describe(blocking)}"

    # Every visible field of the form, once per radio group, in the order of the page.
    expected = page.evaluate(
        "[...new Set([...document.querySelectorAll('#questionnaire-form :is(input, select, textarea)')]"
        " .filter(e => e.type !== 'hidden' && !e.disabled && e.checkVisibility()).map(e => e.name))]"
    )
    assert "FIN_CHARGES_TOTAL" in expected and "FIN_PRODUITS_FINANCEURS__caf_ps__montant" in expected
    reached = []
    for _ in range(len(expected) + 40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.name")
        if focused == "FIN_CHARGES_TOTAL":
            page.keyboard.type("415 000")
        if focused == "save":
            break
        if focused and (not reached or reached[-1] != focused):
            reached.append(focused)
    else:
        pytest.fail(f"« Enregistrer » jamais atteint au clavier ; champs atteints : {reached}")
    assert [name for name in reached if name in expected] == expected
    assert page.evaluate("document.activeElement.getBoundingClientRect().right") <= PHONE_SE["width"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Vos réponses sont enregistrées.")
    assert observatory.response().answers["FIN_CHARGES_TOTAL"] == CORRECTED_BUDGET
