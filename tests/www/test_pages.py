"""Public pages: home, action sheet, structure sheet, 404."""

import datetime as dt

import pytest
from django.urls import reverse

from maillage.actions.models import (
    Action,
    ActionDimension,
    ActionFile,
    ActionInitiative,
    ActionKeyword,
    ActionPartner,
    ActionPublic,
    ActionState,
)
from maillage.actions.services import record_action_change
from maillage.referentials.models import (
    ActionStatus,
    Department,
    Dimension,
    Initiative,
    Keyword,
    ManagementMode,
    Partner,
    PriorityGeography,
    Public,
    Territory,
    TerritorySize,
    TerritoryType,
)
from maillage.structures.models import Structure, StructureKind

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def make_structure(name="Centre social des Lilas", **fields) -> Structure:
    fields.setdefault("department", Department.objects.get(code="13"))
    fields.setdefault("kind", StructureKind.CSX)
    return Structure.objects.create(name=name, **fields)


def link_items(action, through, model, labels) -> None:
    for position, label in enumerate(labels):
        through.objects.create(action=action, item=model.objects.get(label=label), position=position)


def make_action(structure, title="Jardin partagé", *, state=ActionState.PUBLISHED, keywords=(), **fields) -> Action:
    fields.setdefault("year", 2019)
    action = Action.objects.create(structure=structure, title=title, state=state, **fields)
    link_items(action, ActionKeyword, Keyword, keywords)
    record_action_change(action, None, acting_user=None, source="test")
    return action


def full_action(structure, title: str = "Fête de quartier") -> Action:
    """A sheet with every field filled, each value naming its field."""
    action = Action.objects.create(
        structure=structure,
        title=title,
        state=ActionState.PUBLISHED,
        year=2018,
        status=ActionStatus.objects.get(label="Terminée"),
        end_reason="VAL-END-REASON",
        summary="VAL-SUMMARY ligne 1\nVAL-SUMMARY ligne 2",
        initiative_detail="VAL-INITIATIVE-DETAIL",
        territory=Territory.objects.get(label="Un quartier"),
        experience="VAL-EXPERIENCE",
        general_description="VAL-GENERAL",
        financial_resources="VAL-FINANCIAL",
        people_mobilised="VAL-PEOPLE",
        result_territory="VAL-RESULT-TERRITORY",
        result_centre="VAL-RESULT-CENTRE",
        result_inhabitants="VAL-RESULT-INHABITANTS",
        limits="VAL-LIMITS",
        perspectives="VAL-PERSPECTIVES",
    )
    ActionFile.objects.create(action=action, name="VAL-FILE.pdf")
    link_items(action, ActionDimension, Dimension, ["Citoyenneté"])
    link_items(action, ActionKeyword, Keyword, ["Solidarité", "Culture"])
    link_items(action, ActionInitiative, Initiative, ["Un groupe d'habitants"])
    link_items(action, ActionPublic, Public, ["Seniors"])
    link_items(action, ActionPartner, Partner, ["Bailleur social"])
    record_action_change(action, None, acting_user=None, source="test")
    return action


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status
    content = response.content.decode()
    assert "INVALID TEMPLATE VARIABLE" not in content
    return content


# Layout


def test_layout_is_french_accessible_and_served_locally(client):
    content = page(client, reverse("www:home"))
    assert '<html lang="fr">' in content
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in content
    assert 'id="contenu"' in content
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in content
    assert "<title>Accueil — Maillage</title>" in content
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in content
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in content
    assert "/static/css/maillage.css" in content
    assert "cdn" not in content.lower()
    assert "marianne" not in content.lower()
    assert "dsfr" not in content.lower()


# Home


def test_home_counts_and_lists_published_sheets(client):
    structure = make_structure()
    make_action(structure, "Atelier cuisine")
    make_action(structure, "Sortie familles")
    make_action(structure, "Brouillon secret", state=ActionState.DRAFT)
    content = page(client, reverse("www:home"))
    assert '<span class="key-figure-value">2</span> fiches actions publiées' in content
    assert '<span class="key-figure-value">1</span> structure dans' in content
    assert "Atelier cuisine" in content
    assert "Sortie familles" in content
    assert "Brouillon secret" not in content
    action = Action.objects.get(title="Atelier cuisine")
    assert f'href="{action.get_absolute_url()}"' in content


def test_home_shows_the_ten_latest_sheets(client):
    structure = make_structure()
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for day in range(12):
        make_action(structure, f"Fiche numéro {day:02d}", published_at=base + dt.timedelta(days=day))
    make_action(structure, "Fiche sans date de publication")
    content = page(client, reverse("www:home"))
    assert "Fiche numéro 11" in content
    assert "Fiche numéro 02" in content
    assert "Fiche numéro 01" not in content
    assert "Fiche sans date de publication" not in content
    assert content.index("Fiche numéro 11") < content.index("Fiche numéro 10")


def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    for index in range(12):
        make_action(make_structure(f"Structure {index}"), f"Fiche {index}")
    with django_assert_num_queries(3):
        page(client, reverse("www:home"))


# Action sheet


def test_action_page_shows_every_field_in_the_order_of_the_sheet(client):
    structure = make_structure()
    action = full_action(structure)
    content = page(client, action.get_absolute_url())
    assert "<title>Fête de quartier — Fiche action — Maillage</title>" in content
    expected = [
        "<h1",
        "Structure organisatrice",
        f'<a href="{structure.get_absolute_url()}">Centre social des Lilas</a> — <a href="/actions/?department=13"',
        "Bouches-du-Rhône</a>",
        "VAL-FILE.pdf",
        "Terminée",
        "VAL-END-REASON",
        "Citoyenneté",
        'href="/actions/?keyword=Solidarit%C3%A9" title="Voir les actions : Solidarité">Solidarité</a></li><li>',
        'href="/actions/?keyword=Culture"',
        "VAL-SUMMARY ligne 1<br>VAL-SUMMARY ligne 2",
        "Un groupe d&#x27;habitants",
        "VAL-INITIATIVE-DETAIL",
        "Un quartier",
        "VAL-EXPERIENCE",
        "Seniors",
        "Bailleur social",
        "VAL-GENERAL",
        "VAL-FINANCIAL",
        "VAL-PEOPLE",
        "VAL-RESULT-TERRITORY",
        "VAL-RESULT-CENTRE",
        "VAL-RESULT-INHABITANTS",
        "VAL-LIMITS",
        "VAL-PERSPECTIVES",
    ]
    positions = [content.index(text) for text in expected]
    assert positions == sorted(positions)
    assert 'href="/static/css/print.css" media="print"' in content


def test_action_page_hides_empty_fields(client):
    action = make_action(make_structure(), "Fiche presque vide")
    content = page(client, action.get_absolute_url())
    assert "Fiche presque vide" in content
    for label in ("Résumé", "Public", "Statut de l", "Description générale", "Fichier(s) associé(s)", "Perspectives"):
        assert f'class="sheet-label">{label}' not in content


def test_action_page_without_structure(client):
    action = make_action(None, "Fiche orpheline")
    content = page(client, action.get_absolute_url())
    assert "Fiche orpheline" in content
    assert "Aucune structure rattachée à cette fiche." in content
    assert "Contacter la structure" not in content


def test_action_page_escapes_user_text(client):
    structure = make_structure(f"Centre {SCRIPT}")
    action = make_action(structure, f"Titre {SCRIPT}", summary=f"Résumé {SCRIPT}\nsuite", perspectives=SCRIPT)
    content = page(client, action.get_absolute_url())
    assert "<script>alert" not in content
    assert f"Titre {ESCAPED_SCRIPT}" in content
    assert f"Résumé {ESCAPED_SCRIPT}<br>suite" in content
    assert f"Centre {ESCAPED_SCRIPT}" in content


@pytest.mark.parametrize(
    "state", [ActionState.DRAFT, ActionState.SUBMITTED, ActionState.RETURNED, ActionState.ARCHIVED]
)
def test_unpublished_sheets_are_not_found(client, state):
    action = make_action(make_structure(), "Pas encore publiée", state=state)
    content = page(client, action.get_absolute_url(), status=404)
    assert "Page introuvable" in content
    assert "Pas encore publiée" not in content
    page(client, reverse("www:action-permalink", kwargs={"pk": action.pk}), status=404)


def test_unknown_sheet_gives_the_french_404_page(client):
    content = page(client, reverse("www:action-permalink", kwargs={"pk": 999999}), status=404)
    assert "<title>Page introuvable — Maillage</title>" in content
    assert "Retourner à l'accueil" in content


def test_wrong_slug_redirects_to_the_canonical_url(client):
    action = make_action(make_structure(), "Jardin partagé")
    assert action.get_absolute_url() == f"/actions/{action.pk}-jardin-partage/"
    for url in (
        reverse("www:action-detail", kwargs={"pk": action.pk, "slug": "ancien-titre"}),
        reverse("www:action-permalink", kwargs={"pk": action.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == action.get_absolute_url()


def test_action_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    structure = make_structure()
    action = full_action(structure)
    for number in range(5):
        full_action(structure, title=f"Fête de quartier {number}")
    url = action.get_absolute_url()
    page(client, url)  # loads the facet index of this process once
    # The sheet, each list through its rows and items, the files; the similar sheets (their words, the
    # variants of each of the 8 words at most, the text query, their records); the facet index check.
    with django_assert_max_num_queries(30):
        content = page(client, url)
    assert content.count("Fête de quartier 4</a>") == 1
    # The similar sheets are kept until the bank changes.
    with django_assert_max_num_queries(17):
        page(client, url)


# Structure sheet


def full_structure() -> Structure:
    return make_structure(
        "Centre social La Ruche",
        street="9 rue Roquette",
        postcode="13001",
        commune="Marseille",
        email="contact@laruche.example.org",
        website="https://laruche.example.org",
        siret="123 456 789 00012",
        siret_flagged=True,
        first_approval=dt.date(1998, 3, 15),
        population=12500,
        history="Créé par des habitants\nen 1998.",
        axis_1="Soutenir les familles",
        axis_3="Agir pour la jeunesse",
        management_mode=ManagementMode.objects.get(label="Associatif"),
        territory_type=TerritoryType.objects.get(label="Un espace à dominante urbaine"),
        territory_size=TerritorySize.objects.get(label="Plusieurs quartiers"),
        priority_geography=PriorityGeography.objects.filter(label__contains="QPV").first(),
        fcsf_member=True,
        other_federation="Fédération locale",
        travellers=False,
        multi_site=True,
        itinerant=None,
    )


def test_structure_page_shows_the_identity_sheet_and_published_sheets(client):
    structure = full_structure()
    published = make_action(structure, "Atelier couture")
    make_action(structure, "Brouillon caché", state=ActionState.DRAFT)
    content = page(client, structure.get_absolute_url())
    assert "<title>Centre social La Ruche — Structure — Maillage</title>" in content
    expected = [
        "Centre social — Bouches-du-Rhône, Provence-Alpes-Côte d&#x27;Azur",
        "9 rue Roquette<br>13001 Marseille",
        'href="mailto:contact@laruche.example.org"',
        'href="https://laruche.example.org"',
        '123 456 789 00012 <span class="sheet-meta">(numéro à vérifier)</span>',
        "15 mars 1998",
        "12\xa0500 habitants",
        "Créé par des habitants<br>en 1998.",
        "Axe 1&nbsp;:</strong> Soutenir les familles",
        "Axe 3&nbsp;:</strong> Agir pour la jeunesse",
        "Associatif",
        "Un espace à dominante urbaine",
        "Plusieurs quartiers",
        "QPV",
        "Adhérent à la Fédération des centres sociaux",
        "Fédération locale",
        "Structure « gens du voyage »",
        "Structure multi-sites / éclatée",
        f'<a href="{published.get_absolute_url()}">Atelier couture</a>',
    ]
    positions = [content.index(text) for text in expected]
    assert positions == sorted(positions)
    assert "Axe 2" not in content
    assert "Structure itinérante" not in content
    assert "Brouillon caché" not in content


def test_structure_page_hides_empty_sections(client):
    structure = Structure.objects.create(name="Espace de vie sociale Le Lien", kind=StructureKind.EVS)
    content = page(client, structure.get_absolute_url())
    assert "Espace de vie sociale Le Lien" in content
    for heading in ("Fiche identité", "Historique", "Axes du projet", "Mode de gestion", "Spécificités"):
        assert f">{heading}" not in content
    assert "pas encore publié de fiche action" in content


def test_structure_page_escapes_user_text(client):
    structure = make_structure(
        f"Centre {SCRIPT}",
        history=f"Histoire {SCRIPT}",
        axis_1=SCRIPT,
        website="javascript:alert(1)",
        email=SCRIPT,
        commune=SCRIPT,
    )
    make_action(structure, f"Fiche {SCRIPT}")
    content = page(client, structure.get_absolute_url())
    assert "<script>alert" not in content
    assert 'href="javascript:' not in content
    assert f"Centre {ESCAPED_SCRIPT}" in content
    assert f"Histoire {ESCAPED_SCRIPT}" in content
    assert f"Fiche {ESCAPED_SCRIPT}" in content


def test_unknown_structure_gives_404(client):
    page(client, reverse("www:structure-detail", kwargs={"pk": 999999}), status=404)


def test_structure_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    structure = full_structure()
    for index in range(8):
        make_action(structure, f"Fiche {index}")
    with django_assert_num_queries(2):
        page(client, structure.get_absolute_url())
