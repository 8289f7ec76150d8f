"""PostgreSQL: each sheet's title vector kept in the index table (`search_action_document.title_vector`, GIN), no
longer an expression index on the sheets. Finding the title matches of a common word read every matching sheet's
row of `actions_action` to compute its title's vector again (33 ms for « famille », 9,312 sheets); the index table
is a few times smaller and holds the vector ready. SQLite has its own title index (0004).
"""

from django.db import migrations


def title_vector(column: str) -> str:
    """`maillage.search.backends.postgres.title_vector`, as migration 0006 indexed it."""
    return f"to_tsvector('maillage_folded'::regconfig, regexp_replace({column}, '[^0-9A-Za-zªµºÀ-ÖØ-öø-ɏΆ-ϿЀ-ӿḀ-ỿ]+', ' ', 'g'))"


CREATE = [
    "ALTER TABLE search_action_document ADD COLUMN IF NOT EXISTS title_vector tsvector",
    f"UPDATE search_action_document d SET title_vector = {title_vector('a.title')} FROM actions_action a "
    "WHERE a.id = d.action_id",
    "CREATE INDEX IF NOT EXISTS search_action_document_title ON search_action_document USING gin (title_vector)",
    "DROP INDEX IF EXISTS search_action_title_vector",
]
# Back to migration 0006's expression index on the sheets.
DROP = [
    f"CREATE INDEX IF NOT EXISTS search_action_title_vector ON actions_action USING gin ({title_vector('title')})",
    "DROP INDEX IF EXISTS search_action_document_title",
    "ALTER TABLE search_action_document DROP COLUMN IF EXISTS title_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_folded_words")]
    operations = [migrations.RunPython(forwards, backwards)]
