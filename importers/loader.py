"""Importing files of published forms into the database.

The parser (``published.py``) turns text into dicts; this module finds the
organisation of each filing and saves the dicts of one file in one
transaction, so that a file is imported whole or not at all.
"""

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from accounts.models import Organisation
from filings.models import Filing
from filings.money import echo
from filings.serialization import (
    ImportProblem,
    export_queryset,
    filing_to_dict,
    save_filing,
)
from indicators.taxonomy import Taxonomy
from review import workflow

from .published import PublishedFormatError, parse_rows
from .published_files import MAX_FILE_BYTES, SourceProblem, kind_of, read_text
from .published_pdf import read_pdf
from .published_xlsx import read_xlsx

# A department's own summary filing is titled e.g. 上海市闵行区民政局(汇总).
_SUMMARY_SUFFIX = re.compile(r"[（(]\s*汇总\s*[)）]\s*$")


@dataclass
class FileReport:
    """What happened to one file: saved filings or the reason nothing was saved."""

    path: str
    filings: list = field(default_factory=list)  # JSON dicts of the filings
    error: str = ""

    @property
    def warnings(self):
        return [(f["name"], w) for f in self.filings for w in f.get("warnings", [])]

    @property
    def unplaced(self):
        return [(name, w) for name, w in self.warnings if w.get("code") == "unplaced"]


class _DryRun(Exception):
    """Raised to roll the transaction of a dry run back."""


def organisation_names(data):
    """(name, 单位编码) under which a filing's organisation may be found, best first."""
    if data["form"] == Filing.Form.PROJECT:
        names = [
            (data.get("implementing_unit"), data.get("implementing_unit_code")),
            (data.get("department"), data.get("department_code")),
        ]
    else:
        names = [(_SUMMARY_SUFFIX.sub("", data.get("name") or "").strip(), data.get("code"))]
    return [(name or "", code or "") for name, code in names if name or code]


def _within(queryset, bureau):
    """Organisations of the bureau's tree: itself, its departments and their units."""
    if bureau is None:
        return queryset
    return queryset.filter(
        Q(pk=bureau.pk) | Q(parent_id=bureau.pk) | Q(parent__parent_id=bureau.pk)
    )


def resolve_organisation(data, override=None, bureau=None):
    """The filing's organisation: --org, else by 单位编码 when printed, else by name.

    Names repeat across trees (服务办): within ``bureau`` (--bureau) a name is
    looked up in that tree only, and a name that is still ambiguous is refused.
    """
    if override is not None:
        return override
    names = organisation_names(data)
    where = f"（{bureau.name}）" if bureau is not None else ""
    for name, code in names:
        if code:
            matches = list(_within(Organisation.objects.filter(code=code), bureau)[:2])
            if len(matches) > 1:
                raise ImportProblem(
                    f"有多个单位编码为「{code}」的组织{where}：请用 --bureau 指定财政局"
                )
            if matches:
                return matches[0]
        if not name:
            continue
        matches = list(_within(Organisation.objects.filter(name=name), bureau)[:2])
        if len(matches) > 1:
            raise ImportProblem(
                f"有多个名为「{echo(name)}」的组织{where}："
                "请用 --bureau 指定财政局，或用 --org 指定填报单位"
            )
        if matches:
            return matches[0]
    tried = "、".join(
        f"「{echo(name)}」" + (f"（编码 {code}）" if code else "") for name, code in names
    )
    tried = tried or "（表中未写单位名称）"
    raise ImportProblem(f"找不到填报单位 {tried}{where}：请先在管理后台建立该组织，或用 --org 指定")


def read_source(content, filename="", *, encoding=None, max_pages=None):
    """The rows of one file of published forms (text, PDF or .xlsx): a ``Source``.

    ``max_pages`` bounds a PDF below the command's limit (the 导入 page, in a request).
    """
    if len(content) > MAX_FILE_BYTES:
        raise SourceProblem(
            f"文件太大（{len(content) / 1024 / 1024:.1f} MB），上限为 "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB。"
        )
    kind = kind_of(content, filename)
    if kind == "pdf":
        return read_pdf(content, max_pages=max_pages)
    if kind == "xlsx":
        return read_xlsx(content)
    return read_text(content, encoding)


def parse_file(
    content,
    filename="",
    *,
    taxonomy,
    year=None,
    money_unit=None,
    encoding=None,
    max_pages=None,
):
    """The filings (JSON dicts) of one file, every warning saying where it is.

    Raises SourceProblem when the file cannot be read, PublishedFormatError
    (its message naming the page or line) when it holds no form.
    """
    source = read_source(content, filename, encoding=encoding, max_pages=max_pages)
    try:
        parsed = parse_rows(
            source.rows, taxonomy=taxonomy, year=year, money_unit=money_unit, source=filename
        )
    except PublishedFormatError as exc:
        raise SourceProblem(f"{source.place(exc.line)}：{exc.reason}") from None
    for data in parsed:
        data["where"] = source.place(data.get("line"))
        for warning in data.get("warnings", []):
            if source.places:
                warning["where"] = source.place(warning.get("line"))
    return parsed


def import_file(
    path,
    *,
    year=None,
    organisation=None,
    bureau=None,
    money_unit=None,
    status=Filing.Status.APPROVED,
    dry_run=False,
    encoding=None,
):
    """Parse and save one file of published forms; returns a FileReport.

    Published forms are approved ones, hence the default status. With
    ``dry_run`` everything is checked and reported exactly as in a real
    import, then rolled back. ``encoding`` is a text file's, when it is not
    to be detected.
    """
    report = FileReport(path=str(path))
    try:
        with open(path, "rb") as stream:
            content = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        report.error = f"无法读取文件：{exc.strerror or exc}"
        return report
    taxonomy = Taxonomy.load()
    try:
        parsed = parse_file(
            content,
            Path(path).name,
            taxonomy=taxonomy,
            year=year,
            money_unit=money_unit,
            encoding=encoding,
        )
    except SourceProblem as exc:
        report.error = str(exc)
        return report
    report.filings, report.error = save_file(
        parsed,
        Path(path).name,
        organisation=organisation,
        bureau=bureau,
        status=status,
        dry_run=dry_run,
    )
    return report


def save_file(parsed, filename, *, organisation=None, bureau=None, status=None, dry_run=False):
    """Save the parsed filings of one file whole or not at all: (saved dicts, error).

    With ``dry_run`` everything is checked and saved exactly as in a real import
    (organisations found, duplicates refused), then rolled back: the preview of
    the 导入 page. ``parsed`` is left as it was.
    """
    status = status or Filing.Status.APPROVED
    parsed = copy.deepcopy(parsed)
    saved = []
    try:
        with transaction.atomic():
            saved = save_parsed(parsed, filename, organisation, bureau, status)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ImportProblem as exc:
        return [], str(exc)
    return saved, ""


def save_parsed(parsed, filename, organisation, bureau, status, taxonomy=None):
    """Save the parsed filings of one file (inside the caller's transaction): their dicts."""
    taxonomy = taxonomy or Taxonomy.load()
    saved_dicts = []
    for data in parsed:
        where = data.pop("where", None) or f"第 {data.get('line')} 行"
        data["source"] = f"{filename}:{data.get('line', '')}"
        try:
            org = resolve_organisation(data, organisation, bureau)
            filing = save_filing(data, org, status=status, taxonomy=taxonomy)
        except ImportProblem as exc:
            raise ImportProblem(f"{where}《{echo(data.get('name'))}》：{exc}") from None
        # The review log starts here: where it came from, and the official version.
        workflow.record_import(filing, source=data["source"])
        saved = export_queryset(Filing.objects.filter(pk=filing.pk)).get()
        saved_dicts.append(filing_to_dict(saved))
    return saved_dicts
