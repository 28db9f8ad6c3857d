"""The analysts' flat workbook (分析用明细): one row per indicator, one row per filing.

Like every official output it prints each filing's official content
(``Filing.official_version``): a filing under adjustment gives the rows and
amounts of its approved version, read from that version's snapshot, never the
draft being adjusted. A filing never approved gives its current rows.
"""

from decimal import Decimal

from django.db.models import QuerySet, prefetch_related_objects
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from exports.excel import MONEY_FORMAT, save_workbook, text_cell
from filings.fields import FORM_FIELDS
from filings.models import Filing
from indicators.models import Indicator
from indicators.values import parse_value

INDICATOR_COLUMNS = (
    ("编号", 8),
    ("年度", 7),
    ("组织", 36),
    ("表式", 26),
    ("名称", 30),
    ("状态", 12),
    ("一级", 12),
    ("二级", 16),
    ("三级", 30),
    ("指标值", 16),
    ("值类型", 9),
    ("运算符", 7),
    ("数值", 12),
    ("单位", 8),
    ("指标解释", 40),
    ("设定依据", 12),
    ("设定依据说明", 30),
    ("指标方向", 9),
    ("分值", 8),
    ("核心指标", 9),
    ("全周期指标值", 16),
)
# Money of every form, in the order the forms print it: (heading, Filing field).
MONEY_COLUMNS = (
    ("项目资金总额", "funds_total"),
    ("财政资金", "funds_fiscal"),
    ("其他资金", "funds_other"),
    ("年度资金申请总额", "annual_total"),
    ("当年财政拨款", "annual_appropriation"),
    ("上年结转资金", "annual_carryover"),
    ("年度其他资金", "annual_other"),
    ("部门整体预算总额", "budget_total"),
    ("财政拨款", "budget_fiscal"),
    ("其他资金(预算)", "budget_other"),
    ("基本支出", "budget_basic"),
    ("项目支出", "budget_project"),
    ("年末资产总额", "assets_total"),
)
# The 项目库's, on no printed form (filings.fields): (heading, Filing field, JSON key).
LIBRARY_COLUMNS = (
    ("项目编码", "project_code", "code"),
    ("是否开展事前绩效评估", "ex_ante_evaluation", "ex_ante"),
    ("事前绩效评估结论", "ex_ante_conclusion", "ex_ante_conclusion"),
)
FILING_COLUMNS = (
    ("编号", 8),
    ("年度", 7),
    ("组织", 36),
    ("表式", 26),
    ("名称", 30),
    ("状态", 12),
    ("金额单位", 9),
    *((heading, 16) for heading, _field in MONEY_COLUMNS),
    ("三级指标数", 10),
    *((heading, 14) for heading, _field, _key in LIBRARY_COLUMNS),
)
_JSON_PATHS = {field.name: field.json for field in FORM_FIELDS}
_VALUE_TYPES = dict(Indicator.ValueType.choices)
_DIRECTIONS = dict(Indicator.Direction.choices)


def flat_workbook(filings):
    """An .xlsx (bytes): 「指标」 one row per indicator, 「申报」 one row per filing.

    ``filings`` is a queryset or a list of Filing; their rows are fetched in a
    fixed number of queries. Amounts are numbers (in the filing's unit, given
    in 金额单位) so that analysts can sum them; the header row is frozen and
    filtered. Written in openpyxl's write-only mode: memory stays flat
    whatever the number of rows.
    """
    filings = _fetched(filings)
    workbook = Workbook(write_only=True)
    indicators = workbook.create_sheet("指标")
    summary = workbook.create_sheet("申报")
    _start_flat_sheet(indicators, INDICATOR_COLUMNS)
    _start_flat_sheet(summary, FILING_COLUMNS)
    indicator_count = 0
    for filing in filings:
        name, status, unit, amounts, rows = _content_of(filing)
        common = [
            filing.pk,
            filing.year,
            " / ".join(filing.organisation.path()),
            filing.get_form_display(),
            name,
            status,
        ]
        for row in rows:
            indicators.append([_flat_cell(indicators, value) for value in [*common, *row]])
            indicator_count += 1
        cells = [_flat_cell(summary, value) for value in [*common, unit]]
        for amount in amounts:
            cell = WriteOnlyCell(summary, value=amount)
            if amount is not None:
                cell.number_format = MONEY_FORMAT
            cells.append(cell)
        cells.append(WriteOnlyCell(summary, value=len(rows)))
        cells += [_flat_cell(summary, value) for value in _library_of(filing)]
        summary.append(cells)
    indicators.auto_filter.ref = (
        f"A1:{get_column_letter(len(INDICATOR_COLUMNS))}{indicator_count + 1}"
    )
    summary.auto_filter.ref = f"A1:{get_column_letter(len(FILING_COLUMNS))}{len(filings) + 1}"
    return save_workbook(workbook)


def _content_of(filing):
    """(name, status, money unit, amounts, indicator rows) of the filing's official content."""
    version = filing.official_version
    if version is None:
        amounts = [getattr(filing, field) for _heading, field in MONEY_COLUMNS]
        rows = [_indicator_row(ind) for ind in filing.indicators.all()]
        return filing.name, filing.get_status_display(), filing.money_unit, amounts, rows
    data = version.snapshot
    amounts = [_snapshot_amount(data, field) for _heading, field in MONEY_COLUMNS]
    rows = [_snapshot_row(item) for item in data.get("indicators", [])]
    status = Filing.Status.APPROVED.label
    if filing.status != Filing.Status.APPROVED:
        # The rows are the approved version's while its adjustment goes through review.
        status = f"{status}（调整中）"
    name = data.get("name", filing.name)
    return name, str(status), data.get("money_unit", filing.money_unit), amounts, rows


def _library_of(filing):
    """The 项目库 link of the filing's official content (its project code, ex-ante evaluation)."""
    version = filing.official_version
    if version is None:
        return [getattr(filing, field) for _heading, field, _key in LIBRARY_COLUMNS]
    library = version.snapshot.get("library") or {}
    return [library.get(key) or "" for _heading, _field, key in LIBRARY_COLUMNS]


def _indicator_row(ind):
    return [
        ind.level2.level1.name,
        ind.level2.name,
        ind.name,
        ind.value,
        ind.get_value_type_display() if ind.value_type else "",
        ind.operator,
        ind.number,
        ind.unit,
        ind.explanation,
        ind.basis,
        ind.basis_text,
        ind.get_direction_display() if ind.direction else "",
        ind.weight,
        "是" if ind.core else "",
        ind.period_value,
    ]


def _snapshot_row(item):
    """An indicator of a version's snapshot, its value read as ``Indicator.set_value`` does."""
    value = item.get("value") or ""
    parsed = parse_value(value)
    return [
        item.get("level1", ""),
        item.get("level2", ""),
        item.get("name", ""),
        value,
        str(_VALUE_TYPES.get(parsed.value_type, "")),
        parsed.operator,
        parsed.number,
        parsed.unit,
        item.get("explanation", ""),
        item.get("basis", ""),
        item.get("basis_text", ""),
        str(_DIRECTIONS.get(item.get("direction") or "", "")),
        Decimal(item["weight"]) if item.get("weight") else None,
        "是" if item.get("core") else "",
        item.get("period_value", ""),
    ]


def _snapshot_amount(data, field):
    """An amount of a snapshot (a decimal string, or absent for another form's field)."""
    for key in _JSON_PATHS[field][:-1]:
        data = data.get(key) or {}
    value = data.get(_JSON_PATHS[field][-1])
    return Decimal(value) if value not in (None, "") else None


def _fetched(filings):
    """The filings with organisation path, indicators, taxonomy and official version."""
    if isinstance(filings, QuerySet):
        return list(
            filings.select_related(
                "organisation__parent__parent", "approved_version"
            ).prefetch_related("indicators__level2__level1")
        )
    filings = list(filings)
    prefetch_related_objects(
        filings, "organisation__parent__parent", "approved_version", "indicators__level2__level1"
    )
    return filings


def _start_flat_sheet(sheet, columns):
    sheet.freeze_panes = "A2"
    for number, (_heading, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    header = []
    for heading, _width in columns:
        cell = WriteOnlyCell(sheet)
        text_cell(cell, heading)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)


def _flat_cell(sheet, value):
    cell = WriteOnlyCell(sheet)
    if isinstance(value, str):
        return text_cell(cell, value)
    cell.value = value
    return cell
