"""PostgreSQL: the index holds the sheets' folded words, split as FTS5 splits them, neither stemmed nor left out
(ADR 003). A `maillage_folded` configuration (`simple` after `unaccent`), the titles' GIN index on the new
expression, and the index and its lexicon (now every indexed word) built again. SQLite needs nothing here: its
index already holds the folded words, and both backends now stem query words the same way, in Python.
"""

from django.db import migrations

# Must stay equal to `maillage.search.backends.TITLE_VECTOR` for the planner to use the index.
TITLE_VECTOR = (
    "to_tsvector('maillage_folded'::regconfig, regexp_replace(title, '[^0-9A-Za-zªµºÀ-ÖØ-öø-ɏΆ-ϿЀ-ӿḀ-ỿ]+', ' ', 'g'))"
)
CREATE = [
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'maillage_folded') THEN
            CREATE TEXT SEARCH CONFIGURATION maillage_folded (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION maillage_folded
                ALTER MAPPING FOR word, numword, hword, hword_part, numhword, hword_numpart WITH unaccent, simple;
        END IF;
    END $$""",
    "DROP INDEX IF EXISTS search_action_title_vector",
    f"CREATE INDEX search_action_title_vector ON actions_action USING gin ({TITLE_VECTOR})",
]
# Back to migration 0005's title index; `maillage rebuild_search_index` then rebuilds the index with that code.
DROP = [
    "DROP INDEX IF EXISTS search_action_title_vector",
    "CREATE INDEX search_action_title_vector ON actions_action "
    "USING gin (to_tsvector('maillage_french'::regconfig, translate(title, '<>', '  ')))",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS maillage_folded",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)
    Action = apps.get_model("actions", "Action")
    if Action.objects.using(schema_editor.connection.alias).exists():
        # The index is filled from the sheets by the backend's own SQL (`search/source.py`).
        from maillage.search.services import rebuild_index

        rebuild_index()


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_postgres_title_index"), ("actions", "0005_pending_revisions")]
    operations = [migrations.RunPython(forwards, backwards)]
