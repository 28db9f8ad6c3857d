"""The moved models' tables and content types take the review app's name.

- The tables ``filings_<model>`` become ``review_<model>``, the names a reader of
  the database expects. Foreign keys that point to them follow the
  rename (PostgreSQL keeps them by the table's identity, SQLite rewrites them).
- The content types ``filings.<model>`` become ``review.<model>``, with their
  permissions and the admin site's log entries (perfgoals/moves.py).

Undone by migrating back, which puts the names the filings app used back.
"""

from django.db import migrations

from perfgoals.moves import move_content_types

MODELS = ["round", "transition", "comment", "review", "notification"]


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        # After the models left the filings app's state: one owner of a table at a time.
        ("filings", "0013_models_move_to_their_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="round", table=None),
        migrations.AlterModelTable(name="transition", table=None),
        migrations.AlterModelTable(name="comment", table=None),
        migrations.AlterModelTable(name="review", table=None),
        migrations.AlterModelTable(name="notification", table=None),
        move_content_types("filings", "review", MODELS),
    ]
