"""A followed search is stored once, in a canonical form, with a French description."""

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.http import urlencode

from maillage.alerts.searches import followed_search
from maillage.referentials.models import Department, Keyword, Region
from maillage.search.engine import parse_action_filters
from maillage.search.facets import facet_index
from maillage.search.params import InvalidParameter

pytestmark = pytest.mark.django_db


def test_the_same_search_written_differently_has_one_canonical_form():
    first = followed_search("q=v%C3%A9lo&keyword=Sant%C3%A9&keyword=Culture&department=Rh%C3%B4ne")
    second = followed_search(
        "?department=69&keyword=culture&keyword=sante&keyword=Culture&q=++v%C3%A9lo++&page=3&sort=title"
    )
    assert first.query == second.query
    assert first.query == "q=v%C3%A9lo&keyword=Culture&keyword=Sant%C3%A9&department=69"


def test_the_canonical_form_is_the_same_search():
    search = followed_search("q=v%C3%A9lo&keyword=Culture&kind=evs&year=2020")
    assert parse_action_filters(QueryDict(search.query)) == search.filters


def test_presentation_and_unknown_parameters_are_dropped():
    assert followed_search("page=2&sort=title&utm_source=lettre").query == ""


def test_description_in_french():
    search = followed_search("q=v%C3%A9lo&keyword=Culture&keyword=Sant%C3%A9&department=69&kind=csx")
    assert search.description == (
        "« vélo » · Mots clés : Culture ou Santé · Département : Rhône · Type de structure : Centre social"
    )


def test_an_empty_search_follows_every_sheet():
    assert followed_search("").description == "Toutes les fiches publiées"


@pytest.mark.parametrize(
    ("query_string", "parameter"),
    [("keyword=Inconnu", "keyword"), ("q=%22ouvert", "q"), ("q=a&q=b", "q"), ("department=999", "department")],
)
def test_invalid_searches_are_refused_with_a_french_message(query_string, parameter):
    with pytest.raises(InvalidParameter) as raised:
        followed_search(query_string)
    assert raised.value.parameter == parameter
    assert raised.value.message


def test_a_search_too_long_to_follow_is_refused():
    pairs = [("q", "x" * 300)]
    pairs += [("year", str(year)) for year in range(1950, 2000)]
    pairs += [("department", code) for code in Department.objects.values_list("code", flat=True)[:50]]
    pairs += [("keyword", label) for label in Keyword.objects.values_list("label", flat=True)]
    pairs += [("region", code) for code in Region.objects.values_list("code", flat=True)]
    with pytest.raises(InvalidParameter) as raised:
        followed_search(urlencode(pairs))
    assert "trop longue pour être suivie" in raised.value.message


def test_the_form_include_for_the_list_page(django_assert_max_num_queries):
    request = RequestFactory().get("/actions/")
    facet_index()  # loaded once per process, not per page
    with django_assert_max_num_queries(3):
        html = render_to_string(
            "alerts/subscribe_form.html", {"alert_query": "q=v%C3%A9lo&keyword=Culture"}, request=request
        )
    assert 'action="/alertes/"' in html
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="query" value="q=v%C3%A9lo&amp;keyword=Culture">' in html
    assert (
        '<label for="alert-email" class="form-label fw-bold">'
        "Recevoir les nouvelles fiches de cette recherche par e-mail</label>" in html
    )
    assert 'id="alert-email" name="email"' in html
    assert "Recherche suivie : « vélo » · Mots clés : Culture" in html
    assert 'type="submit"' in html


def test_the_form_include_escapes_the_query():
    request = RequestFactory().get("/actions/")
    html = render_to_string("alerts/subscribe_form.html", {"alert_query": 'q="><script>'}, request=request)
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
