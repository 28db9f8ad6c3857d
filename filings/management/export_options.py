"""What export_pdf and export_excel share: which filings, and writing the output."""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from exports.document import filing_document
from exports.selection import select_filings
from filings.management.lookup import find_organisation
from filings.models import Filing, FilingVersion
from filings.serialization import export_queryset

# --status of a command whose default is a state: every state.
ALL_STATES = "all"


def add_selection_arguments(parser, *, forms, default_status=None):
    parser.add_argument("--filing", type=int, metavar="ID", help="导出这一份申报")
    parser.add_argument(
        "--filing-version",
        type=int,
        metavar="N",
        help="与 --filing 同用：导出该申报的第 N 版（默认：已批复的申报导出批复版本）",
    )
    parser.add_argument(
        "--org",
        metavar="NAME",
        help="导出这一组织及其下级单位的申报（重名时写完整路径：上级/本级），与 --year 同用",
    )
    parser.add_argument("--year", type=int, help="与 --org 同用：年度")
    parser.add_argument("--form", choices=forms, help="只导出这一表式")
    if default_status is None:
        parser.add_argument(
            "--status", choices=Filing.Status.values, help="只导出这一状态的申报，如 approved"
        )
    else:
        parser.add_argument(
            "--status",
            choices=[*Filing.Status.values, ALL_STATES],
            default=default_status,
            help=f"只导出这一状态的申报（默认 {default_status}；{ALL_STATES} 为全部状态）",
        )
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="输出文件，- 为标准输出"
    )


def check_selection(options):
    """Exactly one of --filing and --org/--year, with what goes with each."""
    if options["filing"] is not None and (options["org"] or options["year"]):
        raise CommandError("--filing 与 --org/--year 只能选一种。")
    if options["filing"] is None:
        if not (options["org"] and options["year"]):
            raise CommandError(
                "请用 --filing ID 指定一份申报，或用 --org 名称 --year 年度 指定一批。"
            )
        if options["filing_version"] is not None:
            raise CommandError("--filing-version 只能与 --filing 同用。")


def one_document(options):
    """The Document of ``--filing`` (and ``--filing-version``)."""
    filing = export_queryset(Filing.objects.filter(pk=options["filing"])).first()
    if filing is None:
        raise CommandError(f"找不到编号为 {options['filing']} 的申报。")
    version = None
    if options["filing_version"] is not None:
        version = FilingVersion.objects.filter(
            filing=filing, number=options["filing_version"]
        ).first()
        if version is None:
            number = options["filing_version"]
            raise CommandError(f"申报 {filing.pk}「{filing.name}」没有第 {number} 版。")
    return filing_document(filing, version)


def selected_filings(options, forms):
    """The organisation of ``--org`` and its filings of ``--year`` in ``forms``, in print order.

    Commands are for administrators: every filing of the organisation's tree counts.
    """
    organisation = find_organisation(options["org"])
    status = "" if options["status"] == ALL_STATES else options["status"] or ""
    ids = select_filings(
        Filing.objects.all(),
        organisation,
        options["year"],
        forms,
        status,
    )
    if not ids:
        raise CommandError(
            f"{organisation.name}{options['year']}年度没有符合条件的申报，没有可导出的内容。"
        )
    by_pk = export_queryset(
        Filing.objects.filter(pk__in=ids).select_related("approved_version")
    ).in_bulk()
    return organisation, [by_pk[pk] for pk in ids]


def write_output(path, content, stderr, what):
    if path == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise CommandError(f"输出文件夹不存在：{target.parent}")
    try:
        target.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"无法写入 {target}：{exc.strerror}") from exc
    stderr.write(f"已导出{what}到 {target}（{len(content) / 1024:.0f} KB）")


def public_selection(organisation, year, forms):
    """(published, left out): the approved filings of the 公开版, in print order."""
    ids = select_filings(Filing.objects.all(), organisation, year, forms, Filing.Status.APPROVED)
    by_pk = export_queryset(
        Filing.objects.filter(pk__in=ids).select_related("approved_version")
    ).in_bulk()
    filings = [by_pk[pk] for pk in ids]
    return [f for f in filings if f.disclosed], [f for f in filings if not f.disclosed]
