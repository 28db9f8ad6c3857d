from django.core.management.base import BaseCommand

from indicators.library import seed_from_filings


class Command(BaseCommand):
    help = (
        "从全部已批复申报（含导入的公开申报表）的三级指标建立或更新指标库：统计使用次数，"
        "补全计量单位、指标方向、指标解释和常见指标值。可重复运行，不会产生重复条目，"
        "也不会覆盖管理员修改过的内容。"
    )

    def handle(self, *args, **options):
        counts = seed_from_filings()
        self.stdout.write(self.style.SUCCESS(f"指标库已更新：{counts}"))
