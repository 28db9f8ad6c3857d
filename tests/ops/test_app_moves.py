"""Models that move to another app keep every row, their content type and its permissions.

A move is a handful of migrations (``SeparateDatabaseAndState`` in the new app
and the old one, then a table rename and the content type's new label); what
it must keep is what a running site already holds. Each move in ``MOVES`` is
checked the way an existing installation meets it:

1. the demo data is loaded (``load_demo``, on the code's schema, since the
   loader writes with today's models), an admin is granted the moved model's
   view permission and the admin site's log holds an entry about a row;
2. the database goes back to the schema before the move (the migrations'
   reverse operations, with the ``migrate`` command) and rows are written
   there with the models of that schema, as the old code would have;
3. ``migrate`` runs forward, as on the day of the upgrade.

Then ``export_json`` is byte for byte what it was, every row of the moved
model is there with the same values, the content type has the new app's label
and the same id (so log entries and grants stay attached), there is no second
content type, and the grant still holds under the new label.

A next move adds one ``Move`` below: its pre-move targets and where its rows
lived. A way back may also ``forget`` a migration (drop its row from the
migration table, as on a site installed before the migration existed): the
models that left the filings app are checked so, the user model among them,
whose move Django's admin app would otherwise refuse to migrate past
(accounts/management/commands/migrate.py).

Transactional (migrations cannot run inside the test's transaction), and it
ends on the code's schema whatever happens, so that the next test finds the
database it expects.
"""

import io
from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User
from filings.models import Filing


def _forget(app, name):
    """The migration was never applied here: a site installed before it existed."""
    MigrationRecorder(connection).migration_qs.filter(app=app, name=name).delete()


def forget(app, name):
    return ("forget", app, name)


def _audit_events_of_the_old_code(model, admin_pk):
    """Audit rows as the filings app wrote them: a download with every column, a failed login."""
    filing = _a_filing()
    model.objects.create(
        user_id=admin_pk,
        username="admin",
        user_display="管理员",
        ip="203.0.113.9",
        user_agent="迁移前的浏览器",
        path=f"/filings/{filing.pk}/pdf/",
        action="download",
        filing_id=filing.pk,
        organisation_id=filing.organisation_id,
        description=f"下载《{filing.name}》",
        details={"format": "pdf", "嵌套": {"列表": [1, 2.5, None]}},
    )
    model.objects.create(username="不存在的人", action="login_failed", details={})


def _a_filing():
    # Only the columns every schema of the past had: the code's model may have more.
    return Filing.objects.order_by("pk").only("pk", "name", "organisation_id").first()


def _users_of_the_old_code(model, admin_pk):
    """A filer the old code made, with a grant of its own (the permissions table moves too)."""
    filing = _a_filing()
    model.objects.create(
        username="迁移前的填报人",
        password="!",
        last_name="旧",
        first_name="用户",
        organisation_id=filing.organisation_id,
        role="filer",
    )


def _comments_of_the_old_code(model, admin_pk):
    filing = _a_filing()
    model.objects.create(filing_id=filing.pk, part="funds", body="迁移前的意见", internal=True)


def _export_jobs_of_the_old_code(model, admin_pk):
    filing = _a_filing()
    model.objects.create(
        created_by_id=admin_pk,
        organisation_id=filing.organisation_id,
        year=filing.year,
        kind="pdf_zip",
        filing_ids=[filing.pk],
        status="done",
        output_name="迁移前的导出.zip",
    )


# A site installed before the apps of users, review and exports existed: the filings
# app at its last migration before they took their models, and none of theirs applied.
BEFORE_THE_APPS = [
    ("filings", "0012_auditevent_moves_to_audit"),
    forget("accounts", "0001_initial"),
    forget("review", "0001_initial"),
    forget("exports", "0001_initial"),
]


@dataclass(frozen=True)
class Move:
    """One model moved between apps, as its migrations see it."""

    model: str  # "app_label.ModelName" in the code, after the move
    old_app: str  # the app it belonged to before
    old_table: str
    new_table: str
    # Writes rows with the model of the old schema (a historical model: no custom save),
    # given the admin's id (the user model may be mid-move: not the code's to ask).
    write_old_rows: object
    # Ways back to the schema before the move: each a list of ``migrate APP TARGET``
    # commands, in order ("zero" for an app that did not exist yet).
    ways_back: dict

    @property
    def app(self):
        return self.model.split(".")[0]

    @property
    def name(self):
        return self.model.split(".")[1]


MOVES = [
    Move(
        model="audit.AuditEvent",
        old_app="filings",
        old_table="filings_auditevent",
        new_table="audit_auditevent",
        write_old_rows=_audit_events_of_the_old_code,
        ways_back={
            # The whole move undone: no audit app in the database.
            "audit zero": [("audit", "zero"), ("filings", "0011_audit_delete_action")],
            # Only the old app taken back: audit.0001 (state only) stays applied, so the
            # migrate command creates a second content type for audit.AuditEvent, which
            # the way forward must drop in favour of the old one.
            "filings 0011": [("filings", "0011_audit_delete_action")],
        },
    ),
    Move(
        model="accounts.User",
        old_app="filings",
        old_table="filings_user",
        new_table="accounts_user",
        write_old_rows=_users_of_the_old_code,
        ways_back={"a site of the old layout": BEFORE_THE_APPS},
    ),
    Move(
        model="review.Comment",
        old_app="filings",
        old_table="filings_comment",
        new_table="review_comment",
        write_old_rows=_comments_of_the_old_code,
        ways_back={
            "a site of the old layout": BEFORE_THE_APPS,
            # Only the renames undone: the state-only migrations stay applied.
            "review 0001": [
                ("review", "0001_initial"),
                ("filings", "0012_auditevent_moves_to_audit"),
            ],
        },
    ),
    Move(
        model="exports.ExportJob",
        old_app="filings",
        old_table="filings_exportjob",
        new_table="exports_exportjob",
        write_old_rows=_export_jobs_of_the_old_code,
        ways_back={"a site of the old layout": BEFORE_THE_APPS},
    ),
]

CASES = [
    pytest.param(move, way, id=f"{move.model}, back by {name}")
    for move in MOVES
    for name, way in move.ways_back.items()
]


def _migrate(*target):
    call_command("migrate", *target, verbosity=0, interactive=False)


def _historical_apps():
    """The models as the migrations applied to the database describe them."""
    loader = MigrationLoader(connection)
    applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
    return loader.project_state(applied).apps


def _tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def _export(path):
    call_command("export_json", "-o", str(path), stderr=io.StringIO())
    return path.read_bytes()


def _rows(model):
    return list(model._default_manager.order_by("pk").values())


@pytest.fixture
def demo_site(transactional_db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.mark.parametrize(("move", "way_back"), CASES)
@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_schema_keeps_everything_through_the_move(
    demo_site, move, way_back, tmp_path
):
    admin = User.objects.get(username="admin")
    content_type = ContentType.objects.get(app_label=move.app, model=move.name.lower())
    permissions = set(content_type.permission_set.values_list("pk", "codename"))
    permission = content_type.permission_set.get(codename=f"view_{move.name.lower()}")
    grantee = User.objects.get(username="finance_city")
    grantee.user_permissions.add(permission)
    LogEntry.objects.create(
        user=admin,
        content_type=content_type,
        object_id="1",
        object_repr="迁移前的修改",
        action_flag=CHANGE,
        change_message="[]",
    )
    exported = _export(tmp_path / "before.json")
    try:
        for target in way_back:
            if target[0] == "forget":
                _forget(*target[1:])
            else:
                _migrate(*target)
        old_apps = _historical_apps()
        assert move.old_table in _tables() and move.new_table not in _tables()
        # Before the move, the content type (same row) carries the old app's label.
        assert ContentType.objects.get(pk=content_type.pk).app_label == move.old_app
        old_model = old_apps.get_model(move.old_app, move.name)
        move.write_old_rows(old_model, admin.pk)
        rows = _rows(old_model)
        assert rows, "the old schema's table holds rows to carry over"

        _migrate()  # forward to the code's schema, as on the day of the upgrade
    finally:
        _migrate()

    assert move.new_table in _tables() and move.old_table not in _tables()
    assert _export(tmp_path / "after.json") == exported
    model = _historical_apps().get_model(move.app, move.name)
    assert _rows(model) == rows

    ContentType.objects.clear_cache()
    moved = ContentType.objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == (move.app, move.name.lower())
    assert not ContentType.objects.filter(app_label=move.old_app, model=move.name.lower())
    # The same permission rows, none added: Django made none for a content type it lacked.
    assert set(moved.permission_set.values_list("pk", "codename")) == permissions
    assert LogEntry.objects.filter(content_type=moved, object_repr="迁移前的修改").exists()
    grantee = User.objects.get(pk=grantee.pk)  # a fresh permission cache
    assert grantee.has_perm(f"{move.app}.view_{move.name.lower()}")
