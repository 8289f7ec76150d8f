"""Searching published sheets: French words, query syntax, ranking, facets, sorts, pages, suggestions.

The same tests run on SQLite (FTS5) and PostgreSQL (`make test` with DATABASE_URL).
"""

import pytest
from django.db import transaction
from django.http import QueryDict

from maillage.actions.models import Action, ActionState
from maillage.actions.services import delete_action
from maillage.referentials.models import Keyword
from maillage.search import engine
from maillage.search.engine import parse_action_filters, search_actions
from maillage.search.params import InvalidParameter
from maillage.search.query import Term, parse_query
from maillage.search.services import labels_changed, rebuild_index
from maillage.search.snippets import snippets
from tests.factories import change_sheet, make_sheet, make_structure

pytestmark = pytest.mark.django_db


def search(query_string: str = "", **options):
    return search_actions(parse_action_filters(QueryDict(query_string)), **options)


def titles(query_string: str = "", **options) -> list[str]:
    results = search(query_string, **options)
    return list(Action.objects.filter(pk__in=results.ids).in_bulk(results.ids)[pk].title for pk in results.ids)


def found(query_string: str) -> set[str]:
    return set(titles(query_string, page_size=100))


@pytest.fixture
def bank():
    lyon = make_structure("Centre social Lyon Sud", "69", commune="Lyon")
    gap = make_structure("Espace de vie Les Alpes", "05", kind="evs")
    make_sheet("Ateliers vélo", lyon, keywords=["mobilité / transport"], public=["Adultes"],
               summary="Réparer son vélo ensemble.", year=2023)  # fmt: skip
    make_sheet("Café des parents", gap, keywords=["Parentalité", "Famille"], public=["familles"],
               summary="Un temps d'échange sur la parentalité.", year=2024)  # fmt: skip
    make_sheet("Jardin partagé", lyon, keywords=["Environnement", "Culture"], public=["Jeunesse", "Seniors"],
               summary="Des parcelles cultivées par les jeunes et les anciens.", year=2024)  # fmt: skip
    make_sheet("Sortie au musée", gap, keywords=["Culture"], public=["Jeunesse"],
               summary="Découvrir la peinture.", experience="Une journée au musée de Grenoble.", year=2022)  # fmt: skip
    make_sheet("Brouillon culturel", lyon, state=ActionState.DRAFT, keywords=["Culture"], summary="Pas publié.")


# French words


def test_accents_and_case_are_ignored(bank):
    assert found("q=velo") == {"Ateliers vélo"}
    assert found("q=VÉLO") == {"Ateliers vélo"}
    assert found("q=parentalite") == {"Café des parents"}


def test_words_are_stemmed(bank):
    assert found("q=atelier") == {"Ateliers vélo"}
    assert found("q=jardins") == {"Jardin partagé"}
    assert found("q=parcelle") == {"Jardin partagé"}


def test_unpublished_sheets_are_never_found(bank):
    assert found("q=culturel") == set()
    assert "Brouillon culturel" not in found("")


# Query syntax


def test_several_words_must_all_be_there(bank):
    assert found("q=jardin parcelles") == {"Jardin partagé"}
    assert found("q=jardin vélo") == set()


def test_exact_phrase(bank):
    assert found('q="temps d\'échange"') == {"Café des parents"}
    assert found('q="échange temps"') == set()


def test_excluded_words(bank):
    assert found("q=culture") == {"Jardin partagé", "Sortie au musée"}
    assert found("q=culture -musée") == {"Jardin partagé"}
    assert found('q=culture -"au musée"') == {"Jardin partagé"}


def test_or_between_words(bank):
    assert found("q=vélo OR musée") == {"Ateliers vélo", "Sortie au musée"}
    assert found("q=vélo OR musée Grenoble") == {"Sortie au musée"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"vélo', "guillemet"),
        ("-vélo", "mots exclus"),
        ("OR vélo", "OR"),
        ("vélo OR", "OR"),
        ("!!! ???", "aucun mot"),
        ("x" * 301, "trop longue"),
    ],
)
def test_malformed_queries_are_refused_with_a_message(bank, query, message):
    params = QueryDict(mutable=True)
    params["q"] = query
    with pytest.raises(InvalidParameter) as error:
        parse_action_filters(params)
    assert error.value.parameter == "q"
    assert message in error.value.message


# Ranking and extracts


def test_title_weighs_more_than_keywords_then_summary_then_other_text(bank):
    structure = make_structure("Centre social Nord", "59")
    make_sheet("Atelier lambda", structure, experience="Un atelier autour de la poterie.")
    make_sheet("Atelier beta", structure, summary="Atelier de poterie.")
    make_sheet("Poterie pour tous", structure)
    assert titles("q=poterie")[:3] == ["Poterie pour tous", "Atelier beta", "Atelier lambda"]


def test_snippets_highlight_the_words_and_escape_the_text(bank):
    structure = make_structure("Centre social Sud", "13")
    make_sheet("Cuisine", structure, summary="Des <b>ateliers</b> de cuisine & de partage entre voisins.")
    results = search("q=atelier cuisine")
    extract = snippets(results.ids, results.parsed)[results.ids[0]]
    assert "&lt;b&gt;<mark>ateliers</mark>&lt;/b&gt;" in extract
    assert "<mark>cuisine</mark> &amp; de partage" in extract


def test_a_query_finding_nothing_suggests_close_words(bank):
    results = search("q=parantalité")
    assert results.count == 0
    assert results.suggestion == "parentalité"
    assert search("q=zzzzqqq").suggestion is None


# Facets


def test_facet_values_combine_with_or_inside_a_facet_and_and_across(bank):
    assert found("keyword=Culture") == {"Jardin partagé", "Sortie au musée"}
    assert found("keyword=Culture&keyword=Parentalité") == {"Jardin partagé", "Sortie au musée", "Café des parents"}
    assert found("keyword=Culture&public=Seniors") == {"Jardin partagé"}
    assert found("keyword=Culture&department=05") == {"Sortie au musée"}
    assert found("department=Rhône&kind=csx&year=2023") == {"Ateliers vélo"}
    assert found("region=Provence-Alpes-Côte d'Azur") == {"Café des parents", "Sortie au musée"}


def test_facet_counts_follow_the_result_and_hide_empty_values(bank):
    results = search("q=culture")
    keywords = {option.label: option.count for option in results.facets["keyword"]}
    assert keywords == {"Culture": 2, "Environnement": 1}
    publics = {option.label: option.count for option in results.facets["public"]}
    assert publics == {"Jeunesse": 2, "Seniors": 1}
    assert {option.value: option.count for option in results.facets["department"]} == {"69": 1, "05": 1}
    assert [(option.value, option.count) for option in results.facets["year"]] == [("2024", 1), ("2022", 1)]


def test_a_facet_counts_its_own_values_without_its_own_selection(bank):
    results = search("keyword=Culture&public=Jeunesse")
    keywords = {option.label: (option.count, option.selected) for option in results.facets["keyword"]}
    # Other keywords count on the sheets for the young: ticking one widens the list (OR).
    assert keywords["Culture"] == (2, True)
    assert keywords["Environnement"] == (1, False)
    assert "Parentalité" not in keywords
    publics = {option.label: option.count for option in results.facets["public"]}
    assert publics == {"Jeunesse": 2, "Seniors": 1}


def test_a_ticked_value_stays_shown_when_nothing_has_it(bank):
    results = search("q=vélo&keyword=Santé")
    assert results.count == 0
    assert [(option.label, option.count, option.selected) for option in results.facets["keyword"]] == [
        ("mobilité / transport", 1, False),
        ("Santé", 0, True),
    ]


def test_facet_counts_equal_direct_counts(bank):
    results = search("")
    for option in results.facets["keyword"]:
        expected = Action.objects.published().filter(keywords__label=option.label).count()
        assert option.count == expected, option.label


@pytest.mark.parametrize(
    ("query_string", "parameter"),
    [
        ("keyword=Inconnu", "keyword"),
        ("department=999", "department"),
        ("kind=autre", "kind"),
        ("year=deux-mille", "year"),
        ("sort=random", "sort"),
        ("q=a&q=b", "q"),
    ],
)
def test_unknown_values_are_refused_naming_the_parameter(bank, query_string, parameter):
    with pytest.raises(InvalidParameter) as error:
        parse_action_filters(QueryDict(query_string))
    assert error.value.parameter == parameter


def test_values_are_read_whatever_their_case_and_accents(bank):
    filters = parse_action_filters(QueryDict("keyword=parentalite&department=rhone&kind=Centre social"))
    assert filters.selected == {"keyword": ("Parentalité",), "department": ("69",), "kind": ("csx",)}


# Sorts and pages


def test_sorts(bank):
    assert titles("sort=title") == ["Ateliers vélo", "Café des parents", "Jardin partagé", "Sortie au musée"]
    assert titles("sort=-title") == ["Sortie au musée", "Jardin partagé", "Café des parents", "Ateliers vélo"]
    assert titles("sort=department")[:2] == ["Café des parents", "Sortie au musée"]  # 05 before 69
    assert titles("")[0] == "Sortie au musée"  # most recent first when not searching


def test_pages_of_results(bank):
    first = search("sort=title", page=1, page_size=3)
    second = search("sort=title", page=2, page_size=3)
    assert (first.count, first.page_count, len(first.ids), len(second.ids)) == (4, 2, 3, 1)
    assert list(search("sort=title").ordered_ids()) == first.ids + second.ids
    assert search("sort=title", page=3, page_size=3).ids == []


# The index follows every change


def test_the_facets_and_text_follow_publication_edits_and_deletion(bank):
    draft = Action.objects.get(title="Brouillon culturel")
    assert search("keyword=Culture").count == 2
    change_sheet(draft, state=ActionState.PUBLISHED)
    assert search("keyword=Culture").count == 3
    assert found("q=culturel") == {"Brouillon culturel"}
    change_sheet(draft, keywords=["Santé"], title="Atelier santé")
    assert search("keyword=Culture").count == 2
    assert found("keyword=Santé") == {"Atelier santé"}
    change_sheet(draft, state=ActionState.ARCHIVED)
    assert search("keyword=Santé").count == 0
    musee = Action.objects.get(title="Sortie au musée")
    delete_action(musee, acting_user=None, source="test")
    assert found("keyword=Culture") == {"Jardin partagé"}


def test_a_rolled_back_change_leaves_the_counts_as_they_were(bank):
    assert search("keyword=Culture").count == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        make_sheet("Concert", make_structure("CS Concert", "75"), keywords=["Culture"])
        assert search("keyword=Culture").count == 3
        raise RuntimeError("rollback")
    assert search("keyword=Culture").count == 2


def test_renamed_labels_are_read_again(bank):
    Keyword.objects.filter(label="Culture").update(label="Culture et arts")
    labels_changed()
    assert found("keyword=Culture et arts") == {"Jardin partagé", "Sortie au musée"}


def test_rebuilding_the_index_keeps_the_results(bank, run_command):
    before = {query: found(query) for query in ("q=velo", "q=culture", "keyword=Culture", "q=jardin -vélo")}
    rebuild_index()
    assert {query: found(query) for query in before} == before
    out, _ = run_command("rebuild_search_index")
    assert "fiches indexées" in out


def test_words_between_angle_brackets_are_found_on_both_backends(bank):
    make_sheet("Atelier <théâtre>", make_structure("CS Scène", "75"), summary="Jeux de <b>rôle</b>.")
    assert found("q=theatre") == {"Atelier <théâtre>"}
    assert found("q=role") == {"Atelier <théâtre>"}


def test_past_the_ranking_limit_title_matches_come_first_then_the_most_recent(bank, monkeypatch):
    from maillage.search.backends import base

    monkeypatch.setattr(base, "RANK_ALL_LIMIT", 2)
    structure = make_structure("CS Potiers", "59")
    old = make_sheet("Atelier ancien", structure, summary="De la poterie.")
    titled = make_sheet("Poterie", structure)
    recent = make_sheet("Atelier récent", structure, experience="Poterie et céramique.")
    assert search("q=poterie").ids == [titled.pk, recent.pk, old.pk]
    monkeypatch.setattr(base, "RANK_TITLES_LIMIT", 0)
    engine.clear_match_cache()
    assert search("q=poterie -céramique").ids == [titled.pk, old.pk]
    # A title changed is a title match at once (PostgreSQL keeps each title's vector in its index table).
    monkeypatch.setattr(base, "RANK_TITLES_LIMIT", 2000)
    change_sheet(old, title="Poterie d'antan")
    ids = search("q=poterie").ids
    assert set(ids[:2]) == {titled.pk, old.pk} and ids[2] == recent.pk


def test_stop_words_are_left_out_unless_the_query_has_nothing_else():
    assert parse_query("cours de français").groups == ((Term(("cours",)),), (Term(("francais",)),))
    assert parse_query("l'atelier").groups == ((Term(("atelier",)),),)
    assert parse_query('"cours de"').groups == ((Term(("cours", "de"), phrase=True),),)
    assert parse_query("le").groups == ((Term(("le",)),),)


def test_words_already_searched_follow_later_changes(bank):
    assert found("q=potager") == set()
    assert found("q=jardin") == {"Jardin partagé"}
    sheet = make_sheet("Potager collectif", make_structure("CS Les Vergers", "75"), summary="Un jardin potager.")
    assert found("q=potager") == {"Potager collectif"}
    assert found("q=jardin") == {"Jardin partagé", "Potager collectif"}
    change_sheet(sheet, title="Verger collectif", summary="Des arbres fruitiers.")
    assert found("q=potager") == set()
    assert found("q=jardin") == {"Jardin partagé"}
    delete_action(Action.objects.get(title="Jardin partagé"), acting_user=None, source="test")
    assert found("q=jardin") == set()


def test_sorted_lists_follow_changes(bank):
    assert titles("sort=title") == ["Ateliers vélo", "Café des parents", "Jardin partagé", "Sortie au musée"]
    assert titles("sort=department")[0] == "Café des parents"
    change_sheet(Action.objects.get(title="Sortie au musée"), title="Atelier théâtre")
    lyon = make_structure("Centre social Ain", "01")
    make_sheet("Zumba", lyon)
    assert titles("sort=title") == ["Atelier théâtre", "Ateliers vélo", "Café des parents", "Jardin partagé", "Zumba"]
    assert titles("sort=department")[0] == "Zumba"
    assert titles("")[0] == "Zumba"
    change_sheet(Action.objects.get(title="Zumba"), state=ActionState.DRAFT)
    assert "Zumba" not in titles("sort=-title")
