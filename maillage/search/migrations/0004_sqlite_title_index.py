"""SQLite: a small contentless FTS5 index of the titles alone, to rank the title matches of common words
quickly (see `SQLiteBackend.match`). PostgreSQL ranks with its weights and needs nothing here."""

from django.db import migrations

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_title_fts USING fts5(title, content = '', "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO search_title_fts (rowid, title) SELECT id, title FROM actions_action",
]
DROP = ["DROP TABLE IF EXISTS search_title_fts"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_lexicon")]
    operations = [migrations.RunPython(forwards, backwards)]
