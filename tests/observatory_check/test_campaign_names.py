"""One name per campaign, everywhere: « Enquête 2026 — données 2025 » (the survey runs the spring after the year its
answers describe). The pages of every audience, the e-mails, the exports' names and headers, the plaquette and the
admin are read back, and the sources are searched for the old forms (« Campagne 2026 (données 2025) », « campagne
2025 », « Questionnaire 2025 », « enquête 2025 (données 2024) »)."""

import io
import re
from pathlib import Path

from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

import maillage
from maillage.observatory.checks import checking
from maillage.observatory.definitions.wording import campaign_label, campaign_phrase, campaign_slug
from maillage.observatory.figures import aggregates
from maillage.observatory.models import Campaign
from tests.logins import log_in

LABEL = re.compile(r"[Ee]nquête (\d{4}) — données (\d{4})")
OLD_FORMS = re.compile(
    r"(?i)\b(campagne|questionnaire|enquête|observatoire)\s+\d{4}\b"  # « campagne 2025 », « Questionnaire 2025 »
    r"|\(données \d{4}\)"  # « Campagne 2026 (données 2025) »
)
SOURCE_OLD_FORMS = re.compile(
    r"(?i)\b(campagne|questionnaire|enquête|observatoire)\s+(\{\{\s*|\{)[\w.]*year\s*(\}|\|add)"
)


def old_forms(text: str) -> list[str]:
    """The campaign names of `text` that are not « Enquête N+1 — données N »."""
    wrong = [m.group(0) for m in LABEL.finditer(text) if int(m.group(1)) != int(m.group(2)) + 1]
    rest = LABEL.sub("", text)
    return wrong + [rest[max(0, m.start() - 40) : m.end() + 20] for m in OLD_FORMS.finditer(rest)]


def test_the_one_name():
    assert campaign_label(2025) == "Enquête 2026 — données 2025"
    assert campaign_phrase(2025) == "l'enquête 2026 — données 2025"
    assert campaign_slug(2025) == "enquete-2026-donnees-2025"
    campaign = Campaign(year=2025)
    assert str(campaign) == campaign.label == "Enquête 2026 — données 2025"


def test_pages_mails_and_exports_use_the_one_name(client, world, campaign):
    structure = world.structure_a
    pages = []
    log_in(client, world.users["member_a"])
    for url in [
        reverse("observatory_fill:home"),
        reverse("observatory_fill:summary", args=[2025, structure.pk]),
        reverse("observatory_fill:section", args=[2025, structure.pk, "PROJET"]),
    ]:
        pages.append((url, client.get(url)))
    client.logout()
    log_in(client, world.users["national_admin"])
    for url in [
        reverse("observatory_check:dashboard") + "?annee=2025",
        reverse("observatory_check:response", args=[2025, structure.pk]),
        reverse("observatory_admin:campaigns"),
        reverse("observatory_admin:campaign-edit", kwargs={"year": 2025}),
        reverse("observatory_admin:questionnaire-load", kwargs={"year": 2025}),
        reverse("admin:observatory_campaign_changelist"),
        reverse("admin:observatory_response_changelist"),
    ]:
        pages.append((url, client.get(url)))
    aggregates.refresh_year(2025)
    aggregates.refresh_year(2024)
    for url in [reverse("observatory:nation"), reverse("observatory:departement", kwargs={"code": "13"})]:
        pages.append((url, client.get(url)))
    for url, page in pages:
        assert page.status_code == 200, url
        text = page.content.decode()
        assert "Enquête 2026 — données 2025" in text, url
        assert old_forms(text) == [], url

    export = client.get(reverse("observatory_check:export", kwargs={"fmt": "xlsx"}) + "?annee=2025")
    assert "observatoire-reponses-enquete-2026-donnees-2025" in export["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    assert book.properties.title == "Observatoire : réponses, Enquête 2026 — données 2025"
    pdf_name = client.head(reverse("observatory:nation-pdf"))
    assert 'filename="observatoire-france-enquete-2026-donnees-2025.pdf"' in pdf_name["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(client.get(reverse("observatory:export-xlsx")).content), read_only=True)
    header, first = list(workbook["France"].iter_rows(values_only=True, max_row=2))
    assert header[-1] == "Enquête" and LABEL.fullmatch(first[-1]) and first[0] == int(LABEL.fullmatch(first[-1])[2])

    mail.outbox.clear()
    checking.send_reminder(campaign[0])
    event = checking.return_response(campaign[0], acting_user=world.users["national_admin"], comment="À revoir.")
    checking.notify_returned(event)
    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert "Enquête 2026 — données 2025" in message.subject and "Enquête 2026 — données 2025" in message.body
        assert old_forms(text) == []


def test_no_source_writes_a_campaign_by_its_bare_year():
    root = Path(maillage.__file__).parent
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt", ".yaml"} or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SOURCE_OLD_FORMS.search(line) or old_forms(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
