"""AuditEvent now belongs to the audit app (audit.0001): drop it from this app's state only.

The table and its rows stay; ``audit.0002`` renames the table. Undone, this
puts the model back into the filings app's state, again without a change to
the database.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0011_audit_delete_action"),
        # The model exists in the audit app's state before it leaves this one.
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
