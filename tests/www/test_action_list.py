"""The action list page: search box, facets, chips, sorts, pages — everything in the query string."""

import re

import pytest
from django.template import base as template_base
from django.template.base import render_value_in_context

from maillage.actions.models import Action, ActionState
from maillage.exchange import action_json
from maillage.exchange.action_json import ROW_FIELDS, _lists_sql, _rows, _rows_sql
from maillage.referentials.models import Keyword
from maillage.search.engine import FacetOption
from maillage.www import search_page
from maillage.www.search_page import facet_options_html
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db
URL = "/actions/"


@pytest.fixture
def bank():
    lyon = make_structure("Centre social Lyon Sud", "69")
    gap = make_structure("Espace de vie Les Alpes", "05", kind="evs")
    make_sheet("Ateliers vélo", lyon, keywords=["mobilité / transport"], public=["Adultes"],
               summary="Réparer son <b>vélo</b> ensemble.")  # fmt: skip
    make_sheet("Café des parents", gap, keywords=["Parentalité"], public=["familles"], summary="Parentalité.")
    make_sheet("Jardin partagé", lyon, keywords=["Culture"], public=["Jeunesse", "Seniors"])
    make_sheet("Sortie au musée", gap, keywords=["Culture"], public=["Jeunesse"], year=2022)
    make_sheet("Brouillon", lyon, state=ActionState.DRAFT, keywords=["Culture"])


def page(client, query: str = "", status: int = 200) -> str:
    response = client.get(URL + (f"?{query}" if query else ""))
    assert response.status_code == status
    return response.content.decode()


def listed(content: str) -> list[str]:
    return re.findall(r'<h3 class="h5 mb-1"><a href="[^"]+">([^<]+)</a>', content)


def test_browse_lists_published_sheets_most_recent_first_with_counts(client, bank):
    content = page(client)
    assert "<title>Banque d'actions — Maillage</title>" in content
    assert listed(content)[0] == "Sortie au musée"
    assert "Brouillon" not in listed(content)
    assert 'id="results-count" tabindex="-1" aria-live="polite">4 fiches</h2>' in content


def test_search_shows_results_with_highlighted_and_escaped_extracts(client, bank):
    content = page(client, "q=velo")
    assert listed(content) == ["Ateliers vélo"]
    assert "Réparer son &lt;b&gt;<mark>vélo</mark>&lt;/b&gt; ensemble." in content
    assert "<title>« velo » — Banque d'actions — Maillage</title>" in content


def test_facets_narrow_the_list_and_show_counts(client, bank):
    content = page(client, "keyword=Culture&public=Jeunesse")
    assert sorted(listed(content)) == ["Jardin partagé", "Sortie au musée"]
    assert re.search(r'name="keyword" value="Culture" id="[^"]+" checked>', content)
    assert 'Seniors <span class="facet-count">(1' in content


def test_active_filters_are_removable_chips(client, bank):
    content = page(client, "q=jardin&keyword=Culture")
    assert (
        'href="/actions/?keyword=Culture"><span class="visually-hidden">Retirer le filtre </span>Recherche' in content
    )
    assert 'href="/actions/?q=jardin"><span class="visually-hidden">Retirer le filtre </span>Thèmes' in content


def test_sort_and_pagination_keep_the_search_in_the_links(client, bank):
    for number in range(25):
        make_sheet(f"Culture {number:02d}", make_structure(f"CS {number}", "75"), keywords=["Culture"])
    content = page(client, "keyword=Culture&sort=title")
    assert listed(content)[0] == "Culture 00"
    assert len(listed(content)) == 20
    assert 'href="/actions/?keyword=Culture&amp;sort=title&amp;page=2" rel="next"' in content
    second = page(client, "keyword=Culture&sort=title&page=2")
    assert listed(second)[0] == "Culture 20"
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second
    assert "page 2 sur 2" in second


def test_a_query_without_result_suggests_a_spelling(client, bank):
    content = page(client, "q=parantalite")
    assert "Aucune fiche ne correspond" in content
    assert 'Vouliez-vous dire : <a href="/actions/?q=parentalit%C3%A9">parentalité</a> ?' in content


def test_export_links_carry_the_search(client, bank):
    content = page(client, "q=jardin&keyword=Culture")
    assert 'href="/actions/export.csv?q=jardin&amp;keyword=Culture"' in content
    assert 'href="/actions/export.xlsx?q=jardin&amp;keyword=Culture"' in content


@pytest.mark.parametrize(
    ("query", "message"),
    [("keyword=Inconnu", "Valeur inconnue"), ("q=%22velo", "guillemet"), ("page=0", "numéro de page")],
)
def test_bad_parameters_get_a_french_message_not_an_error_page(client, bank, query, message):
    content = page(client, query, status=400)
    assert "Cette recherche ne peut pas aboutir." in content
    assert message in content


def test_user_text_in_the_query_is_escaped(client, bank):
    content = page(client, "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_page_works_without_javascript(client, bank):
    content = page(client)
    assert re.search(r'<form class="search-form" method="get" action="/actions/"', content)
    assert (
        '<button class="btn btn-outline-primary mt-2 js-hidden" type="submit">Appliquer les filtres</button>' in content
    )


def test_the_page_runs_a_bounded_number_of_queries_whatever_the_page_size(client, bank, django_assert_max_num_queries):
    for number in range(30):
        make_sheet(f"Culture {number:02d}", make_structure(f"CS {number}", "75"), keywords=["Culture"],
                   public=["Jeunesse"], partners=["Commune"])  # fmt: skip
    page(client, "q=culture")  # the facet index of this process, loaded once
    # Facet index check, text match (count, rank) and variants, the page's records (sheet, 5 lists, files),
    # the extracts, the alert form's description of the search.
    with django_assert_max_num_queries(16):
        content = page(client, "q=culture&keyword=Culture")
    assert len(listed(content)) == 20


def test_facet_options_escape_their_text_and_number_their_checkboxes():
    options = [FacetOption("a&b", "Arts <et> culture", 1234, True), FacetOption('x"y', "Sport", 2, False)]
    html = facet_options_html("keyword", options)
    assert (
        '<input class="form-check-input" type="checkbox" name="keyword" value="a&amp;b" id="f-keyword-1" checked>\n'
        '                <label class="form-check-label" for="f-keyword-1">Arts &lt;et&gt; culture <span '
        'class="facet-count">(1234<span class="visually-hidden"> fiches</span>)</span></label>'
    ) in html
    assert 'value="x&quot;y" id="f-keyword-2">' in html


@pytest.fixture
def rendered(monkeypatch) -> list:
    """Every template variable rendered from now on, in order."""
    values = []

    def counted(value, context):
        values.append(value)
        return render_value_in_context(value, context)

    monkeypatch.setattr(template_base, "render_value_in_context", counted)
    return values


def test_facet_options_are_not_rendered_one_template_variable_each(client, bank, rendered):
    """A page shows 150 to 200 options: eight template variables each were a third of a search page's CPU."""
    keywords = list(Keyword.objects.order_by("label").values_list("label", flat=True)[:12])
    make_sheet("Atelier cuisine", make_structure("CS Cuisine", "75"), keywords=keywords)
    make_sheet("Atelier couture", make_structure("CS Couture", "75"), keywords=keywords[:1])
    many = page(client, "q=cuisine")
    variables_with_many_options = len(rendered)
    rendered.clear()
    few = page(client, "q=couture")
    assert many.count('class="form-check"') >= few.count('class="form-check"') + 11
    assert len(rendered) == variables_with_many_options


def test_the_sheets_and_lists_of_a_page_are_read_with_sql_built_once_per_page_size(client, bank):
    """Six querysets and their union cost the ORM eight times the query itself, the sheets' own row twice: their SQL
    is kept per page size, and gives what the ORM gives."""
    for number in range(4):
        make_sheet(f"Atelier {number}", make_structure(f"CS {number}", "75"), keywords=["Culture", "Parentalité"],
                   public=["Jeunesse"])  # fmt: skip
    _lists_sql.cache_clear()
    _rows_sql.cache_clear()
    first = page(client, "q=atelier&keyword=Culture")
    second = page(client, "q=atelier&public=Jeunesse")
    assert _lists_sql.cache_info().misses == 1
    assert _rows_sql.cache_info().misses == 1
    ids = list(Action.objects.values_list("id", flat=True))
    assert _rows(ids) == list(Action.objects.filter(id__in=ids).order_by("id").values(*ROW_FIELDS))
    assert "Culture · Parentalité" in first
    assert listed(first) == listed(second)


def test_the_links_of_a_page_are_not_reversed_one_by_one(client, bank, monkeypatch):
    """`reverse` for each of 20 sheets and each chip or page link cost a millisecond of every page."""
    for number in range(25):
        make_sheet(f"Culture {number:02d}", make_structure(f"CS {number}", "75"), keywords=["Culture"])
    page(client, "keyword=Culture")
    reversed_paths = []

    def counted(original):
        def reverse(*args, **kwargs):
            reversed_paths.append(args)
            return original(*args, **kwargs)

        return reverse

    monkeypatch.setattr(search_page, "reverse", counted(search_page.reverse))
    monkeypatch.setattr(action_json, "reverse", counted(action_json.reverse))
    content = page(client, "keyword=Culture&public=Jeunesse&sort=title&page=1")
    content = page(client, "keyword=Culture&sort=title&page=2")
    assert listed(content)[0] == "Culture 20"
    assert 'href="/actions/?keyword=Culture&amp;sort=title" rel="prev"' in content
    assert re.search(r'<a href="/actions/\d+-culture-20/">Culture 20</a>', content)
    assert len(reversed_paths) <= 2 * 3  # the export links


def test_the_sheets_of_a_page_are_not_rendered_one_template_variable_each(client, bank, rendered):
    """Twenty sheets with ten variables and eight conditions each were the next largest part of the rendering."""
    for number in range(15):
        make_sheet(f"Culture {number:02d}", make_structure(f"CS {number}", "75"), keywords=["Culture"],
                   summary="Un « atelier » <ouvert> à tous " * 10)  # fmt: skip
    one = page(client, "keyword=Parentalit%C3%A9")
    variables_for_one_sheet = len(rendered)
    rendered.clear()
    many = page(client, "keyword=Culture")
    assert len(listed(one)) == 1
    assert len(listed(many)) == 17
    assert "Un « atelier » &lt;ouvert&gt; à tous Un" in many
    assert many.count(" …</p>") == 15  # the summaries cut after 40 words
    assert len(rendered) == variables_for_one_sheet
