"""``manage.py check_deployment``: one line per check of this server, 通过 or 未通过.

Run it on each server as the app's user with the app's environment (README
"Deploying"), after installing and after every change: the settings, the
database and its migrations, the fonts, EXPORT_ROOT, PRIVATE_MEDIA_ROOT, Redis and the export
workers, the time zone (perfgoals/deployment.py). Exit code 1 when a check fails.
"""

from django.core.management.base import BaseCommand, CommandError

from perfgoals import deployment


class Command(BaseCommand):
    help = "检查本服务器的部署：每项一行，通过或未通过，以及未通过时怎么办。"
    # Its own check is the first line; Django's would stop before the others are printed.
    requires_system_checks = []

    def handle(self, *args, **options):
        results = deployment.run()
        for result in results:
            self.stdout.write(result.line())
        failed = sum(not result.passed for result in results)
        if failed:
            raise CommandError(f"{failed} 项未通过（共 {len(results)} 项），请按上面的说明处理。")
        self.stdout.write(f"全部 {len(results)} 项通过。")
