"""A request reads the last row of the index's change log once, however many words it searches or counts (a sheet
page seen for the first time read it 31 times at 100,000 sheets: under load, each round trip waited for a database
process to get a core). A request that changes sheets sees its own change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.search import facets
from maillage.search.facets import facet_index
from tests.factories import make_sheet, make_structure

pytestmark = pytest.mark.django_db


def log_reads(queries) -> int:
    return sum('FROM "search_indexchange"' in query["sql"] for query in queries.captured_queries)


def test_a_page_reads_the_change_log_once(client):
    structure = make_structure()
    sheet = make_sheet("Jardin partagé des Lilas", structure, summary="Potager collectif, compost et semis")
    make_sheet("Potager collectif du quartier", structure, summary="Jardin partagé et compost")
    make_sheet("Atelier vélo solidaire", structure, summary="Réparer son vélo ensemble")
    for url in (sheet.get_absolute_url(), "/actions/?q=jardin+compost+potager", f"/api/v1/actions/{sheet.pk}"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert log_reads(queries) == 1, url


def test_a_request_that_changes_a_sheet_sees_its_change():
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    facets.start_request()
    try:
        assert len(facet_index().published) == 1
        with CaptureQueriesContext(connection) as queries:
            facet_index()
        assert log_reads(queries) == 0  # read once for the request
        make_sheet("Atelier vélo", structure)  # logged in the change log by the services
        assert len(facet_index().published) == 2
    finally:
        facets.end_request()
    with CaptureQueriesContext(connection) as queries:
        facet_index()
        facet_index()
    assert log_reads(queries) == 2  # outside a request (commands, tasks), the log is read at every use


def test_a_request_that_began_before_a_change_keeps_the_newer_index():
    """Threads of a process share the index: one whose request read the log before another thread brought the
    index further uses it as it is, rather than loading every sheet again at its older change."""
    structure = make_structure()
    make_sheet("Jardin partagé", structure)
    facets.start_request()
    try:
        older = facet_index().change
        make_sheet("Atelier vélo", structure)
        newer = facet_index()
        facets._request.change = older  # as a thread whose request began before the change
        with CaptureQueriesContext(connection) as queries:
            assert facet_index() is newer
            assert facet_index() is newer
        assert len(queries) == 1  # is the newer change still logged (not rolled back)? once
    finally:
        facets.end_request()
