"""Name each "kind" for what it is, and give tasks a stable key.

Organisation.kind is the level in the tree, Filing.kind the form. Task keys are
added nullable, filled one per row, then made required (0003): a default on
AddField would give every existing row the same UUID.
"""

import uuid

from django.db import migrations, models


def fill_task_keys(apps, schema_editor):
    Task = apps.get_model("filings", "Task")
    for task in Task.objects.filter(key__isnull=True).order_by("pk").only("pk"):
        Task.objects.filter(pk=task.pk).update(key=uuid.uuid4())


def clear_other_forms_fields(apps, schema_editor):
    # The variant used to default to "city" on every filing; it is a project field.
    Filing = apps.get_model("filings", "Filing")
    Filing.objects.exclude(form="project").update(variant="")
    Filing.objects.filter(form="unit").update(subordinate_units=None, assets_total=None)


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="filing", name="filings_fil_year_19f4bb_idx"),
        migrations.RenameField(model_name="organisation", old_name="kind", new_name="level"),
        migrations.RenameField(model_name="filing", old_name="kind", new_name="form"),
        migrations.AddField(
            model_name="task",
            name="key",
            field=models.UUIDField(null=True, editable=False, verbose_name="行标识"),
        ),
        migrations.RunPython(fill_task_keys, migrations.RunPython.noop),
        migrations.RunPython(clear_other_forms_fields, migrations.RunPython.noop),
    ]
