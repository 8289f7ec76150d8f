"""PostgreSQL: a GIN index on the titles' vectors, to find and rank the title matches of common words
quickly (see `PostgresBackend.match`). SQLite has its own title index (0004)."""

from django.db import migrations

# Must stay equal to `maillage.search.backends.TITLE_VECTOR` for the planner to use the index.
CREATE = (
    "CREATE INDEX IF NOT EXISTS search_action_title_vector ON actions_action "
    "USING gin (to_tsvector('maillage_french'::regconfig, translate(title, '<>', '  ')))"
)
DROP = "DROP INDEX IF EXISTS search_action_title_vector"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_sqlite_title_index")]
    operations = [migrations.RunPython(forwards, backwards)]
