"""Full-text index tables: a contentless FTS5 table and its vocabulary on SQLite; a tsvector table, GIN index and French
configuration with `unaccent` on PostgreSQL."""

from django.db import migrations

# The columns of maillage.search.source.INDEX_COLUMNS, as they were when this migration was written.
INDEX_COLUMNS = (
    "title, keywords, summary, labels, end_reason, initiative_detail, experience, general_description, "
    "financial_resources, people_mobilised, result_territory, result_centre, result_inhabitants, limits, perspectives"
)
SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_action_fts USING fts5({INDEX_COLUMNS}, "
    "content = '', tokenize = 'unicode61 remove_diacritics 2')",
    # Merge index segments 16 at a time instead of 4: a bulk import rewrites the index far less often,
    # for a barely slower search.
    "INSERT INTO search_action_fts (search_action_fts, rank) VALUES ('automerge', 16)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_action_vocab USING fts5vocab(search_action_fts, row)",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_action_vocab",
    "DROP TABLE IF EXISTS search_action_fts",
]

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'maillage_french') THEN
            CREATE TEXT SEARCH CONFIGURATION maillage_french (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION maillage_french
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
    """CREATE TABLE IF NOT EXISTS search_action_document (
        action_id bigint PRIMARY KEY REFERENCES actions_action (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        vector tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS search_action_document_vector ON search_action_document USING gin (vector)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_action_document"]


def statements(schema_editor, *, create: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    return []


def forwards(apps, schema_editor):
    for statement in statements(schema_editor, create=True):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in statements(schema_editor, create=False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("actions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
