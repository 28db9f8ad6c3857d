"""The Excel round trip (导入Excel): a form sheet exported by the app, saved back.

A filer downloads a filing as a workbook (``exports.excel``), fills it
in offline and uploads it. ``importers.excel_sheet`` reads the sheet
back into the JSON format, remembering the cell of every value; this module

- saves it with the project's own savers (``apply``): ``save_filing`` for a new
  draft; for an existing draft the values read as ``import_json`` reads them and
  the rows as the indicator editor reads its table, saved by the content service
  (``filings.content.replace_content``) under one claim of the filing's
  ``lock_version`` in one transaction;
- ``preview`` runs the same save and rolls it back, to show what would change and
  what the checker finds, each finding with its cell.
"""

from dataclasses import dataclass, field

from django.db import transaction

from exports.document import TITLES
from filings import content
from filings.checks import run_checks
from filings.fields import FORM_FIELDS
from filings.limits import MAX_TASKS
from filings.models import content_hash
from filings.serialization import ImportProblem, field_from_json, filing_to_dict, save_filing
from importers.excel_sheet import PATHS, SheetFiling, at_cell, read_workbook
from importers.slots import Busy, upload_slot
from importers.xlsx_upload import ExcelProblem, check_upload, max_upload_bytes
from indicators.editor import validate_rows
from indicators.taxonomy import Taxonomy
from indicators.weights import WeightError, parse_weight
from review.diff import diff_versions


class _Rollback(Exception):
    pass


@dataclass
class Preview:
    """What an upload would do: the filing as it would be, its findings, the changes."""

    after: dict
    findings: list
    diff: object = None  # review.diff.Diff against the filing now (updates only)
    changed_since_export: bool = False
    other_filing: bool = False
    located: list = field(default_factory=list)  # (finding, cell)


def apply(sheet_filing, *, organisation=None, filing=None, seen_version=None):
    """Save what the sheet says: a new draft of ``organisation``, or ``filing``'s new content.

    Raises ExcelProblem (messages naming cells) or StaleEdit; saves nothing then.
    """
    data = sheet_filing.data
    if filing is None:
        try:
            # New: validated and saved by the JSON format's saver, in its transaction.
            return save_filing(dict(data, status="draft"), organisation)
        except ImportProblem as exc:
            raise ExcelProblem([sheet_filing.locate(str(exc))]) from None
    saved = False
    try:
        _replace(filing, seen_version, sheet_filing)
        saved = True
    finally:
        if not saved:
            # Refused: the sheet's values were set on the instance; the page shows the filing.
            filing.refresh_from_db()
    return filing


def _replace(filing, seen_version, sheet_filing):
    """Replace ``filing``'s content with the sheet's, through the content service.

    The sheet's values are read as the JSON format reads them (the same parsers and
    bounds as import_json), the indicator rows as the editor reads its table; the
    content service then cleans, checks and saves them under one claim.
    """
    data = sheet_filing.data
    if data["form"] != filing.form:
        raise ExcelProblem(
            f"工作表是《{TITLES[data['form']]}》，这份申报是《{TITLES[filing.form]}》：表式不同，未导入。"
        )
    problems = []
    names = ["value_heading"]
    filing.value_heading = data.get("value_heading") or ""
    # Blank name or unit: kept, as the wizard keeps them.
    filing.name = data.get("name") or filing.name
    filing.money_unit = data.get("money_unit") or filing.money_unit
    names += ["name", "money_unit", "annual_goal"]
    filing.annual_goal = data.get("annual_goal") or ""
    for form_field in FORM_FIELDS:
        path = ".".join(form_field.json)
        if filing.form not in form_field.forms or path not in sheet_filing.read:
            continue  # not on the sheet: kept
        try:
            value = field_from_json(filing, form_field, _get(data, path))
        except ImportProblem as exc:
            problems.append(at_cell(str(exc), sheet_filing.cell(path)))
            continue
        setattr(filing, form_field.name, value)
        names.append(form_field.name)
    problems += _execution_weight(filing, sheet_filing, names)
    taxonomy = Taxonomy.load()
    indicator_keys = ("key", "level1", "level2", "name", "value", "explanation", "basis")
    rows, errors = validate_rows(
        # A 2021 field the sheet has no column for is not posted: the row keeps its value.
        [
            {name: row[name] for name in (*indicator_keys, *content.NEW_ROW_FIELDS) if name in row}
            for row in data.get("indicators") or []
        ],
        taxonomy,
    )
    problems.extend(_row_problem(sheet_filing, error) for error in errors)
    tasks = None
    if not filing.is_project:
        tasks = [
            {"key": t["key"], "name": t["name"].strip(), "content": t["content"].strip()}
            for t in data.get("tasks") or []
        ]
    if tasks is not None and len(tasks) > MAX_TASKS:
        problems.append(f"「年度重点任务」最多 {MAX_TASKS} 项，请合并部分任务")
    if problems:
        raise ExcelProblem(problems)
    try:
        content.replace_content(filing, seen_version, names=names, tasks=tasks, indicators=rows)
    except content.ContentRefused as refused:
        raise ExcelProblem([_content_problem(sheet_filing, p) for p in refused.problems]) from None
    return filing


def _execution_weight(filing, sheet_filing, names):
    """The sheet's 预算执行率分值 set on ``filing`` (named in ``names``); the problems.

    Read as the JSON format reads it; a sheet without its line (an older export, a
    filing without the 2021 fields) leaves the filing's as it is.
    """
    if "execution_weight" not in sheet_filing.read:
        return []
    try:
        filing.execution_weight = parse_weight(sheet_filing.data.get("execution_weight"))
    except WeightError as exc:
        return [at_cell(f"「预算执行率分值」{exc}", sheet_filing.cell("execution_weight"))]
    names.append("execution_weight")
    return []


def _get(data, path):
    value = data
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _content_problem(sheet_filing, problem):
    """A problem of the content service, with the cell it is about."""
    if problem.row is None:
        return at_cell(problem.message, sheet_filing.cell(PATHS.get(problem.field, problem.field)))
    return sheet_filing.locate(problem.message)


def _row_problem(sheet_filing, error):
    number = error.get("row")
    if not number:
        return error["message"]
    fields = ("level2", "value", "explanation", "weight", "direction", "basis_text", "period_value")
    part = error.get("field") if error.get("field") in fields else "name"
    return at_cell(error["message"], sheet_filing.cell(f"indicators.{number - 1}.{part}"))


def preview(sheet_filing, *, organisation=None, filing=None):
    """What ``apply`` would do, without keeping any of it (the save runs, then rolls back)."""
    before = filing_to_dict(filing) if filing is not None else None
    outcome = {}
    try:
        with transaction.atomic():
            saved = apply(
                sheet_filing,
                organisation=organisation,
                filing=filing,
                seen_version=filing.lock_version if filing is not None else None,
            )
            outcome["after"] = filing_to_dict(saved)
            outcome["findings"] = run_checks(saved)
            raise _Rollback
    except _Rollback:
        pass
    if filing is not None:
        filing.refresh_from_db()
    result = Preview(after=outcome["after"], findings=outcome["findings"])
    result.located = [(finding, finding_cell(sheet_filing, finding)) for finding in result.findings]
    if before is not None:
        result.diff = diff_versions(before, outcome["after"])
        exported = sheet_filing.properties.get("content_hash")
        # Sheets exported before the hash was the versions' own carry 16 characters of
        # another rule: they cannot be compared, so they raise no false alarm.
        current = content_hash(before)
        result.changed_since_export = len(exported or "") == len(current) and exported != current
        result.other_filing = bool(sheet_filing.properties.get("name")) and (
            sheet_filing.properties.get("name") != before.get("name")
            or sheet_filing.properties.get("year") != str(before.get("year"))
        )
    return result


def finding_cell(sheet_filing, finding):
    """The cell a checker's finding is about, or ""."""
    if finding.field in ("indicators", "tasks") and finding.row:
        return sheet_filing.cell(f"{finding.field}.{finding.row - 1}.name")
    return sheet_filing.cell(PATHS.get(finding.field, finding.field))


# The views and tests reach the whole round trip through this module.
__all__ = [
    "Busy",
    "ExcelProblem",
    "SheetFiling",
    "apply",
    "check_upload",
    "finding_cell",
    "max_upload_bytes",
    "preview",
    "read_workbook",
    "upload_slot",
]
