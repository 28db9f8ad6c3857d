import sys

from django.core.management.base import BaseCommand

from filings import integrity


class Command(BaseCommand):
    help = (
        "检查每份申报是否完整：已提交、审核中或已批复的申报须与最后一版完全一致，"
        "各版本内容与内容摘要相符，批复版本、状态与变更记录对得上，指标树结构正确。"
        "发现问题时逐条列出并以退出码 1 结束。"
    )

    def handle(self, *args, **options):
        report = integrity.check()
        for problem in report.problems:
            self.stderr.write(str(problem))
        summary = f"检查了 {report.filings} 份申报、{report.versions} 个版本："
        if report.problems:
            affected = len({problem.filing_id for problem in report.problems})
            self.stderr.write(
                self.style.ERROR(f"{summary}{affected} 份申报共 {len(report.problems)} 处问题。")
            )
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"{summary}未发现问题。"))
