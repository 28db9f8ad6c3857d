from django.core.management.base import BaseCommand, CommandError

from exports import ExportUnavailable, excel, excel_flat
from exports.document import filing_document
from filings import fields as form_fields
from filings.management.export_options import (
    add_selection_arguments,
    check_selection,
    one_document,
    selected_filings,
    write_output,
)


class Command(BaseCommand):
    # A scripting command: the system checks (every URL and view imported) would add
    # a third of a second to each run and check nothing an export needs.
    requires_system_checks = []
    help = (
        "把申报写成 Excel：--filing ID 一份申报表；--org 名称 --year 年度 每份申报一个工作表；"
        "加 --flat 写分析用明细（每个指标一行、每份申报一行）。"
    )

    def add_arguments(self, parser):
        add_selection_arguments(parser, forms=list(form_fields.FORMS))
        parser.add_argument(
            "--flat", action="store_true", help="与 --org/--year 同用：写分析用明细"
        )

    def handle(self, *args, **options):
        check_selection(options)
        if options["flat"] and options["filing"] is not None:
            raise CommandError("--flat 只能与 --org/--year 同用。")
        forms = (options["form"],) if options["form"] else form_fields.FORMS
        try:
            if options["filing"] is not None:
                document = one_document(options)
                content = excel.filing_workbook([document])
                what = f"「{document.name}」"
            else:
                _organisation, filings = selected_filings(options, forms)
                if options["flat"]:
                    content = excel_flat.flat_workbook(filings)
                else:
                    content = excel.filing_workbook([filing_document(f) for f in filings])
                what = f"{len(filings)} 份申报"
        except ExportUnavailable as exc:
            raise CommandError(str(exc)) from exc
        write_output(options["output"], content, self.stderr, what)
