"""What a search reads for the first time, read quickly: the sheets of a word come from the text index, even when
every sheet holds it; the search keys of the texts' words are stemmed once per process.

On PostgreSQL the planner reads the table for a word most sheets hold, decompressing every vector: about
0.9 s at 100,000 sheets against 60 ms through the GIN index, and the main cost of a word searched for the
first time after a start (docs/benchmarks.md). Each query reading a word's sheets is explained as it runs,
in the same session state; SQLite's FTS5 always answers from its index.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.search.backends import get_backend
from maillage.search.query import Term, parse_query
from maillage.search.services import search_action_ids
from maillage.search.snippets import snippets, word_key
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db


def explained(context, sql: str, params) -> str:
    """The plan of a query as it runs, in the same session state (on PostgreSQL, after the planner's setting that
    precedes it in the same round trip)."""
    raw = context["cursor"].cursor
    if connection.vendor == "postgresql":
        raw.execute(sql.replace("SET enable_seqscan = off; ", "SET enable_seqscan = off; EXPLAIN "), params)
        raw.nextset()
    else:
        raw.execute("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(str(row[-1]) for row in raw.fetchall())


def test_a_word_every_sheet_holds_is_read_from_the_index():
    structure = make_structure()
    ids = {make_sheet(f"Jardin partagé numéro {n}", structure).pk for n in range(30)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_action_document")  # the planner learns that every sheet holds it
    plans = []

    def explain_term_reads(execute, sql, params, many, context):
        if " WHERE vector @@ " in sql or " MATCH " in sql:
            plans.append(explained(context, sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain_term_reads):
        found = search_action_ids("jardin")
    assert set(found) == ids
    assert plans
    for plan in plans:
        assert "Seq Scan on search_action_document" not in plan
        assert "search_action_document_vector" in plan or "VIRTUAL TABLE INDEX" in plan, plan


def test_extracts_stem_each_word_of_the_texts_once_per_process():
    """The words of the sheets' texts come back in every search: their search keys are kept."""
    structure = make_structure()
    ids = [make_sheet(f"Jardin {n}", structure, summary="Les jardins partagés du quartier, des jardins").pk
           for n in range(3)]  # fmt: skip
    word_key.cache_clear()
    extracts = snippets(ids, parse_query("jardin"))
    assert all("<mark>jardins</mark>" in str(extract) for extract in extracts.values())
    first = word_key.cache_info()
    snippets(ids, parse_query("quartier"))
    second = word_key.cache_info()
    assert second.misses == first.misses  # no word stemmed twice
    assert second.hits > first.hits


def test_a_word_and_its_plural_read_the_sheets_once(monkeypatch):
    structure = make_structure()
    ids = {make_sheet(f"Atelier vélo {n}", structure).pk for n in range(3)}
    backend_class = type(get_backend())
    read = backend_class._term_ids
    reads = []

    def counted(self, cursor, term, *args):
        reads.append(term)
        return read(self, cursor, term, *args)

    monkeypatch.setattr(backend_class, "_term_ids", counted)
    assert set(search_action_ids("vélo")) == ids
    assert set(search_action_ids("vélos")) == ids
    assert set(search_action_ids("VELO")) == ids
    assert len(reads) == 1


def test_the_sheets_holding_a_word_are_counted_from_the_index():
    """« Actions similaires » counts the sheets of a sheet's words (a common word too) without reading the table:
    on PostgreSQL a table scan decompresses every vector, and under load these scans were what the web processes
    waited for."""
    structure = make_structure()
    for n in range(30):
        make_sheet(f"Jardin partagé numéro {n}", structure, summary="Un potager" if n < 3 else "")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_action_document")
    plans = []

    def explain_counts(execute, sql, params, many, context):
        if "count(*)" in sql and "vector @@" in sql:
            plans.append(explained(context, sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain_counts):
        counts = get_backend().document_frequency(["jardin", "potager", "inconnu"])
        capped = get_backend().document_frequency(["jardin", "potager"], at_most=10)
    assert (counts["jardin"], counts["potager"], counts.get("inconnu", 0)) == (30, 3, 0)
    assert capped == {"jardin": 10, "potager": 3}  # similar sheets never choose a word past MAX_MATCHES
    if connection.vendor == "postgresql":
        assert len(plans) == 2  # one query for all the words of a call
        for plan in plans:
            assert "Seq Scan on search_action_document" not in plan, plan
            assert "search_action_document_vector" in plan, plan


def test_a_words_sheets_are_read_in_one_round_trip():
    """On PostgreSQL the planner's setting is changed and restored in the query's own round trip: under load each
    round trip waited for a database process to get a core (three per word before)."""
    make_sheet("Jardin partagé", make_structure())
    backend = get_backend()
    backend.expand("jardin")  # the vocabulary is read
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        assert len(backend._term_ids(cursor, Term(("jardin",)))) == 1
        counts = backend.document_frequency(["jardin"])
    assert counts == {"jardin": 1}
    names = ("enable_seqscan", "search_action_", "_vocab")
    index_statements = [query["sql"] for query in queries.captured_queries if any(n in query["sql"] for n in names)]
    assert len(index_statements) == 2, index_statements
