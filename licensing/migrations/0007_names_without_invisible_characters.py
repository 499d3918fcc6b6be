"""Names and titles are stored without invisible format characters (bidirectional controls, zero-width
characters: licensing.identifiers.strip_invisible), and name keys no longer contain them.

The field changes are Python-only (the columns stay as they are); rows written before are cleaned here.
Reversing keeps the cleaned values: the characters removed were never meant to be there.
"""

import functools
import operator

from django.db import migrations
from django.db.models import Q

import licensing.fields
from licensing.identifiers import _INVISIBLE, normalize_name, strip_invisible

NAME_FIELDS = {
    "authority": ["name", "name_en"],
    "finding": ["issuer", "issuer_en", "entity_name", "entity_name_en", "department", "department_en"],
    "license": ["title"],
    "operator": ["name", "name_en", "aliases"],
    "product": ["name"],
}


def _keys(names) -> str:
    keys = sorted({normalize_name(n) for n in names} - {""})
    return "\n" + "\n".join(keys) + "\n" if keys else ""


def clean_names(apps, schema_editor):
    # A regular-expression character class of the invisible characters (SQLite runs it in Python).
    invisible = "[" + "".join(sorted(_INVISIBLE)) + "]"
    for model_name, fields in NAME_FIELDS.items():
        model = apps.get_model("licensing", model_name)
        dirty = functools.reduce(operator.or_, (Q(**{f"{field}__regex": invisible}) for field in fields))
        for row in model.objects.filter(dirty).iterator():
            for field in fields:
                setattr(row, field, strip_invisible(getattr(row, field)))
            written = list(fields)
            if model_name == "operator":
                aliases = [line.strip() for line in row.aliases.splitlines() if line.strip()]
                row.name_keys = _keys([row.name, row.name_en, *aliases])
                written.append("name_keys")
            elif model_name == "finding":
                row.entity_keys = _keys([row.entity_name, row.entity_name_en])
                written.append("entity_keys")
            row.save(update_fields=written)


class Migration(migrations.Migration):

    dependencies = [
        ('licensing', '0006_compliance'),
    ]

    operations = [
        migrations.AlterField(
            model_name='authority',
            name='name',
            field=licensing.fields.NameField(max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='authority',
            name='name_en',
            field=licensing.fields.NameField(blank=True, max_length=200, verbose_name='English name'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='department',
            field=licensing.fields.NameField(blank=True, help_text="The entity's department.", max_length=200, verbose_name='department or ministry'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='department_en',
            field=licensing.fields.NameField(blank=True, max_length=200, verbose_name='department or ministry (English)'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='entity_name',
            field=licensing.fields.NameField(max_length=300, verbose_name='entity found'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='entity_name_en',
            field=licensing.fields.NameField(blank=True, max_length=300, verbose_name='entity found (English)'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='issuer',
            field=licensing.fields.NameField(help_text='Who made the finding, e.g. 审计署.', max_length=200, verbose_name='issuer'),
        ),
        migrations.AlterField(
            model_name='finding',
            name='issuer_en',
            field=licensing.fields.NameField(blank=True, max_length=200, verbose_name='issuer (English)'),
        ),
        migrations.AlterField(
            model_name='license',
            name='title',
            field=licensing.fields.NameField(max_length=300, verbose_name='title'),
        ),
        migrations.AlterField(
            model_name='operator',
            name='aliases',
            field=licensing.fields.NamesField(blank=True, help_text='Other names it is known by, one per line.', verbose_name='aliases'),
        ),
        migrations.AlterField(
            model_name='operator',
            name='name',
            field=licensing.fields.NameField(max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='operator',
            name='name_en',
            field=licensing.fields.NameField(blank=True, max_length=200, verbose_name='English name'),
        ),
        migrations.AlterField(
            model_name='product',
            name='name',
            field=licensing.fields.NameField(max_length=200, verbose_name='name'),
        ),
        migrations.RunPython(clean_names, migrations.RunPython.noop),
    ]
