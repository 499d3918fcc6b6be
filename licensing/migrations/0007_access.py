# Access control (issue 14): license references and numbers allocated on leaving draft, the authority an
# event's actor acted for, and the audited history of operator changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import licensing.models.licenses

# The same guard as license events' (migration 0002), on operator events: insert only, whoever asks.
CREATE_GUARD = """
CREATE TRIGGER licensing_operatorevent_append_only
    BEFORE UPDATE OR DELETE ON licensing_operatorevent
    FOR EACH ROW EXECUTE FUNCTION licensing_event_append_only();
"""
DROP_GUARD = "DROP TRIGGER IF EXISTS licensing_operatorevent_append_only ON licensing_operatorevent;"


def give_references(apps, schema_editor):
    License = apps.get_model("licensing", "License")
    taken = set(License.objects.exclude(reference=None).values_list("reference", flat=True))
    for license in License.objects.filter(reference=None).only("pk"):
        reference = licensing.models.licenses.new_reference()
        while reference in taken:
            reference = licensing.models.licenses.new_reference()
        taken.add(reference)
        License.objects.filter(pk=license.pk).update(reference=reference)


def clear_unpublished_numbers(apps, schema_editor):
    """A license is public once it has left draft by a listing or a grant, and only then has a number.
    Numbers given to drafts at creation were never shown publicly (drafts are not public): cleared, so a
    draft gets a gapless number when it is listed. A draft withdrawn before either was never public:
    its number, which the old rules showed, is cleared too, and it leaves every public view. Numbers
    handed out stay spent in their counters."""
    License = apps.get_model("licensing", "License")
    LicenseEvent = apps.get_model("licensing", "LicenseEvent")
    withdrawn_as_draft = LicenseEvent.objects.filter(from_status="draft", to_status="withdrawn").values(
        "license_id"
    )
    License.objects.filter(models.Q(status="draft") | models.Q(pk__in=withdrawn_as_draft)).update(number=None)


def restore_numbers(apps, schema_editor):
    # Back to "every license has a number": the ones cleared get their reference, which is unique and
    # never a number of the public series.
    License = apps.get_model("licensing", "License")
    License.objects.filter(number=None).update(number=models.F("reference"))


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_GUARD, params=None)


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_GUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0006_compliance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="license",
            name="reference",
            field=models.CharField(editable=False, max_length=11, null=True, verbose_name="reference"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="license",
            name="reference",
            field=models.CharField(
                default=licensing.models.licenses.new_reference,
                editable=False,
                help_text="The registry's internal reference, given at creation; drafts have no number yet.",
                max_length=11,
                unique=True,
                verbose_name="reference",
            ),
        ),
        migrations.AlterField(
            model_name="license",
            name="number",
            field=models.CharField(
                blank=True, editable=False, max_length=32, null=True, unique=True, verbose_name="number"
            ),
        ),
        migrations.RunPython(clear_unpublished_numbers, restore_numbers),
        migrations.AddField(
            model_name="licenseevent",
            name="actor_authority",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="licensing.authority",
                verbose_name="actor's authority",
            ),
        ),
        migrations.CreateModel(
            name="OperatorEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("actor_repr", models.CharField(max_length=200, verbose_name="actor as recorded")),
                (
                    "changes",
                    models.JSONField(
                        blank=True, default=dict, help_text="Field: [before, after].", verbose_name="changes"
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                ("request_id", models.CharField(blank=True, max_length=64, verbose_name="request id")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="operator_events",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                (
                    "operator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="licensing.operator",
                        verbose_name="operator",
                    ),
                ),
            ],
            options={
                "verbose_name": "operator event",
                "verbose_name_plural": "operator events",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["operator", "created_at"], name="operator_event_created")],
            },
        ),
        migrations.RunPython(create_guard, drop_guard),
    ]
