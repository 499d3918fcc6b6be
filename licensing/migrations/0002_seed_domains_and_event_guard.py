"""Seed the data-domain rows and the Auditors group, and make license events append-only in PostgreSQL."""

from django.db import migrations

DOMAINS = [
    "health", "transport", "education", "finance", "market_regulation", "industry_it",
    "natural_resources", "urban_management", "government_services", "agriculture", "meteorology", "other",
]

# Rows of licensing_licenseevent can be inserted, never updated or deleted, whoever asks. TRUNCATE stays
# possible: it is the test runner's way of emptying tables, and no application path issues it.
CREATE_GUARD = """
CREATE OR REPLACE FUNCTION licensing_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'license events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER licensing_event_append_only
    BEFORE UPDATE OR DELETE ON licensing_licenseevent
    FOR EACH ROW EXECUTE FUNCTION licensing_event_append_only();
"""
DROP_GUARD = """
DROP TRIGGER IF EXISTS licensing_event_append_only ON licensing_licenseevent;
DROP FUNCTION IF EXISTS licensing_event_append_only();
"""


def seed_domains(apps, schema_editor):
    Domain = apps.get_model("licensing", "Domain")
    for code in DOMAINS:
        Domain.objects.get_or_create(code=code)


def create_auditors_group(apps, schema_editor):
    # Membership makes a user an auditor (licensing.access): it needs no permission rows.
    apps.get_model("auth", "Group").objects.get_or_create(name="Auditors")


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_GUARD, params=None)


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_GUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(seed_domains, migrations.RunPython.noop),
        migrations.RunPython(create_auditors_group, migrations.RunPython.noop),
        migrations.RunPython(create_guard, drop_guard),
    ]
