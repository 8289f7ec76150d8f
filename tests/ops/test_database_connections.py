"""Database connections are kept between requests and checked before reuse: on PostgreSQL, a connection the
server dropped (a restart) costs no request after it (see the drill in docs/drills.md)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.test import Client

from maillage.structures.models import Structure
from tests.factories import make_sheet


def test_connections_persist_and_are_checked():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# Committed rows (the connection is replaced mid-test); every app listed so that the flush empties the search
# tables too (PostgreSQL refuses to truncate the sheets alone).
@pytest.mark.django_db(transaction=True, available_apps=[config.name for config in apps.get_app_configs()])
def test_a_connection_is_kept_and_replaced_once_dropped():
    # No reference data needed: an earlier flush of committed rows may have emptied it.
    sheet = make_sheet("Jardin partagé", Structure.objects.create(name="Centre social des Lilas", kind="csx"))
    client = Client()
    assert client.get(sheet.get_absolute_url()).status_code == 200
    kept = connection.connection
    assert kept is not None  # still open after the request: the next one reuses it
    close_old_connections()
    assert client.get(sheet.get_absolute_url()).status_code == 200
    assert connection.connection is kept
    if connection.vendor == "postgresql":  # a server to restart: end this connection from another one
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept.info.backend_pid])
        other.close()
        # What each request starts with on a real server (Django's test client leaves it out): the kept
        # connection is checked before its first query, and replaced.
        close_old_connections()
        assert client.get(sheet.get_absolute_url()).status_code == 200
        assert connection.connection is not kept
