"""Migrations that move models between apps: the content types go with the models.

A model that moves (``SeparateDatabaseAndState`` in the old app and the new one,
then ``AlterModelTable``) keeps its rows; its content type must move too, or
Django creates a second one for the new app after the migration, with new
permissions, while the admin site's log entries and the grants given to users
and groups stay on the old one, which no model answers to any more.
"""

from django.db import migrations


def _move(apps, old_label, new_label, models):
    content_types = apps.get_model("contenttypes", "ContentType")
    for model in models:
        old = content_types.objects.filter(app_label=old_label, model=model)
        if not old.exists():  # a database whose content types are not made yet
            continue
        # One made by a migrate run in between (after each run Django creates the content
        # type of every model of the code, e.g. after migrating back) is newer and empty,
        # while the old one holds the log entries and the grants.
        content_types.objects.filter(app_label=new_label, model=model).delete()
        old.update(app_label=new_label)
    content_types.objects.clear_cache()


def move_content_types(old_label, new_label, models):
    """A reversible operation: the content types of ``models`` (lower-case names) move."""

    def forwards(apps, schema_editor):
        _move(apps, old_label, new_label, models)

    def backwards(apps, schema_editor):
        _move(apps, new_label, old_label, models)

    return migrations.RunPython(forwards, backwards)
