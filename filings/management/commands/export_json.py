import json
import sys

from django.core.management.base import BaseCommand

from filings.management.lookup import find_organisation
from filings.models import Filing
from filings.serialization import export_queryset, filing_to_dict


class Command(BaseCommand):
    help = "把数据库中的申报写成 JSON（与 import_published --json 的格式相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只导出这一年度")
        parser.add_argument(
            "--org",
            metavar="NAME",
            help="只导出这一组织及其下级单位的申报（重名时写完整路径：上级/本级）",
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="OUT", help="输出文件，- 为标准输出"
        )

    def handle(self, *args, **options):
        filings = Filing.objects.order_by("year", "organisation__name", "form", "pk")
        if options["year"]:
            filings = filings.filter(year=options["year"])
        if options["org"]:
            filings = filings.under(find_organisation(options["org"]))
        data = [filing_to_dict(filing) for filing in export_queryset(filings)]
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
            self.stderr.write(f"已导出 {len(data)} 份申报到 {options['output']}")
