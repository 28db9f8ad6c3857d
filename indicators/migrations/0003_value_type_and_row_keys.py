"""Indicator.kind is the value type (定量/定性); rows get a stable key.

Keys are added nullable and filled one per row before 0004 makes them required:
a default on AddField would give every existing row the same UUID.
"""

import uuid

from django.db import migrations, models


def fill_indicator_keys(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for indicator in Indicator.objects.filter(key__isnull=True).order_by("pk").only("pk"):
        Indicator.objects.filter(pk=indicator.pk).update(key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_taxonomy"),
        ("filings", "0002_renames_and_row_keys"),
    ]

    operations = [
        migrations.RenameField(model_name="indicator", old_name="kind", new_name="value_type"),
        migrations.AddField(
            model_name="indicator",
            name="key",
            field=models.UUIDField(null=True, editable=False, verbose_name="行标识"),
        ),
        migrations.RunPython(fill_indicator_keys, migrations.RunPython.noop),
    ]
