"""What a test reads while the live server writes does not make the server's request fail.

In production, SQLite in WAL mode and PostgreSQL let a reader and a writer work at once. The tests' in-memory
SQLite database is shared between connections through SQLite's shared cache, where a table being read by one
connection is locked for the others' writes, and such a lock fails at once instead of waiting: a test polling the
database for what a page saved on leaving made that save fail (« database table is locked »)."""

from django.db import connection
from playwright.sync_api import expect

from maillage.accounts.models import User

from .pages import log_in
from .test_observatory import observatory  # noqa: F401 (the fixture)


def test_a_read_left_open_by_the_test_does_not_fail_the_servers_write(observatory, page):  # noqa: F811
    assert User.objects.count() >= 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {User._meta.db_table}")
        assert cursor.fetchone() is not None  # the statement stays open: more rows are to be read
        log_in(page, observatory.site, observatory.member.email)  # the server writes the user's last login
        expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    observatory.member.refresh_from_db()
    assert observatory.member.last_login is not None
