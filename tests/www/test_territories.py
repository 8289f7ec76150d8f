"""Territory pages: department and region pages, the map of France and its table."""

import datetime as dt
import html
import re

import pytest

from maillage.actions.models import ActionState
from maillage.referentials.models import Department
from maillage.structures.models import StructureKind
from maillage.www.france_map import LegendStep, colour_steps, department_shapes, step_of

from .test_directory import make_sheet, make_structure, page

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def published_on(day: int) -> dt.datetime:
    return dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)


@pytest.fixture
def rhone():
    """Rhône: two centres sociaux, an EVS, a structure of unknown kind; three published sheets and a draft."""
    lilas = make_structure("Centre social des Lilas", "69", commune="Lyon")
    make_structure("Centre social Bellevue", "69", commune="Villeurbanne")
    ruche = make_structure("La Ruche", "69", kind=StructureKind.EVS)
    make_structure("Maison sans type", "69", kind="")
    make_sheet(lilas, "Jardin partagé", keywords=["Culture", "Solidarité"], published_at=published_on(1), year=2023)
    make_sheet(lilas, "Fête de quartier", keywords=["Culture"], published_at=published_on(3))
    make_sheet(ruche, "Atelier vélo", keywords=["Culture", "mobilité / transport"], published_at=published_on(2))
    make_sheet(ruche, "Brouillon caché", state=ActionState.DRAFT, keywords=["Santé"])
    # Elsewhere: must not count.
    make_sheet(make_structure("Centre Mistral", "13"), "Fiche marseillaise", keywords=["Santé"])
    make_sheet(make_structure("Centre de l'Ain", "01"), "Fiche de l'Ain", keywords=["Santé"])
    return lilas


def test_department_page(client, rhone):
    content = page(client, "/territoires/69/")
    assert "<title>Rhône — Département — Maillage</title>" in content
    assert "<h1>Rhône</h1>" in content
    assert 'Département 69 — <a href="/territoires/r84/">Auvergne-Rhône-Alpes</a>' in content
    assert (
        '<span class="key-figure-value">4</span> structures : 2 centres sociaux, 1 espace de vie sociale, '
        "1 de type non renseigné</p>"
    ) in content
    assert '<span class="key-figure-value">3</span> fiches actions publiées' in content
    assert '<a href="/actions/?department=69">Voir les fiches actions du département dans la banque</a>' in content
    assert '<a href="/structures/?department=69">Voir les structures du département dans l\'annuaire</a>' in content
    # Its structures, by name.
    structures = re.findall(r'<li><a href="/structures/\d+/">([^<]+)</a>', content)
    assert structures == ["Centre social Bellevue", "Centre social des Lilas", "La Ruche", "Maison sans type"]
    assert f'<a href="{rhone.get_absolute_url()}">Centre social des Lilas</a>' in content
    # The latest published sheets, most recent first; no draft, nothing from elsewhere.
    latest = content.split('id="latest-title"')[1].split("</section>")[0]
    assert re.findall(r'<a href="/actions/\d+-[^"]+/">([^<]+)</a>', latest) == [
        "Fête de quartier",
        "Atelier vélo",
        "Jardin partagé",
    ]
    assert "— Centre social des Lilas, 2023" in latest
    for hidden in ("Brouillon caché", "Fiche marseillaise", "Fiche de l&#x27;Ain"):
        assert hidden not in content
    # The top keywords with their counts, linking to the bank.
    keywords = content.split('id="keywords-title"')[1].split("</section>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="sheet-meta">\((\d+) fiches?\)', keywords) == [
        ("/actions/?department=69&amp;keyword=Culture", "Culture", "3"),
        ("/actions/?department=69&amp;keyword=Solidarit%C3%A9", "Solidarité", "1"),
        ("/actions/?department=69&amp;keyword=mobilit%C3%A9+%2F+transport", "mobilité / transport", "1"),
    ]
    assert "Santé" not in content


def test_department_page_lists_twenty_structures_and_links_to_the_directory(client):
    for index in range(25):
        make_structure(f"Structure {index:02d}", "2A")
    content = page(client, "/territoires/2A/")
    assert "<h1>Corse-du-Sud</h1>" in content
    assert len(re.findall(r'<li><a href="/structures/\d+/">', content)) == 20
    assert "Structure 19" in content
    assert "Structure 20" not in content
    assert '<a href="/structures/?department=2A">Voir les 25 structures du département dans l\'annuaire</a>' in content


def test_an_empty_department_says_so(client):
    content = page(client, "/territoires/974/")
    assert "<h1>La Réunion</h1>" in content
    assert '<span class="key-figure-value">0</span> structure' in content
    assert "Aucune structure de ce département n'est dans l'annuaire." in content
    assert "Aucune fiche n'est encore publiée sur ce territoire." in content


def test_region_page_lists_its_departments_with_their_counts(client, rhone):
    make_structure("Centre de la Loire", "42")
    content = page(client, "/territoires/r84/")
    assert "<title>Auvergne-Rhône-Alpes — Région — Maillage</title>" in content
    assert "<h1>Auvergne-Rhône-Alpes</h1>" in content
    assert '<span class="key-figure-value">6</span> structures : 4 centres sociaux' in content
    assert '<span class="key-figure-value">4</span> fiches actions publiées' in content
    assert '<a href="/actions/?region=84">' in content
    assert '<a href="/structures/?region=84">' in content
    rows = re.findall(
        r'<th scope="row"><a href="/territoires/(\w+)/">([^<]+)</a></th>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>',
        content,
    )
    assert len(rows) == Department.objects.filter(region__code="84").count() == 12
    assert rows[0] == ("01", "Ain (01)", "1", "1")
    assert ("42", "Loire (42)", "1", "0") in rows
    assert ("69", "Rhône (69)", "4", "3") in rows
    assert "Fiche marseillaise" not in content
    assert "Fiche de l&#x27;Ain" in content


def test_region_and_department_codes_do_not_collide(client):
    assert "<h1>Vaucluse</h1>" in page(client, "/territoires/84/")
    assert "<h1>Auvergne-Rhône-Alpes</h1>" in page(client, "/territoires/r84/")
    assert "<h1>Guadeloupe</h1>" in page(client, "/territoires/r01/")
    assert "<h1>Ain</h1>" in page(client, "/territoires/01/")


@pytest.mark.parametrize(
    ("url", "target"), [("/territoires/2a/", "/territoires/2A/"), ("/territoires/R84/", "/territoires/r84/")]
)
def test_codes_in_another_case_redirect(client, url, target):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.parametrize("code", ["999", "r99", "r", "2C", "rhone", "r2A", "1"])
def test_unknown_territory_gives_404(client, code):
    content = page(client, f"/territoires/{code}/", status=404)
    assert "Page introuvable" in content


def test_territory_pages_escape_user_text(client):
    structure = make_structure(f"Centre {SCRIPT}", "69", commune=SCRIPT)
    make_sheet(structure, f"Fiche {SCRIPT}")
    for url in ("/territoires/69/", "/territoires/r84/"):
        content = page(client, url)
        assert "Centre &lt;script&gt;" in content


def test_territory_pages_run_a_fixed_number_of_queries(client, rhone, django_assert_max_num_queries):
    for index in range(15):
        structure = make_structure(f"Structure {index}", ("69", "01", "42")[index % 3])
        make_sheet(structure, f"Fiche {index}", keywords=["Culture", "Santé"])
    # The department, structures by kind, sheets, structures listed, latest sheets, keywords, its correspondents.
    with django_assert_max_num_queries(7):
        page(client, "/territoires/69/")
    # The region, its departments and their two counts, structures by kind, latest sheets, keywords.
    with django_assert_max_num_queries(7):
        page(client, "/territoires/r84/")


# The map of France


def map_areas(content: str) -> dict[str, tuple[str, str]]:
    """Department code → (accessible name, colour step) of each area of the map."""
    svg = content.split('<svg class="france-map"')[1].split("</svg>")[0]
    areas = re.findall(
        r'<a href="/territoires/(\w+)/" aria-label="([^"]+)"><title>[^<]+</title><path class="map-step-(\d)"', svg
    )
    return {code: (html.unescape(label), step) for code, label, step in areas}


def test_territory_index_draws_the_map_with_a_link_and_a_name_per_department(client, rhone):
    content = page(client, "/territoires/")
    assert "<title>Territoires — Maillage</title>" in content
    assert 'href="/static/css/map.css"' in content
    areas = map_areas(content)
    assert len(areas) == 96  # metropolitan France
    assert areas["69"] == ("Rhône : 3 fiches", "2")
    assert areas["13"] == ("Bouches-du-Rhône : 1 fiche", "1")
    assert areas["01"] == ("Ain : 1 fiche", "1")
    assert areas["2A"] == ("Corse-du-Sud : 0 fiche", "0")
    assert areas["75"][0] == "Paris : 0 fiche"
    assert 'viewBox="0 0 613 585"' in content
    assert 'role="group" aria-labelledby="map-caption"' in content
    # Overseas departments are not on the map: they are listed beside it.
    overseas = content.split('id="overseas-title"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="/territoires/(\w+)/">', overseas) == ["971", "972", "973", "974", "976"]
    # The legend names every step used.
    legend = content.split('id="map-legend-title"')[1].split("</ul>")[0]
    assert re.findall(r'map-step-(\d)" aria-hidden="true"></span> ([^<]+)</li>', legend) == [
        ("0", "aucune fiche"),
        ("1", "1 fiche"),
        ("2", "de 2 à 3 fiches"),
    ]
    # Attribution of the map (CC BY 4.0).
    assert "https://github.com/VictorCazanave/svg-maps" in content
    assert "Creative Commons Attribution 4.0" in content


def test_territory_index_table_gives_the_same_figures(client, rhone):
    content = page(client, "/territoires/")
    table = content.split('<table class="table table-sm table-striped" id="departments-table"')[1].split("</table>")[0]
    assert "<caption>Nombre de structures et de fiches actions publiées par département</caption>" in table
    rows = re.findall(
        r'<th scope="row"><a href="/territoires/(\w+)/">([^<]+)</a></th>\s*<td>([^<]+)</td>\s*'
        r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>',
        table,
    )
    assert len(rows) == 101
    by_code = {
        code: (html.unescape(name), html.unescape(region), structures, sheets)
        for code, name, region, structures, sheets in rows
    }
    assert by_code["69"] == ("Rhône (69)", "Auvergne-Rhône-Alpes", "4", "3")
    assert by_code["13"] == ("Bouches-du-Rhône (13)", "Provence-Alpes-Côte d'Azur", "1", "1")
    assert by_code["976"] == ("Mayotte (976)", "Mayotte", "0", "0")
    assert [code for code, *_ in rows][:3] == ["01", "02", "03"]
    # The regions, with their totals and links.
    regions = content.split('id="regions-title"')[1].split("</section>")[0]
    assert (
        '<a href="/territoires/r84/">Auvergne-Rhône-Alpes</a> <span class="sheet-meta">— 5 structures, 4 fiches</span>'
        in regions
    )
    names = re.findall(r'<a href="/territoires/r\w+/">([^<]+)</a>', regions)
    assert len(names) == 18
    assert names.index("Hauts-de-France") < names.index("Île-de-France") < names.index("La Réunion")


def test_territory_index_runs_three_queries(client, rhone, django_assert_num_queries):
    with django_assert_num_queries(3):
        page(client, "/territoires/")


def test_the_vendored_map_has_the_96_metropolitan_departments():
    view_box, shapes = department_shapes()
    assert view_box == "0 0 613 585"
    codes = {shape.code for shape in shapes}
    assert len(codes) == 96
    known = set(Department.objects.values_list("code", flat=True))
    assert codes <= known
    assert known - codes == {"971", "972", "973", "974", "976"}
    assert all(shape.path.startswith("m ") for shape in shapes)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], []),
        ([0, 0], []),
        ([0, 5], [LegendStep(1, 1, 5)]),
        ([1, 2, 3, 4], [LegendStep(1, 1, 1), LegendStep(2, 2, 2), LegendStep(3, 3, 3), LegendStep(4, 4, 4)]),
        ([0, 1, 1, 1, 1, 9], [LegendStep(1, 1, 1), LegendStep(2, 2, 9)]),
        (
            list(range(0, 101)),
            [LegendStep(1, 1, 25), LegendStep(2, 26, 50), LegendStep(3, 51, 75), LegendStep(4, 76, 100)],
        ),
    ],
)
def test_colour_steps_hold_about_as_many_departments_each(counts, expected):
    assert colour_steps(counts) == expected


def test_step_of_a_count():
    legend = [LegendStep(1, 1, 10), LegendStep(2, 11, 20)]
    assert [step_of(count, legend) for count in (0, 1, 10, 11, 20, 25)] == [0, 1, 1, 2, 2, 2]
    assert step_of(3, []) == 0


def test_every_page_counts_the_same_published_sheets(client, rhone):
    """Sheets without a structure, or whose structure has no department, are published sheets too: the map
    counts them apart, so that its totals are those of the home page, the bank and the API."""
    make_sheet(None, "Fiche sans structure")
    make_sheet(None, "Autre fiche sans structure")
    make_sheet(None, "Brouillon sans structure", state=ActionState.DRAFT)
    homeless = make_structure("Centre sans département", None)
    make_sheet(homeless, "Fiche d'un centre sans département")
    make_structure("Autre centre sans département", None)
    home = page(client, "/")
    assert '<span class="key-figure-value">8</span> fiches actions publiées' in home
    assert '<span class="key-figure-value">8</span> structures dans l\'annuaire' in home
    assert client.get("/api/v1/actions").json()["count"] == 8
    assert 'id="results-count" tabindex="-1" aria-live="polite">8 fiches</h2>' in page(client, "/actions/")
    territories = page(client, "/territoires/")
    assert "8 structures et 8 fiches actions publiées, département par département." in territories
    unplaced = territories.split('id="unplaced-title"')[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", unplaced) == [
        "2 fiches sans structure rattachée",
        "1 fiche de structure sans département renseigné",
        "2 structures sans département renseigné",
    ]


def test_the_map_says_nothing_of_sheets_elsewhere_when_there_are_none(client, rhone):
    content = page(client, "/territoires/")
    assert "6 structures et 5 fiches actions publiées" in content
    assert "unplaced-title" not in content


def test_a_sheet_without_a_structure_says_so(client):
    sheet = make_sheet(None, "Fiche orpheline", year=2023, published_at=published_on(1))
    assert '<span class="sheet-meta">Sans structure rattachée — 2023</span>' in page(client, "/")
    assert '<p class="result-meta mb-1">Sans structure rattachée · 2023</p>' in page(client, "/actions/")
    detail = page(client, sheet.get_absolute_url())
    assert 'Structure organisatrice</h2>\n    <p class="mb-0">Aucune structure rattachée à cette fiche.</p>' in detail
