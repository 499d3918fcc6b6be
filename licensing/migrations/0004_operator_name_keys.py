"""Operator name keys for exact name matching, and trigram indexes for search on PostgreSQL.

Chinese has no spaces between words, so full-text search does not apply; pg_trgm indexes serve the
case-insensitive substring searches (`icontains`, which PostgreSQL runs as UPPER(col) LIKE UPPER(...))
over license numbers and titles and operator names, aliases and codes. SQLite scans, which is fine at
its scale.
"""

from django.db import migrations, models

from licensing.identifiers import normalize_name

# (table, column, the indexed expression exactly as Django's lookups write it: icontains on a CharField is
# UPPER(col::text) LIKE, on a TextField UPPER(col) LIKE; contains on a CharField is col::text LIKE).
TRIGRAM_INDEXES = [
    ("licensing_license", "number", "UPPER((number)::text)"),
    ("licensing_license", "title", "UPPER((title)::text)"),
    ("licensing_operator", "name", "UPPER((name)::text)"),
    ("licensing_operator", "name_en", "UPPER((name_en)::text)"),
    ("licensing_operator", "aliases", "UPPER(aliases)"),
    ("licensing_operator", "uscc", "(uscc)::text"),
    ("licensing_operator", "name_keys", "name_keys"),
]


def fill_name_keys(apps, schema_editor):
    Operator = apps.get_model("licensing", "Operator")
    for operator in Operator.objects.all():
        aliases = [line.strip() for line in operator.aliases.splitlines() if line.strip()]
        keys = sorted({normalize_name(n) for n in (operator.name, operator.name_en, *aliases)} - {""})
        operator.name_keys = "\n" + "\n".join(keys) + "\n" if keys else ""
        operator.save(update_fields=["name_keys"])


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for table, column, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin (({expression}) gin_trgm_ops)",
            params=None,
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0003_reminders")]

    operations = [
        migrations.AddField(
            model_name="operator",
            name="name_keys",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
