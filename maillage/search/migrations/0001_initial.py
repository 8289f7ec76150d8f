"""Full-text index tables: an FTS5 table, its vocabulary and a table of word stems on SQLite; a tsvector table, GIN index and French
configuration with `unaccent` on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_action_fts USING fts5("
    "title, keywords, summary, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_action_vocab USING fts5vocab(search_action_fts, row)",
    # Every indexed word and its French stem: queries are expanded to the words sharing their stem.
    "CREATE TABLE IF NOT EXISTS search_term (term TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS search_term_stem ON search_term (stem)",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_term",
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
