import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Organisation
from filings.models import Filing
from filings.money import echo
from importers.loader import import_file


class Command(BaseCommand):
    help = (
        "导入已公开的绩效目标申报表：PDF 文件、Excel 工作簿（.xlsx），或由 PDF 提取的文本"
        "（单元格以制表符分隔；UTF-8、UTF-16 或 GB18030 编码自动识别）。每个文件一个事务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--year", type=int, help="年度（表中未写年度或需更正时）")
        parser.add_argument(
            "--org", metavar="NAME", help="填报单位名称（默认按表中的单位名称查找）"
        )
        parser.add_argument(
            "--bureau",
            metavar="NAME",
            help="财政局名称：只在这一财政局的组织中按名称或单位编码查找填报单位（名称重复时）",
        )
        parser.add_argument(
            "--money-unit",
            choices=Filing.MoneyUnit.values,
            help="金额单位（表中未写金额单位或需更正时）",
        )
        parser.add_argument(
            "--status",
            choices=Filing.Status.values,
            default=Filing.Status.APPROVED,
            help="导入后的状态（默认：已批复，公开的申报表都是批复后的）",
        )
        parser.add_argument(
            "--encoding",
            metavar="NAME",
            help="文本文件的编码（utf-8、utf-16、gb18030/gbk；默认自动识别）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
        parser.add_argument("--json", metavar="OUT", help="把导入的申报写成 JSON 文件")

    def handle(self, *args, **options):
        bureau = None
        if options["bureau"]:
            bureau = Organisation.objects.filter(
                name=options["bureau"], level=Organisation.Level.BUREAU
            ).first()
            if bureau is None:
                raise CommandError(f"找不到财政局「{echo(options['bureau'])}」")
        organisation = None
        if options["org"]:
            matches = Organisation.objects.filter(name=options["org"])
            if bureau is not None:
                matches = matches.filter(
                    Q(pk=bureau.pk) | Q(parent=bureau) | Q(parent__parent=bureau)
                )
            matches = list(matches[:2])
            if not matches:
                raise CommandError(f"找不到组织「{echo(options['org'])}」")
            if len(matches) > 1:
                raise CommandError(
                    f"有多个名为「{echo(options['org'])}」的组织：请用 --bureau 指定财政局"
                )
            organisation = matches[0]

        started = time.perf_counter()
        reports = [
            import_file(
                path,
                year=options["year"],
                organisation=organisation,
                bureau=bureau,
                money_unit=options["money_unit"],
                status=options["status"],
                dry_run=options["dry_run"],
                encoding=options["encoding"],
            )
            for path in options["files"]
        ]
        elapsed = time.perf_counter() - started

        for report in reports:
            self._print_report(report)
        filings = [f for report in reports for f in report.filings]
        failed = [report for report in reports if report.error]
        verb = "可导入" if options["dry_run"] else "已导入"
        succeeded = len(reports) - len(failed)
        self.stdout.write(
            f"{verb} {len(filings)} 份申报，{succeeded}/{len(reports)} 个文件成功，"
            f"用时 {elapsed:.2f} 秒。" + ("（试运行，未写入数据库）" if options["dry_run"] else "")
        )
        if options["json"]:
            Path(options["json"]).write_text(
                json.dumps(filings, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            self.stdout.write(f"JSON 已写入 {options['json']}")
        if failed:
            raise CommandError(f"{len(failed)} 个文件未导入，见上文。")

    def _print_report(self, report):
        if report.error:
            self.stderr.write(self.style.ERROR(f"✗ {report.path}：{report.error}"))
            return
        forms = {}
        for data in report.filings:
            label = Filing.Form(data["form"]).label
            forms[label] = forms.get(label, 0) + 1
        summary = "，".join(f"{label} {count} 份" for label, count in forms.items())
        self.stdout.write(self.style.SUCCESS(f"✓ {report.path}：{summary}"))
        for name, warning in report.warnings:
            style = self.style.WARNING if warning.get("code") == "unplaced" else str
            self.stdout.write(style(f"    {_where(warning)}《{name}》：{warning['message']}"))


def _where(warning):
    """第 3 页 (a PDF), 工作表「…」第 7 行 (a workbook) or 第 12 行 (a text file)."""
    return warning.get("where") or f"第 {warning.get('line')} 行"
