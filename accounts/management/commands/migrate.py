"""Django's ``migrate``, able to upgrade a site installed before the user model moved.

Until ``accounts.0001`` the user model was ``filings.User``. Django's own admin app
depends on whichever app holds the user model, so on a site installed before the
move its migrations (applied long ago) now depend on ``accounts.0001``, which is not
applied yet, and Django refuses to migrate at all ("InconsistentMigrationHistory").
``accounts.0001`` changes no table (it takes over the models' state, see its
docstring), so recording it as applied is exactly what running it would do; this
command does that first, once, when the site's filings app is where that migration
starts from. Everything else is Django's command unchanged.
"""

from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

USER_MODEL_MOVED = ("accounts", "0001_initial")
# The last migration of the filings app that changed the user and organisation models:
# where accounts.0001 takes them over.
BEFORE_THE_MOVE = ("filings", "0003_identity_lock_version_indexes")


def adopt_moved_user_model(connection):
    """Record ``accounts.0001`` on a database of the old layout; True if it did."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False  # a new database: migrate runs accounts.0001 in its turn
    applied = recorder.applied_migrations()
    if USER_MODEL_MOVED in applied or not any(app == "filings" for app, _ in applied):
        return False
    if BEFORE_THE_MOVE not in applied:
        raise CommandError(
            "这个数据库的结构早于本版本能升级的最早版本：请先用上一个版本运行 "
            f"migrate（到 {BEFORE_THE_MOVE[0]} {BEFORE_THE_MOVE[1]}），再升级到本版本。"
        )
    recorder.record_applied(*USER_MODEL_MOVED)
    return True


class Command(migrate.Command):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if adopt_moved_user_model(connection) and options["verbosity"] >= 1:
            self.stdout.write(
                "已记录 accounts.0001_initial：用户与组织已移到 accounts 应用（不改动数据）。"
            )
        return super().handle(*args, **options)
