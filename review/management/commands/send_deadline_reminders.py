import datetime

from django.core.management.base import BaseCommand, CommandError

from review.notifications import DEFAULT_REMINDER_DAYS, send_deadline_reminders


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from error


class Command(BaseCommand):
    help = (
        "申报批次截止前提醒：给尚未提交申报的填报人、尚有待审申报的主管部门审核人发通知和邮件。"
        "每人每天至多一条，可由定时任务每天运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_REMINDER_DAYS,
            help=f"截止日期在今后多少天之内时提醒（默认 {DEFAULT_REMINDER_DAYS} 天）",
        )
        parser.add_argument("--date", help="以这一天为“今天”（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        if options["days"] < 0:
            raise CommandError("--days 不能为负数。")
        today = _date(options["date"]) if options["date"] else None
        sent = send_deadline_reminders(today=today, days=options["days"])
        self.stdout.write(f"已发送截止提醒 {len(sent)} 条。")
