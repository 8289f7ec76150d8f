"""PostgreSQL: the lexicon of spelling suggestions (words of titles and summaries, trigram-indexed).

SQLite reads its suggestions from the FTS5 vocabulary and needs nothing here."""

from django.db import migrations

CREATE = [
    "CREATE TABLE IF NOT EXISTS search_lexicon (word text PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS search_lexicon_trigram ON search_lexicon USING gin (word gin_trgm_ops)",
    """INSERT INTO search_lexicon (word)
       SELECT word FROM ts_stat('SELECT to_tsvector(''simple'', unaccent(concat_ws('' '', title, summary)))
                                 FROM actions_action')
       WHERE word ~ '^[a-z]+$' ON CONFLICT DO NOTHING""",
]
DROP = ["DROP TABLE IF EXISTS search_lexicon"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_index_change")]
    operations = [migrations.RunPython(forwards, backwards)]
