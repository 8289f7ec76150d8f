"""Opening an action sheet from the list: every field of the sheet, then its similar actions."""

from playwright.sync_api import expect

from maillage.actions.models import Action
from maillage.exchange.action_json import action_records

from .pages import search

TITLE = "Accompagnement à la parentalité"
# The heading of each field on the sheet page, in the order of the sheet.
FIELD_LABELS = {
    "status": "Statut de l'action",
    "end_reason": "Raisons pour lesquelles l'action est terminée",
    "dimensions": "Dimension",
    "keywords": "Mots clés associés à l'action",
    "summary": "Résumé",
    "initiative": "Qui est à l'initiative de l'action ?",
    "initiative_detail": "Précision (si autre)",
    "territory": "Territoire concerné",
    "experience": "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases",
    "public": "Public",
    "partners": "Avec qui cette action a-t-elle été menée ?",
    "general_description": "Description générale",
    "financial_resources": "Ressources financières mobilisées pour cette action",
    "people_mobilised": "Nombre de personnes mobilisées pour cette action",
    "result_territory": "Résultat sur le territoire",
    "result_centre": "Résultat pour le centre social",
    "result_inhabitants": "Résultat pour les habitants",
    "limits": "Suite de l'action : limites",
    "perspectives": "Suite de l'action : perspectives",
}


def flat(text: str) -> str:
    """Whitespace as a reader sees it: line breaks and no-break spaces are spaces."""
    return " ".join(text.replace("\xa0", " ").split())


def test_opening_a_sheet_shows_all_its_fields_and_similar_actions(site, page):
    action = Action.objects.get(title=TITLE)
    record = action_records([action.pk])[action.pk]
    filled = {key: value for key, value in record.items() if key in FIELD_LABELS and value}
    # The seed's sheet fills every field but the end reason, the initiative detail and the files.
    assert set(FIELD_LABELS) - set(filled) == {"end_reason", "initiative_detail"}

    page.goto(site("/actions/"))
    search(page, "parentalite")
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_url(f"**{action.get_absolute_url()}")

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    sheet = page.locator("article.action-sheet")
    expect(sheet.get_by_role("link", name="CS SUSINI ST-JEROME (EX RENAUD")).to_be_visible()
    expect(sheet).to_contain_text("Bouches-du-Rhône")
    fields = {
        flat(field.locator(".sheet-label").inner_text()): flat(field.inner_text())
        for field in sheet.locator(".sheet-field").all()
    }
    for key, value in filled.items():
        label = FIELD_LABELS[key]
        assert label in fields, f"champ « {label} » absent de la fiche ; champs vus : {list(fields)}"
        for part in value if isinstance(value, list) else [value]:
            assert flat(part) in fields[label], f"« {label} » : {part!r} absent"
    assert "Raisons pour lesquelles l'action est terminée" not in fields

    similar = page.locator("aside[aria-labelledby=similar-title]")
    expect(similar.locator("#similar-title")).to_have_text("Actions similaires")
    links = similar.get_by_role("link")
    assert links.count() >= 1
    similar_titles = [flat(title) for title in links.all_inner_texts()]
    assert TITLE not in similar_titles
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(similar_titles[0])
