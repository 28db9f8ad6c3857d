"""Delete audit events older than N days (default AUDIT_KEEP_DAYS); never less than 180.

等保 asks that audit records be kept for at least six months, so a shorter
period is refused. The deletion is itself recorded in the audit log. Run it
from cron, e.g. monthly: ``manage.py prune_audit``.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit import log
from audit.models import AuditEvent

MIN_DAYS = 180


class Command(BaseCommand):
    help = "Delete audit events older than --older-than-days (default AUDIT_KEEP_DAYS, min 180)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, default=None)

    def handle(self, *args, older_than_days=None, **options):
        days = settings.AUDIT_KEEP_DAYS if older_than_days is None else older_than_days
        if days < MIN_DAYS:
            raise CommandError(
                f"审计日志至少保留 {MIN_DAYS} 天（等保要求不少于六个月），"
                f"--older-than-days {days} 太短。"
            )
        cutoff = timezone.now() - datetime.timedelta(days=days)
        with transaction.atomic():
            # The one queryset delete of the audit log (AuditEvent.delete() refuses).
            deleted, _by_model = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
            log.record(
                log.Action.PRUNE,
                user_display="prune_audit",
                description=f"清理 {days} 天以前的审计日志，共 {deleted} 条",
                details={"days": days, "deleted": deleted, "before": cutoff.isoformat()},
            )
        self.stdout.write(f"Deleted {deleted} audit events older than {days} days.")
