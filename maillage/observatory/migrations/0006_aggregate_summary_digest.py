import hashlib
import json

from django.db import migrations, models

BATCH = 2000
# The order in which a refresh writes a summary's keys (`aggregates.Ranked.text`): PostgreSQL's jsonb gives them back
# in its own order, SQLite as written.
SUMMARY_KEYS = ("count", "values", "total", "stats")
STATS_KEYS = ("count", "answered", "total", "mean", "min", "q1", "median", "q3", "max")


def in_order(data, keys):
    if not isinstance(data, dict):
        return data
    return {**{key: data[key] for key in keys if key in data}, **data}


def written_text(summary) -> str:
    """The summary as a refresh writes it; a row whose text comes out otherwise is just written again at the next
    refresh (its digest differs)."""
    data = in_order(summary, SUMMARY_KEYS)
    if isinstance(data, dict) and "stats" in data:
        data["stats"] = in_order(data["stats"], STATS_KEYS)
    return json.dumps(data)


def fill_digests(apps, schema_editor):
    """The digest of each stored summary (`rowsync.text_digest`), in batches, so that the first refresh after this
    migration rewrites nothing that has not changed."""
    Aggregate = apps.get_model("observatory", "Aggregate")
    table = schema_editor.quote_name(Aggregate._meta.db_table)
    last = 0
    while True:
        rows = list(Aggregate.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "summary")[:BATCH])
        if not rows:
            return
        changes = [
            (hashlib.blake2b(written_text(summary).encode(), digest_size=16).hexdigest(), pk) for pk, summary in rows
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET summary_digest = %s WHERE id = %s", changes)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("observatory", "0005_territory_editorial"),
    ]

    operations = [
        migrations.AddField(
            model_name="aggregate",
            name="summary_digest",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                help_text="BLAKE2b du texte JSON écrit dans « résumé » (figures/rowsync.py) : un recalcul compare les "
                "empreintes, sans relire ni analyser les résumés ; vide ou fausse, le recalcul suivant compare "
                "la ligne en entier et la corrige.",
                max_length=32,
                verbose_name="empreinte du résumé",
            ),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
