from django.core.management.base import BaseCommand, CommandError

from exports import ExportUnavailable, approval, bundle, disclosure, pdf
from exports.document import filing_document
from filings import fields as form_fields
from filings.management.export_options import (
    add_selection_arguments,
    check_selection,
    one_document,
    public_selection,
    selected_filings,
    write_output,
)
from filings.management.lookup import find_organisation
from filings.models import Filing
from review.notices import latest_notice

# --form of a bundle: the project bundle, or the overall filings (单位整体 and 部门整体).
BUNDLE_FORMS = {
    form_fields.PROJECT: (form_fields.PROJECT,),
    "overall": form_fields.OVERALL,
    form_fields.UNIT: (form_fields.UNIT,),
    form_fields.DEPARTMENT: (form_fields.DEPARTMENT,),
}


class Command(BaseCommand):
    # A scripting command: the system checks (every URL and view imported) would add
    # a third of a second to each run and check nothing an export needs.
    requires_system_checks = []
    help = (
        "把申报打印成 PDF：--filing ID 一份申报表；--org 名称 --year 年度 一册汇总表"
        "（默认项目绩效目标汇总表；--form overall 为整体支出绩效目标汇总表），带目录；"
        "汇总表默认只收已批复的申报（--status all 为全部状态）；"
        "--org --year 加 --approval 写该单位该年度最新的绩效目标批复；"
        "加 --public 写公开版汇总表（不含不公开的申报；"
        "--reviewer-copy 末页列出未公开的申报及原因）。"
    )

    def add_arguments(self, parser):
        # A bundle is what gets filed: the approved versions unless --status says otherwise.
        add_selection_arguments(
            parser, forms=list(BUNDLE_FORMS), default_status=Filing.Status.APPROVED
        )
        parser.add_argument(
            "--processes",
            type=int,
            metavar="N",
            help="汇总表用几个进程排版（默认：本机可用的CPU数）",
        )
        parser.add_argument(
            "--approval",
            action="store_true",
            help="与 --org/--year 同用：写该单位该年度最新的绩效目标批复（批复文件及所附申报表）",
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help="与 --org/--year 同用：公开版汇总表，只收已批复且随预算公开的申报",
        )
        parser.add_argument(
            "--reviewer-copy",
            action="store_true",
            help="与 --public 同用：审核人员版本，末页列出未公开的申报及原因",
        )

    def handle(self, *args, **options):
        check_selection(options)
        if options["processes"] is not None and options["processes"] < 1:
            raise CommandError("--processes 至少为 1。")
        if options["approval"]:
            self._approval(options)
            return
        if options["public"]:
            self._public(options)
            return
        try:
            if options["filing"] is not None:
                document = one_document(options)
                content = pdf.filing_pdf(document)
                what = f"「{document.name}」"
            else:
                form = options["form"] or form_fields.PROJECT
                forms = BUNDLE_FORMS[form]
                organisation, filings = selected_filings(options, forms)
                documents = [filing_document(filing) for filing in filings]
                title = bundle.bundle_title(organisation.name, options["year"], forms[0])
                content = bundle.bundle_pdf(documents, title, processes=options["processes"])
                what = f"「{title}」（{len(documents)} 份申报）"
        except ExportUnavailable as exc:
            raise CommandError(str(exc)) from exc
        write_output(options["output"], content, self.stderr, what)

    def _approval(self, options):
        if options["filing"] is not None:
            raise CommandError("--approval 只能与 --org/--year 同用。")
        organisation = find_organisation(options["org"])
        notice = latest_notice(organisation, options["year"])
        if notice is None:
            raise CommandError(
                f"{organisation.name}{options['year']}年度还没有签发绩效目标批复，没有可导出的内容。"
            )
        try:
            content = approval.notice_pdf(notice)
        except ExportUnavailable as exc:
            raise CommandError(str(exc)) from exc
        write_output(options["output"], content, self.stderr, f"批复「{notice.number}」")

    def _public(self, options):
        if options["filing"] is not None:
            raise CommandError("--public 只能与 --org/--year 同用。")
        form = options["form"] or form_fields.PROJECT
        organisation = find_organisation(options["org"])
        published, left_out = public_selection(organisation, options["year"], BUNDLE_FORMS[form])
        if not published:
            raise CommandError(
                f"{organisation.name}{options['year']}年度没有随预算公开的已批复申报，"
                "没有可导出的内容。"
            )
        title = disclosure.public_title(organisation.name, options["year"], BUNDLE_FORMS[form][0])
        try:
            content = disclosure.public_bundle(
                disclosure.official_documents(published),
                left_out,
                title,
                reviewer_copy=options["reviewer_copy"],
                processes=options["processes"],
            )
        except ExportUnavailable as exc:
            raise CommandError(str(exc)) from exc
        what = f"「{title}」（{len(published)} 份申报）"
        write_output(options["output"], content, self.stderr, what)
