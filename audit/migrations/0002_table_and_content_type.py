"""The moved model's table and content type take the audit app's name.

- The table ``filings_auditevent`` becomes ``audit_auditevent``, the name a
  reader of the database expects for ``audit.AuditEvent``. Nothing points to
  it (no foreign key, ``related_name="+"``), so the rename is a change of
  the catalogue on PostgreSQL and SQLite alike, whatever the number of rows.
- The content type ``filings.auditevent`` becomes ``audit.auditevent``. Left
  as it was, Django would create a second content type for the audit app
  after this migration, with new permissions: the admin site's log entries
  about audit events and the permissions given to users and groups would
  stay on the old one, which no model answers to any more.

Both are undone by migrating back (``migrate audit 0001``, or ``filings
0011``), which puts the names the filings app used back.
"""

from django.db import migrations

MODEL = "auditevent"


def _move_content_type(apps, old_label, new_label):
    content_types = apps.get_model("contenttypes", "ContentType")
    old = content_types.objects.filter(app_label=old_label, model=MODEL)
    if not old.exists():  # a database whose content types are not made yet
        return
    # One made by a migrate run in between (after each run, Django creates the content
    # type and permissions of every model of the code, e.g. after migrating back) is
    # newer and empty, while the old one holds the log entries and the grants.
    content_types.objects.filter(app_label=new_label, model=MODEL).delete()
    old.update(app_label=new_label)
    content_types.objects.clear_cache()


def to_audit(apps, schema_editor):
    _move_content_type(apps, "filings", "audit")


def to_filings(apps, schema_editor):
    _move_content_type(apps, "audit", "filings")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        # After the model left the filings app's state: one owner of the table at a time.
        ("filings", "0012_auditevent_moves_to_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.RunPython(to_audit, to_filings),
    ]
