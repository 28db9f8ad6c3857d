"""``manage.py prune_exports``: delete expired export jobs and kept PDFs not printed lately.

The web does the same when someone starts an export; a timer runs this so that a
quiet site's files go too (deploy/systemd/perfgoals-prune-exports.timer): jobs
past ``EXPORT_KEEP_HOURS``, stalled jobs past ``EXPORT_STALL_MINUTES`` (marked
失败), and kept PDFs of versions not printed for ``EXPORT_KEEP_FORMS_DAYS``.
"""

from django.core.management.base import BaseCommand

from exports import jobs


class Command(BaseCommand):
    help = "清理过期的导出任务及其文件、长期未用的已留存PDF（可由定时任务每小时运行）。"

    def handle(self, *args, **options):
        deleted = jobs.cleanup()
        self.stdout.write(f"已清理过期导出任务 {deleted} 个。")
