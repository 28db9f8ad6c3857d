import json

from django.core.management.base import BaseCommand

from filings.checks import counts, run_checks, title_of
from filings.management.lookup import find_organisation
from filings.models import Filing
from indicators.taxonomy import Taxonomy


class Command(BaseCommand):
    help = "按审核规则检查申报，逐份列出错误（阻止提交）与提示。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只检查这一年度")
        parser.add_argument(
            "--org",
            metavar="NAME",
            help="只检查这一组织及其下级单位的申报（重名时写完整路径：上级/本级）",
        )
        parser.add_argument("--json", metavar="OUT", help="把检查结果写成 JSON 文件，- 为标准输出")

    def handle(self, *args, **options):
        filings = Filing.objects.order_by("year", "organisation__name", "form", "pk")
        if options["year"]:
            filings = filings.filter(year=options["year"])
        if options["org"]:
            filings = filings.under(find_organisation(options["org"]))
        # A constant number of queries however many filings: rows and taxonomy up front.
        filings = filings.select_related("organisation").prefetch_related(
            "tasks", "indicators__level2__level1"
        )
        taxonomy = Taxonomy.load()

        results = []
        for filing in filings:
            results.append((filing, run_checks(filing, taxonomy=taxonomy)))

        if options["json"]:
            data = [
                {
                    "id": filing.pk,
                    "name": filing.name,
                    "org": filing.organisation.name,
                    "findings": [finding.to_dict() for finding in findings],
                }
                for filing, findings in results
            ]
            text = json.dumps(data, ensure_ascii=False, indent=1)
            if options["json"] == "-":
                self.stdout.write(text)
                return
            with open(options["json"], "w", encoding="utf-8") as out:
                out.write(text)

        total_errors = total_warnings = 0
        for filing, findings in results:
            errors, warnings = counts(findings)
            total_errors += errors
            total_warnings += warnings
            style = self.style.ERROR if errors else (self.style.WARNING if warnings else str)
            self.stdout.write(
                style(
                    f"#{filing.pk} {filing.year}年度《{filing.name}》{filing.organisation.name}："
                    f"错误 {errors} 项，提示 {warnings} 项"
                )
            )
            for finding in findings:
                # The rule's Chinese name (its one home, Rule.title) for people; the code after
                # it for whoever greps the JSON output or the rules.
                title = title_of(finding.code)
                self.stdout.write(
                    f"    {finding.severity_label} {title}（{finding.code}）：{finding.message}"
                )
        self.stdout.write(
            f"共检查 {len(results)} 份申报：错误 {total_errors} 项，提示 {total_warnings} 项。"
        )
        if options["json"]:
            self.stdout.write(f"JSON 已写入 {options['json']}")
