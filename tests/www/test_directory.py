"""The directory of structures: search, facets with counts, active filters, pagination, bad input."""

import html
import re
from urllib.parse import urlencode

import pytest
from django.db.models import Q
from django.http import QueryDict

from maillage.actions.models import Action, ActionKeyword, ActionState
from maillage.referentials.models import Department, Keyword, ManagementMode, PriorityGeography, TerritoryType
from maillage.search.params import InvalidParameter
from maillage.structures.directory import parse_structure_filters, search_structures
from maillage.structures.models import Structure, StructureKind

pytestmark = pytest.mark.django_db

DIRECTORY = "/structures/"
QPV = "Votre structure est située sur un quartier prioritaire de la Politique de la Ville (QPV)"
SCRIPT = "<script>alert('x')</script>"


# Helpers shared with the territory and API tests.


def make_structure(name: str, department: str | None = "69", *, kind=StructureKind.CSX, **fields) -> Structure:
    """A structure; closed-list fields (`management_mode`, …) may be given as labels."""
    for field_name, model in (
        ("management_mode", ManagementMode),
        ("territory_type", TerritoryType),
        ("priority_geography", PriorityGeography),
    ):
        if isinstance(fields.get(field_name), str):
            fields[field_name] = model.objects.get(label=fields[field_name])
    if department is not None:
        fields["department"] = Department.objects.get(code=department)
    return Structure.objects.create(name=name, kind=kind, **fields)


def make_sheet(structure, title: str, *, state=ActionState.PUBLISHED, keywords=(), **fields) -> Action:
    action = Action.objects.create(structure=structure, title=title, state=state, **fields)
    for position, label in enumerate(keywords):
        ActionKeyword.objects.create(action=action, item=Keyword.objects.get(label=label), position=position)
    return action


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    content = response.content.decode()
    assert "INVALID TEMPLATE VARIABLE" not in content
    assert "<script>alert" not in content
    return content


def listed_names(content: str) -> list[str]:
    return [
        html.unescape(name)
        for name in re.findall(r'<h3 class="structure-name"><a href="/structures/\d+/">([^<]*)</a>', content)
    ]


def facet_option(content: str, param: str, value: str) -> str | None:
    """The label text of one facet checkbox (with its count), None when the option is not shown."""
    match = re.search(
        rf'<input class="form-check-input" type="checkbox" name="{param}" value="{re.escape(value)}" '
        rf'id="(facet-[^"]+)"( checked)?>\s*<label class="form-check-label" for="\1">(.*?)</label>',
        content,
        re.S,
    )
    if match is None:
        return None
    return ("[x] " if match.group(2) else "[ ] ") + html.unescape(re.sub(r"<[^>]+>", "", match.group(3)))


def test_directory_lists_structures_by_name_and_links_each_sheet(client):
    lilas = make_structure("Centre social des Lilas", commune="Lyon", postcode="69003")
    make_structure("Accueil Bellevue", "13", kind=StructureKind.EVS, commune="Marseille")
    content = page(client, DIRECTORY)
    assert "<title>Annuaire des structures — Maillage</title>" in content
    assert "<h1>Annuaire des structures</h1>" in content
    assert listed_names(content) == ["Accueil Bellevue", "Centre social des Lilas"]
    assert f'<a href="{lilas.get_absolute_url()}">Centre social des Lilas</a>' in content
    assert "Centre social — 69003 Lyon — Rhône" in content
    assert "Espace de vie sociale — Marseille — Bouches-du-Rhône" in content
    assert "2 structures" in content


def test_the_form_works_without_javascript(client):
    make_structure("Centre social des Lilas")
    content = page(client, DIRECTORY)
    assert '<form method="get" action="/structures/" role="search"' in content
    assert '<label for="directory-q" class="form-label fw-bold">Nom ou commune</label>' in content
    assert 'type="search" id="directory-q" name="q"' in content
    assert '<legend class="facet-title">Département</legend>' in content
    assert 'type="checkbox" name="department" value="69"' in content
    assert '<button type="submit" class="btn btn-primary">Appliquer les filtres</button>' in content
    assert "<script" not in content.split("</main>")[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lilas", ["Centre social des Lilas"]),
        ("LILAS", ["Centre social des Lilas"]),
        ("ecole", ["École des parents"]),
        ("ÉCOLE", ["École des parents"]),
        ("saint-etienne", ["École des parents"]),
        ("SAINT ÉTIENNE", ["École des parents"]),
        ("lyon", ["Centre social des Lilas"]),
        ("centre lyon", ["Centre social des Lilas"]),
        ("centre marseille", []),
        ("œuvre", ["Maison de l'Oeuvre"]),
        ("l'oeuvre", ["Maison de l'Oeuvre"]),
        ("42100", ["École des parents"]),
        ("lila_", []),
        ("...", ["Centre social des Lilas", "École des parents", "Maison de l'Oeuvre"]),
    ],
)
def test_search_by_name_and_commune_ignores_case_and_accents(client, query, expected):
    make_structure("Centre social des Lilas", commune="Lyon")
    make_structure("École des parents", "42", commune="Saint-Étienne", postcode="42100")
    make_structure("Maison de l'Oeuvre", "13", commune="Marseille")
    content = page(client, f"{DIRECTORY}?{urlencode({'q': query})}")
    assert listed_names(content) == expected


def test_search_queryset_matches_every_word():
    make_structure("Centre social Élan", commune="Besançon")
    make_structure("Centre social Envol", commune="Dijon")
    assert list(Structure.objects.search("élan").values_list("name", flat=True)) == ["Centre social Élan"]
    assert list(Structure.objects.search("centre besancon").values_list("name", flat=True)) == ["Centre social Élan"]
    assert Structure.objects.search("centre").count() == 2
    assert Structure.objects.search("  ").count() == 2


def test_facets_show_counts_of_the_current_results(client):
    make_structure("Lilas", "69", kind=StructureKind.CSX, management_mode="Associatif", priority_geography=QPV)
    make_structure("Bellevue", "69", kind=StructureKind.EVS, management_mode="Associatif")
    make_structure("Mistral", "13", kind=StructureKind.CSX, management_mode="Collectivité locale")
    content = page(client, DIRECTORY)
    assert facet_option(content, "department", "69") == "[ ] Rhône (69) (2)"
    assert facet_option(content, "department", "13") == "[ ] Bouches-du-Rhône (13) (1)"
    assert facet_option(content, "region", "84") == "[ ] Auvergne-Rhône-Alpes (84) (2)"
    assert facet_option(content, "kind", "csx") == "[ ] Centre social (CSX) (2)"
    assert facet_option(content, "kind", "evs") == "[ ] Espace de vie sociale (EVS) (1)"
    assert facet_option(content, "management_mode", "Associatif") == "[ ] Associatif (2)"
    assert facet_option(content, "priority_geography", QPV) == f"[ ] {QPV} (1)"
    # Empty options are hidden, and so is a facet without any option.
    assert facet_option(content, "department", "01") is None
    assert facet_option(content, "management_mode", "Caf (gestion directe)") is None
    assert "Type de territoire</legend>" not in content

    # Searching narrows every facet.
    content = page(client, f"{DIRECTORY}?q=mistral")
    assert facet_option(content, "department", "13") == "[ ] Bouches-du-Rhône (13) (1)"
    assert facet_option(content, "department", "69") is None
    assert facet_option(content, "kind", "evs") is None


def test_values_of_a_facet_combine_with_or_and_facets_with_and(client):
    make_structure("Lilas", "69", kind=StructureKind.CSX)
    make_structure("Bellevue", "69", kind=StructureKind.EVS)
    make_structure("Mistral", "13", kind=StructureKind.CSX)
    make_structure("Armor", "22", kind=StructureKind.CSX)

    content = page(client, f"{DIRECTORY}?department=69&department=13")
    assert listed_names(content) == ["Bellevue", "Lilas", "Mistral"]

    content = page(client, f"{DIRECTORY}?department=69&department=13&kind=csx")
    assert listed_names(content) == ["Lilas", "Mistral"]
    # A facet counts on the results of the *other* facets: ticking keeps its siblings visible.
    assert facet_option(content, "department", "69") == "[x] Rhône (69) (1)"
    assert facet_option(content, "department", "13") == "[x] Bouches-du-Rhône (13) (1)"
    assert facet_option(content, "department", "22") == "[ ] Côtes-d'Armor (22) (1)"
    assert facet_option(content, "kind", "csx") == "[x] Centre social (CSX) (2)"
    assert facet_option(content, "kind", "evs") == "[ ] Espace de vie sociale (EVS) (1)"


def test_a_ticked_value_without_results_stays_visible(client):
    make_structure("Lilas", "69", kind=StructureKind.CSX)
    make_structure("Mistral", "13", kind=StructureKind.EVS)
    content = page(client, f"{DIRECTORY}?department=69&kind=evs")
    assert listed_names(content) == []
    assert "Aucune structure ne correspond à cette recherche." in content
    assert facet_option(content, "kind", "evs") == "[x] Espace de vie sociale (EVS) (0)"
    assert facet_option(content, "department", "69") == "[x] Rhône (69) (0)"


def test_values_may_be_given_as_names_and_in_any_case(client):
    make_structure("Lilas", "69", kind=StructureKind.CSX, management_mode="Collectivité locale")
    make_structure("Mistral", "13", kind=StructureKind.CSX)
    for query in (
        "department=Rh%C3%B4ne",
        "department=rhone",
        "region=Auvergne-Rh%C3%B4ne-Alpes",
        "region=84",
        "kind=CSX&department=69",
        "management_mode=collectivite+locale",
    ):
        content = page(client, f"{DIRECTORY}?{query}")
        assert listed_names(content) == ["Lilas"], query
    # The page links back with the canonical values.
    content = page(client, f"{DIRECTORY}?department=rhone")
    assert facet_option(content, "department", "69") == "[x] Rhône (69) (1)"


def test_active_filters_are_removable_chips(client):
    make_structure("Lilas", "69", kind=StructureKind.CSX)
    make_structure("Mistral", "13", kind=StructureKind.CSX)
    content = page(client, f"{DIRECTORY}?q=lilas&department=69&department=13&kind=csx")
    chips = dict(re.findall(r'<a class="filter-chip" href="([^"]+)">([^<]+)<', content))
    assert chips == {
        "/structures/?department=69&amp;department=13&amp;kind=csx": "Recherche&nbsp;: lilas ",
        "/structures/?q=lilas&amp;department=13&amp;kind=csx": "Département&nbsp;: Rhône (69) ",
        "/structures/?q=lilas&amp;department=69&amp;kind=csx": "Département&nbsp;: Bouches-du-Rhône (13) ",
        "/structures/?q=lilas&amp;department=69&amp;department=13": "Type de structure&nbsp;: Centre social (CSX) ",
    }
    assert '<a class="filter-chip-clear" href="/structures/">Retirer tous les filtres</a>' in content
    assert "filter-chip" not in page(client, DIRECTORY)


def test_twenty_structures_a_page_with_numbered_pages_keeping_the_filters(client):
    for index in range(130):
        make_structure(f"Structure {index:03d}", kind=StructureKind.CSX)
    make_structure("Autre type", kind=StructureKind.EVS)
    content = page(client, f"{DIRECTORY}?kind=csx")
    assert listed_names(content) == [f"Structure {index:03d}" for index in range(20)]
    assert "130 structures" in content
    assert "page 1 sur 7" in content

    content = page(client, f"{DIRECTORY}?kind=csx&page=4")
    assert listed_names(content) == [f"Structure {index:03d}" for index in range(60, 80)]
    assert "<title>Annuaire des structures — page 4 — Maillage</title>" in content
    assert '<ol class="structure-list list-unstyled" start="61">' in content
    pagination = content.split('aria-label="Pagination"')[1].split("</nav>")[0]
    links = re.findall(
        r'href="([^"]+)"( aria-current="page")?><span class="visually-hidden">Page </span>(\d+)', pagination
    )
    assert [(number, bool(current)) for _, current, number in links] == [
        ("1", False),
        ("2", False),
        ("3", False),
        ("4", True),
        ("5", False),
        ("6", False),
        ("7", False),
    ]
    assert links[0][0] == "/structures/?kind=csx"
    assert links[4][0] == "/structures/?kind=csx&amp;page=5"
    assert '<a class="page-link" href="/structures/?kind=csx&amp;page=3">Page précédente</a>' in pagination
    assert '<a class="page-link" href="/structures/?kind=csx&amp;page=5">Page suivante</a>' in pagination

    content = page(client, f"{DIRECTORY}?kind=csx&page=7")
    assert listed_names(content) == [f"Structure {index:03d}" for index in range(120, 130)]
    assert "Page suivante" not in content


def test_long_paginations_skip_distant_pages(client):
    Structure.objects.bulk_create(Structure(name=f"Structure {index:03d}") for index in range(300))
    content = page(client, f"{DIRECTORY}?page=8")
    pagination = content.split('aria-label="Pagination"')[1].split("</nav>")[0]
    numbers = re.findall(r"Page </span>(\d+)<|(…)", pagination)
    assert ["".join(item) for item in numbers] == ["1", "…", "6", "7", "8", "9", "10", "…", "15"]


def test_one_page_has_no_pagination(client):
    make_structure("Seule")
    assert 'aria-label="Pagination"' not in page(client, DIRECTORY)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("department=999", "Département&nbsp;: « 999 » n&#x27;est pas un département connu"),
        ("region=Atlantide", "Région&nbsp;: « Atlantide » n&#x27;est pas une région connue"),
        ("kind=ehpad", "Type de structure&nbsp;: « ehpad » n&#x27;est pas un type de structure connu"),
        ("management_mode=Coop%C3%A9rative", "Mode de gestion&nbsp;: « Coopérative » n&#x27;est pas un mode"),
        ("page=0", "Page&nbsp;: « 0 » n&#x27;est pas un numéro de page"),
        ("page=abc", "Page&nbsp;: « abc » n&#x27;est pas un numéro de page"),
        ("page=-2", "Page&nbsp;: « -2 » n&#x27;est pas un numéro de page"),
        ("page=3", "Page&nbsp;: la page 3 n&#x27;existe pas : la dernière page est la page 1."),
        ("q=a&q=b", "Recherche&nbsp;: ce paramètre ne peut être donné qu&#x27;une fois."),
        ("q=" + "x" * 301, "Recherche&nbsp;: la recherche ne peut dépasser 300 caractères."),
    ],
)
def test_bad_input_gives_a_french_message(client, query, message):
    make_structure("Lilas")
    content = page(client, f"{DIRECTORY}?{query}", status=400)
    assert "<title>Recherche impossible — Annuaire des structures — Maillage</title>" in content
    assert message in content
    assert '<a href="/structures/">Afficher tout l\'annuaire</a>' in content


def test_bad_input_is_escaped(client):
    content = page(client, f"{DIRECTORY}?department={SCRIPT}", status=400)
    assert "« &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; » n&#x27;est pas un département connu" in content


def test_user_text_is_escaped(client):
    make_structure(f"Centre {SCRIPT}", commune=SCRIPT)
    content = page(client, f"{DIRECTORY}?q=centre")
    assert "Centre &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content


EVERY_FACET = [
    ("q", "centre"),
    ("department", "69"),
    ("department", "13"),
    ("region", "84"),
    ("kind", "csx"),
    ("kind", "evs"),
    ("management_mode", "Associatif"),
    ("territory_type", "Un espace à dominante urbaine"),
    ("priority_geography", QPV),
]


@pytest.mark.parametrize("query", ["", "?q=lilas", "?page=3", f"?{urlencode(EVERY_FACET)}"])
def test_directory_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, query):
    for index in range(70):
        make_structure(
            f"Centre {index}",
            ("69", "13", "75")[index % 3],
            kind=(StructureKind.CSX, StructureKind.EVS)[index % 2],
            management_mode=("Associatif", "Collectivité locale")[index % 2],
            territory_type="Un espace à dominante urbaine",
            priority_geography=QPV,
        )
    # Resolving ticked values: one query per facet given (departments and regions, three closed lists);
    # then the count, the page of structures and one GROUP BY per facet (six).
    with django_assert_max_num_queries(13):
        page(client, f"{DIRECTORY}{query}")
    with django_assert_max_num_queries(8):
        page(client, DIRECTORY)


def test_facet_counts_match_direct_counts():
    for index in range(40):
        make_structure(
            f"Structure {index}",
            ("69", "13", "2A", "974")[index % 4],
            kind=(StructureKind.CSX, StructureKind.EVS, "")[index % 3],
            management_mode=("Associatif", "Collectivité locale", None)[index % 3 - 1],
        )
    filters = parse_structure_filters(QueryDict("department=69&department=974&kind=csx"))
    results = search_structures(filters)
    base = Structure.objects.filter(department__code__in=["69", "974"], kind="csx")
    assert results.count == base.count()
    departments = {option.value: option.count for option in results.facets["department"]}
    for code in ("69", "13", "2A", "974"):
        expected = Structure.objects.filter(kind="csx", department__code=code).count()
        assert departments.get(code, 0) == expected
    kinds = {option.value: option.count for option in results.facets["kind"]}
    assert kinds == {
        "csx": base.count(),
        "evs": Structure.objects.filter(department__code__in=["69", "974"], kind="evs").count(),
    }
    modes = {option.value: option.count for option in results.facets["management_mode"]}
    assert modes == {
        label: base.filter(management_mode__label=label).count()
        for label in ("Associatif", "Collectivité locale")
        if base.filter(management_mode__label=label).exists()
    }
    assert sum(modes.values()) == base.filter(~Q(management_mode=None)).count()


def test_unknown_values_raise_an_invalid_parameter_naming_the_facet():
    with pytest.raises(InvalidParameter) as error:
        parse_structure_filters(QueryDict("kind=csx&territory_type=Lunaire"))
    assert error.value.parameter == "territory_type"
    with pytest.raises(InvalidParameter) as error:
        parse_structure_filters(QueryDict("&".join(f"department={code:02d}" for code in range(1, 60))))
    assert error.value.parameter == "department"
    assert "au plus 50 valeurs" in error.value.message


def test_structure_page_links_back_to_the_directory_and_its_department(client):
    structure = make_structure("Centre social des Lilas", "2A")
    content = page(client, structure.get_absolute_url())
    assert '<li class="breadcrumb-item"><a href="/structures/">Annuaire</a></li>' in content
    assert (
        '<a href="/territoires/2A/">Les structures et les fiches actions du département&nbsp;: Corse-du-Sud</a>'
        in content
    )
    orphan = make_structure("Sans département", None)
    assert "Les structures et les fiches actions du département" not in page(client, orphan.get_absolute_url())
