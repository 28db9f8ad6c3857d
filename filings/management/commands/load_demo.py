from django.core.management.base import BaseCommand, CommandError

from filings import demo
from filings.models import Filing
from importers.loader import import_file
from indicators.library import seed_from_filings


class Command(BaseCommand):
    help = "建立演示数据：组织、每种角色一个演示账号，并导入 fixtures/published 中的公开申报表。"

    def handle(self, *args, **options):
        data = demo.read_demo()
        demo.load_organisations(data)
        users = demo.load_users(data)

        if Filing.objects.exists():
            self.stdout.write("数据库中已有申报，不再重复导入公开申报表。")
        else:
            for path in sorted(demo.PUBLISHED_DIR.glob("*.txt")):
                report = import_file(path)
                if report.error:
                    raise CommandError(f"{path.name}：{report.error}")
                self.stdout.write(f"导入 {path.name}：{len(report.filings)} 份申报")
            for draft in demo.create_drafts(data):
                self.stdout.write(f"草稿：{draft.organisation} {draft.year}年度《{draft.name}》")
            for filing in demo.run_review_scenarios(data):
                self.stdout.write(
                    f"审核流程：{filing.organisation} {filing.year}年度《{filing.name}》"
                    f"→ {filing.get_status_display()}"
                )
            project = demo.create_project_2021(data)
            if project is not None:
                self.stdout.write(
                    f"2021版指标体系：{project.organisation} {project.year}年度《{project.name}》"
                    f"，附件 {project.attachments.count()} 个"
                )
            for notice in demo.issue_approvals(data):
                self.stdout.write(f"批复：{notice.number}（{notice.organisation}）")
        for round_ in demo.load_rounds(data):
            self.stdout.write(
                f"申报批次：{round_.bureau} {round_.year}年度，截止 {round_.deadline:%Y-%m-%d}"
            )
        # Idempotent: recounts uses, keeps what an admin edited.
        self.stdout.write(f"指标库：{seed_from_filings()}")

        self.stdout.write(self.style.SUCCESS("\n演示账号（仅供演示，密码相同）："))
        for user in users:
            where = user.organisation.name if user.organisation else "全部组织"
            self.stdout.write(f"  {user.username:<18} {user.get_role_display():<8} {where}")
        self.stdout.write(f"  密码：{data['password']}")
