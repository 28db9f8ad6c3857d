import json
import sys

from django.core.management.base import BaseCommand, CommandError

from filings.models import Filing, Organisation
from filings.money import echo
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


def find_organisation(text):
    """The organisation named ``text``, or by its path 上级/本级 when names repeat."""
    *parents, name = [part.strip() for part in text.split("/")]
    matches = Organisation.objects.filter(name=name)
    for depth, parent in enumerate(reversed(parents), start=1):
        matches = matches.filter(**{"__".join(["parent"] * depth) + "__name": parent})
    matches = list(matches.select_related("parent__parent")[:10])
    if not matches:
        raise CommandError(f"找不到组织「{echo(text)}」")
    if len(matches) > 1:
        paths = "；".join("/".join(org.path()) for org in matches)
        raise CommandError(f"有多个名为「{echo(name)}」的组织，请写完整路径：{paths}")
    return matches[0]
