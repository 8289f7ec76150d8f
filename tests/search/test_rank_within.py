"""A search with facets ticked ranks only the sheets they keep, in the order the whole ranking gives them.

On PostgreSQL ranking reads each ranked sheet's vector (about 8 µs a sheet, 40 ms for 5,000 matches): a word
with a department ticked now ranks a few dozen sheets instead of every match (docs/benchmarks.md). FTS5 ranks
in its index and is unchanged; the order is checked on both backends.
"""

import pytest
from django.db import connection
from django.http import QueryDict

from maillage.search import engine
from maillage.search.backends import get_backend
from maillage.search.engine import parse_action_filters, search_actions
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db


def search_ids(query_string: str) -> list[int]:
    return search_actions(parse_action_filters(QueryDict(query_string)), page_size=100).ids


@pytest.fixture
def potters():
    engine.clear_match_cache()
    lyon = make_structure("Centre social Lyon Sud", "69", commune="Lyon")
    gap = make_structure("Espace de vie Les Alpes", "05", kind="evs")
    in_lyon = [
        make_sheet("Atelier de quartier", lyon, experience="De la poterie le mardi."),
        make_sheet("Poterie", lyon),
        make_sheet("Atelier du jeudi", lyon, summary="Poterie et céramique."),
    ]
    make_sheet("Poterie d'art", gap)
    make_sheet("Sortie", gap, summary="Visite d'un atelier de poterie.")
    make_sheet("Jardin", lyon, summary="Des légumes.")
    return [sheet.pk for sheet in in_lyon]


def ranking_reads(query_string: str) -> tuple[list[int], list[list[int]]]:
    """The ids found, and the ids each ranking query read vectors of (PostgreSQL)."""
    reads = []

    def capture(execute, sql, params, many, context):
        if "ts_rank(vector" in sql:
            reads.append(sorted(params[0]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        found = search_ids(query_string)
    return found, reads


def test_with_a_facet_ticked_only_its_sheets_are_ranked_in_the_same_order(potters):
    titled, in_summary, in_experience = potters[1], potters[2], potters[0]
    filtered, reads = ranking_reads("q=poterie&department=69")
    assert filtered == [titled, in_summary, in_experience]
    if connection.vendor == "postgresql":
        assert reads == [sorted(potters)]  # not the two sheets of the Alpes
    engine.clear_match_cache()
    whole = search_ids("q=poterie")
    assert [pk for pk in whole if pk in potters] == filtered
    assert len(whole) == 5


def test_a_whole_ranking_already_kept_is_used_for_a_facet(potters):
    whole = search_ids("q=poterie")
    filtered, reads = ranking_reads("q=poterie&department=69")
    assert filtered == [pk for pk in whole if pk in potters]
    assert reads == []
    filtered_again, reads = ranking_reads("q=poterie&department=05")
    assert filtered_again == [pk for pk in whole if pk not in potters]
    assert reads == []


def test_pages_of_a_search_with_a_facet_keep_its_ranking(potters):
    first, reads = ranking_reads("q=poterie&department=69&sort=relevance")
    second, again = ranking_reads("q=poterie&department=69&page=1")
    assert first == second == [potters[1], potters[2], potters[0]]
    assert again == []


def test_sqlite_ranks_every_match_once_for_every_choice_of_facets(potters):
    lyon = search_ids("q=poterie&department=69")
    alps = search_ids("q=poterie&department=05")
    assert lyon == [potters[1], potters[2], potters[0]] and len(alps) == 2
    kept = sorted(str(key[4]) for key in engine._cache)  # what each kept match list is
    if connection.vendor == "sqlite":
        assert not get_backend().ranks_within
        assert kept == ["False", "True"]  # the matches, then their whole ranking, used for both departments
    else:
        assert kept == ["False", "within", "within"]  # the matches, each department's ranking


def test_past_the_ranking_limit_one_ordering_serves_every_choice_of_facets(potters, monkeypatch):
    from maillage.search.backends import base

    monkeypatch.setattr(base, "RANK_ALL_LIMIT", 2)
    whole = search_ids("q=poterie")
    engine.clear_match_cache()
    lyon = search_ids("q=poterie&department=69")
    alps = search_ids("q=poterie&department=05")
    assert lyon == [pk for pk in whole if pk in potters]
    assert alps == [pk for pk in whole if pk not in potters]
    assert sorted(str(key[4]) for key in engine._cache) == ["False", "True"]
