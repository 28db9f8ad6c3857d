"""A filing as the official form prints it: a grid of cells, built once for PDF and Excel.

The grid is built from the JSON format of ``filings.serialization`` (a dict),
so the same code prints the filing as it stands (``filing_to_dict``) and a
frozen version (``FilingVersion.snapshot``): an approved filing always prints
its approved snapshot, whatever happened to its rows since.

The form has six columns. The grid has two parts, as the printed form does:
``head`` (basic fields, money, goals, tasks, budget) and the indicator table
(``indicator_head``, the heading row a printer repeats on each page, then
``indicators``). Every cell knows its column (``Cell.col``) so that a renderer
may split a merged cell at a page break and print its label again.

Each band of the form (``Row.band``: the title block, money, goals, tasks,
budget, the indicator table) has its own widths of the six columns
(``band_widths``), so that its labels fit on one line and its values get the
room they need: the paper form is drawn band by band, not on one grid. Excel
has one set of column widths for the whole sheet (``COLUMN_WIDTHS``).

The screen draws the same grid (``page_document``, templates/filings/forms/
official_form.html): the filing page, the wizard's preview and the review page
show exactly the cells that print, band by band with the print's column widths
(``Document.bands``).
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.utils import timezone

from exports import indicator_columns as extra_columns
from filings.fields import DEPARTMENT, DISTRICT_CATEGORIES, PROJECT, default_value_heading
from filings.money import format_amount
from filings.serialization import filing_to_dict

# Widths of the six columns in millimetres (A4 portrait, 186 mm between margins): the
# Excel sheet's columns, and any band without widths of its own.
COLUMN_WIDTHS = (20, 31, 29, 30, 46, 30)
COLUMNS = len(COLUMN_WIDTHS)

# Bands of the form (``Row.band``).
TITLE_BAND = "title"  # name, nature, department, dates; duties and goal of an overall form
MONEY_BAND = "money"
GOALS_BAND = "goals"
TASKS_BAND = "tasks"
BUDGET_BAND = "budget"
STAFF_BAND = "staff"
SECTION_BAND = "section"  # the 绩效指标 / 分解目标 row above the indicator table
INDICATOR_BAND = "indicators"

# Widths (mm, 186 in all) of the six columns per band, worked out from the printed
# labels at 10pt (a CJK character is 3.53 mm, a cell's padding 2.8 mm): 计划开始日期
# 24 mm, 年度资金申请总额 31 mm, 其中：当年财政拨款 35 mm, 财政资金拨款方式 31 mm,
# 服务对象满意度指标 35 mm; an amount up to the 10^13 bound (9,999,999,999,999.99,
# 38 mm; with the six places of 万元, 47 mm) fits its money cell at full size.
_PROJECT_WIDTHS = {
    TITLE_BAND: (26, 50, 18, 30, 18, 44),
    MONEY_BAND: (20, 29, 50, 36, 25, 26),
    # The two goals share the width evenly: 80.5 mm each.
    GOALS_BAND: (25, 40.25, 40.25, 26.84, 26.83, 26.83),
    INDICATOR_BAND: (18, 22, 36, 35, 35, 40),
}
_OVERALL_WIDTHS = {
    TITLE_BAND: (32, 34, 34, 34, 32, 20),
    TASKS_BAND: (26, 30, 30, 34, 33, 33),
    BUDGET_BAND: (26, 36, 30, 30, 32, 32),
    STAFF_BAND: (31, 31, 31, 31, 31, 31),
    SECTION_BAND: (31, 31, 31, 31, 31, 31),
    # What the columns printed at when they added up to 172 mm (WeasyPrint spread the other
    # 14 mm evenly): the widths written as they print.
    INDICATOR_BAND: (14.33, 16.33, 38.34, 37.33, 37.33, 42.34),
}

TITLES = {
    PROJECT: "财政项目支出绩效目标申报表",
    "unit": "单位整体支出绩效目标申报表",
    DEPARTMENT: "部门（单位）整体支出绩效目标申报表",
}

# Cell kinds: how a renderer styles the cell.
LABEL = "label"  # a printed label (项目名称)
SUB = "sub"  # a secondary label or column heading (其中：财政资金, 一级指标)
VALUE = "value"  # a short value
MONEY = "money"  # an amount, right-aligned
NUMBER = "number"  # a count, centred
LONG = "long"  # long text that may flow across pages
LEVEL = "level"  # a 一级 or 二级 name, merged over its children
NOTE = "note"  # the 投入管理指标 note merged across its rows


@dataclass
class Cell:
    """One printed cell; ``field`` is where its text comes from in the JSON format."""

    text: str = ""
    kind: str = VALUE
    colspan: int = 1
    rowspan: int = 1
    field: str = ""
    col: int = 0  # first column, 0-based; set by ``place``
    # The amount of a money cell as kept (a Decimal), for Excel to store as a number.
    amount: Decimal | None = None

    @property
    def is_label(self):
        return self.kind in (LABEL, SUB)


@dataclass
class Row:
    cells: list
    # A row that may break across pages (long text); other rows stay whole.
    breakable: bool = False
    # The key of the indicator or task the row prints: comments and findings point at it.
    key: str = ""
    # The band of the form the row belongs to: its column widths (``band_widths``).
    band: str = ""
    # What a reviewer's remark on the row is about (``row:<key>``, ``part:funds``…): set
    # by the review page (review.anchors), empty elsewhere.
    anchor: str = ""


@dataclass
class Document:
    """Everything a renderer needs to print one filing."""

    form: str
    year: int
    name: str
    organisation: str  # the organisation's own name (the last of its path)
    title: str
    subtitle: str
    head: list
    indicator_head: Row
    indicators: list
    footer: str  # version and hash of an approved filing, or why the copy is not official
    data: dict = field(repr=False)
    version_number: int | None = None
    short_hash: str = ""
    # The version's whole content hash: a printed version never changes, so its PDF is
    # rendered once and kept (exports/pdf.py); empty for a live filing.
    content_hash: str = ""
    official: bool = False
    # The state the copy was printed in (已批复, 草稿…): a bundle's 目录 lists it.
    status: str = ""
    # Which filing, in which state, the copy was made from (the Excel round trip reads them).
    filing_id: int | None = None
    lock_version: int | None = None  # printed from the approved version
    # The 2021 columns the indicator table prints after the value (exports.indicator_columns).
    indicator_columns: tuple = ()

    @property
    def rows(self):
        """Every row of the grid, top to bottom."""
        return [*self.head, self.indicator_head, *self.indicators]

    def band_widths(self, band):
        """The widths in millimetres of the six columns in ``band``."""
        if band == INDICATOR_BAND and self.indicator_columns:
            return extra_columns.widths(self.form, self.indicator_columns)
        widths = _PROJECT_WIDTHS if self.form == PROJECT else _OVERALL_WIDTHS
        return widths.get(band, COLUMN_WIDTHS)

    def on_six_columns(self):
        """The document with the classic six-column indicator table: the Excel sheet's
        layout, which carries the 2021 fields in columns beside the form instead."""
        if not self.indicator_columns:
            return self
        head, rows = _indicator_table(self.data)
        place([head, *rows])
        return replace(self, indicator_head=head, indicators=rows, indicator_columns=())

    @property
    def bands(self):
        """The rows band by band, each with its columns' share of the form's width.

        The screen draws each band as its own table with the widths the PDF
        prints (``band_widths``), in per cent so that the form fills its box.
        """
        return [
            ScreenBand(name, _shares(self.band_widths(name)), list(rows))
            for name, rows in groupby(self.rows, key=lambda row: row.band)
        ]


@dataclass
class ScreenBand:
    """One band of the form on screen: its name, its columns' widths in per cent, its rows."""

    name: str
    widths: tuple
    rows: list


def _shares(widths):
    total = sum(widths)
    return tuple(f"{width * 100 / total:.2f}%" for width in widths)


def filing_document(filing, version=None, *, printed_at=None, draft=False):
    """The printed form of ``filing``.

    ``version`` (a ``FilingVersion``) prints that snapshot. Without it a filing
    prints its official content (``Filing.official_version``: the approved
    version, while an adjustment is open too); a filing never approved prints
    its current content, with a footer saying it is not the approved text.
    ``draft`` asks for the current content whatever (the 调整稿 a filer checks).
    """
    if version is None and not draft:
        version = filing.official_version
    if version is not None:
        official = version.pk == filing.approved_version_id
        status = str(filing.Status.APPROVED.label if official else version.get_reason_display())
        footer = f"{status}　第{version.number}版　内容摘要 {version.short_hash}"
        document = build_document(
            version.snapshot,
            footer=footer,
            version_number=version.number,
            short_hash=version.short_hash,
            content_hash=version.content_hash,
            official=official,
            status=status,
        )
    else:
        printed_at = timezone.localtime(printed_at)
        footer = f"{filing.get_status_display()}　非批复文本　打印于 {printed_at:%Y-%m-%d %H:%M}"
        document = build_document(
            filing_to_dict(filing), footer=footer, status=filing.get_status_display()
        )
    document.filing_id, document.lock_version = filing.pk, filing.lock_version
    return document


def page_document(filing, indicators=None, tasks=None):
    """The grid of ``filing`` as it stands, for the screen.

    The filing page, the wizard's preview and the review page show the content
    being worked on (during an adjustment too), so no snapshot here. ``indicators``
    (with ``level2__level1`` selected) and ``tasks`` may be passed when the caller
    already fetched them, to avoid reading them twice.
    """
    if indicators is None:
        indicators = filing.indicators.select_related("level2__level1")
    # The grid prints no organisation: its path is not read (a query per level).
    data = filing_to_dict(filing, indicators=indicators, tasks=tasks, organisation=[])
    document = build_document(data)
    document.filing_id, document.lock_version = filing.pk, filing.lock_version
    return document


def build_document(
    data,
    *,
    footer="",
    version_number=None,
    short_hash="",
    content_hash="",
    official=False,
    status="",
):
    """The grid of one filing from its JSON-format dict."""
    form = data["form"]
    year = data["year"]
    organisation = (data.get("organisation") or [""])[-1]
    paren = ("（", "）") if form == DEPARTMENT else ("(", ")")
    head = _project_head(data) if form == PROJECT else _overall_head(data)
    columns = extra_columns.columns_of(data)
    indicator_head, indicators = _indicator_table(data, columns)
    place(head)
    place([indicator_head, *indicators])
    return Document(
        form=form,
        year=year,
        name=data.get("name", ""),
        organisation=organisation,
        title=TITLES[form],
        subtitle=f"{paren[0]}{year}年度{paren[1]}",
        head=head,
        indicator_head=indicator_head,
        indicators=indicators,
        footer=footer,
        data=data,
        version_number=version_number,
        short_hash=short_hash,
        content_hash=content_hash,
        official=official,
        status=status,
        indicator_columns=columns,
    )


def place(rows):
    """Set each cell's first column, as an HTML table lays out rowspans and colspans."""
    taken = {}  # (row index, column) covered by a cell from a row above
    for r, row in enumerate(rows):
        col = 0
        for cell in row.cells:
            while (r, col) in taken:
                col += 1
            cell.col = col
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, col + dc)] = True
            col += cell.colspan


def _amount(data, path):
    """The amount at ``path`` as printed, and as a Decimal (None when blank or unreadable)."""
    value = _get(data, path)
    if value in (None, ""):
        return "", None
    try:
        amount = Decimal(str(value))
        return format_amount(amount), amount
    except InvalidOperation:
        return str(value), None  # print what was kept rather than nothing


def _number(data, path):
    value = _get(data, path)
    return "" if value is None else str(value)


def _get(data, path):
    for key in path.split(".")[:-1]:
        data = data.get(key) or {}
    value = data.get(path.split(".")[-1])
    return "" if value is None else value


def _text(data, path, kind=VALUE, colspan=1, rowspan=1):
    return Cell(str(_get(data, path)), kind, colspan, rowspan, field=path)


def _money(data, path, colspan=1):
    text, amount = _amount(data, path)
    return Cell(text, MONEY, colspan, field=path, amount=amount)


def _in_band(band, rows):
    for row in rows:
        row.band = band
    return rows


def _project_head(data):
    unit = data.get("money_unit") or "元"
    if data.get("variant") == "district":
        first = Row([
            Cell("项目名称", LABEL), _text(data, "name", colspan=2),
            Cell("项目类别", LABEL),
            Cell(category_tick_boxes(data.get("category", "")), VALUE, 2, field="category"),
        ])  # fmt: skip
    else:
        first = Row([
            Cell("项目名称", LABEL), _text(data, "name"),
            Cell("项目性质", LABEL), _text(data, "nature"),
            Cell("项目类别", LABEL), _text(data, "category"),
        ])  # fmt: skip
    span = ""
    if data.get("goal_start_year") and data.get("goal_end_year"):
        span = f" ({data['goal_start_year']}年-{data['goal_end_year']}年)"
    return [
        *_in_band(TITLE_BAND, [first, Row([
            Cell("主管部门", LABEL), _text(data, "department", colspan=2),
            Cell("实施单位", LABEL), _text(data, "implementing_unit", colspan=2),
        ]),
        Row([
            Cell("计划开始日期", LABEL), _text(data, "start", colspan=2),
            Cell("计划完成日期", LABEL), _text(data, "end", colspan=2),
        ])]),
        *_in_band(MONEY_BAND, [Row([
            Cell(f"项目资金\n({unit})", LABEL, rowspan=4),
            Cell("项目资金总额", SUB), _money(data, "funds.total"),
            Cell("年度资金申请总额", SUB), _money(data, "funds.annual_total", 2),
        ]),
        Row([
            Cell("其中：财政资金", SUB), _money(data, "funds.fiscal"),
            Cell("其中：当年财政拨款", SUB), _money(data, "funds.appropriation", 2),
        ]),
        # The form leaves the third row's left label and amount empty.
        Row([
            Cell(""), Cell("", MONEY),
            Cell("上年结转资金", SUB), _money(data, "funds.carryover", 2),
        ]),
        Row([
            Cell("其他资金", SUB), _money(data, "funds.other"),
            Cell("其他资金", SUB), _money(data, "funds.annual_other", 2),
        ])]),
        *_in_band(GOALS_BAND, [Row([
            Cell("项目绩效目标", LABEL, rowspan=2),
            Cell(f"项目总目标{span}", SUB, 2), Cell("年度总体目标", SUB, 3),
        ]), Row(
            [_text(data, "overall_goal", LONG, 2), _text(data, "annual_goal", LONG, 3)],
            breakable=True,
        )]),
    ]  # fmt: skip


def _overall_head(data):
    department = data["form"] == DEPARTMENT
    rows = []
    if department:
        rows.append(Row([
            Cell("部门名称", LABEL), _text(data, "name", colspan=3),
            Cell("下属预算单位个数", LABEL), Cell(_number(data, "subordinate_units"), NUMBER,
                                                   field="subordinate_units"),
        ]))  # fmt: skip
    else:
        rows.append(Row([Cell("单位名称", LABEL), _text(data, "name", colspan=5)]))
    if not department or data.get("funding_mode"):
        rows.append(Row([Cell("财政资金拨款方式", LABEL), _text(data, "funding_mode", colspan=5)]))
    duties = "部门职责" if department else "单位职责"
    rows.append(Row([Cell(duties, LABEL), _text(data, "duties", LONG, 5)], breakable=True))
    rows.append(
        Row([Cell("年度履职目标", LABEL), _text(data, "annual_goal", LONG, 5)], breakable=True)
    )
    _in_band(TITLE_BAND, rows)
    tasks = data.get("tasks") or []
    rows.append(Row([
        Cell("年度重点任务", LABEL, rowspan=len(tasks) + 1),
        Cell("任务名称", SUB, 2), Cell("主要内容（重点工作计划）", SUB, 3),
    ]))  # fmt: skip
    for i, task in enumerate(tasks):
        rows.append(
            Row(
                [
                    Cell(task.get("name", ""), VALUE, 2, field=f"tasks.{i}.name"),
                    Cell(task.get("content", ""), LONG, 3, field=f"tasks.{i}.content"),
                ],
                breakable=True,
                key=task.get("key") or "",
                band=TASKS_BAND,
            )
        )
    rows[-len(tasks) - 1].band = TASKS_BAND
    rows += _overall_budget(data, department)
    section = "分解目标" if department else "绩效指标"
    rows.append(Row([Cell(section, LABEL, COLUMNS)], band=SECTION_BAND))
    return rows


def _overall_budget(data, department):
    """预算情况 and the staff rows of an overall form."""
    rows = []
    budget = OVERALL_BUDGET_LABELS
    rows.append(Row([
        Cell("预算情况", LABEL, rowspan=len(budget) + 1),
        Cell("内容", SUB, 3), Cell("预算情况", SUB, 2),
    ], band=BUDGET_BAND))  # fmt: skip
    for label, path in budget:
        rows.append(Row([Cell(label, VALUE, 3), _money(data, path, 2)], band=BUDGET_BAND))
    if department:
        rows.append(Row([
            Cell("年末资产总额(元)", SUB, 2), Cell("年末在职人数", SUB, 2),
            Cell("内设机构数", SUB, 2),
        ]))  # fmt: skip
        rows.append(Row([
            _money(data, "assets_total", 2),
            Cell(_number(data, "staff"), NUMBER, 2, field="staff"),
            Cell(_number(data, "internal_bodies"), NUMBER, 2, field="internal_bodies"),
        ]))  # fmt: skip
    else:
        rows.append(Row([Cell("年末在职人数", SUB, 3), Cell("内设机构数", SUB, 3)]))
        rows.append(Row([
            Cell(_number(data, "staff"), NUMBER, 3, field="staff"),
            Cell(_number(data, "internal_bodies"), NUMBER, 3, field="internal_bodies"),
        ]))  # fmt: skip
    _in_band(STAFF_BAND, rows[-2:])
    return rows


# The rows of 预算情况 on an overall form: (printed label, path in the JSON format).
OVERALL_BUDGET_LABELS = (
    ("部门整体预算总额(元)", "budget.total"),
    ("1、资金来源：(1)财政拨款", "budget.fiscal"),
    ("(2)其他资金", "budget.other"),
    ("2、资金结构：(1)基本支出", "budget.basic"),
    ("(2)项目支出", "budget.project"),
)


def category_tick_boxes(category):
    """``专项资金□ 经常性项目√ 一次性项目□`` as printed on the district layout."""
    options = list(DISTRICT_CATEGORIES)
    if category and category not in options:
        options.append(category)  # another district's option: print it rather than lose it
    return " ".join(f"{option}{'√' if option == category else '□'}" for option in options)


def _indicator_table(data, columns=()):
    """The heading row and the rows of the indicator table; ``columns`` the 2021 ones
    printed after the value (``exports.indicator_columns``), none for the classic table."""
    project = data["form"] == PROJECT
    heading = data.get("value_heading") or default_value_heading(data["form"], data.get("variant"))
    wide = 1 if columns else 2  # the classic table merges two columns for names
    if columns:
        heading = extra_columns.value_heading(data["form"], columns)
    extras = [Cell(extra_columns.HEADINGS[column], SUB) for column in columns]
    items = data.get("indicators") or []
    if project:
        # The form's 绩效指标 label runs down beside the heading and every row.
        head = Row([
            Cell("绩效指标", LABEL, rowspan=len(items) + 1),
            Cell("一级指标", SUB), Cell("二级指标", SUB),
            Cell("三级指标", SUB, wide), Cell(heading, SUB), *extras,
        ])  # fmt: skip
    else:
        head = Row([
            Cell("一级目标", SUB, wide), Cell("二级目标", SUB),
            Cell("三级目标", SUB, wide), Cell(heading, SUB), *extras,
        ])  # fmt: skip
    level1 = _runs([i.get("level1", "") for i in items])
    level2 = _runs([(i.get("level1", ""), i.get("level2", "")) for i in items])
    # On overall forms the placeholder rows (no name, no value: the seven 投入管理指标
    # rows) share one merged cell that carries the input note.
    note = data.get("input_note", "")
    placeholders = _runs(
        [i.get("level1", "") if note and _is_placeholder(i) else None for i in items]
    )
    texts, total = extra_columns.row_texts(data, columns) if columns else ([{}] * len(items), None)
    rows = []
    for n, item in enumerate(items):
        cells, path = [], f"indicators.{n}"
        if level1[n]:
            colspan = 1 if project else wide
            cells.append(
                Cell(item.get("level1", ""), LEVEL, colspan, level1[n], field=f"{path}.level1")
            )
        if level2[n]:
            cells.append(Cell(item.get("level2", ""), LEVEL, 1, level2[n], field=f"{path}.level2"))
        if note and _is_placeholder(item):
            if placeholders[n]:
                span = wide + 1 + len(columns)
                cells.append(Cell(note, NOTE, span, placeholders[n], field="input_note"))
        else:
            name = extra_columns.core_name(item) if columns else item.get("name", "")
            cells.append(Cell(name, VALUE, wide, field=f"{path}.name"))
            cells.append(Cell(item.get("value", ""), VALUE, field=f"{path}.value"))
            cells += [Cell(texts[n][column], VALUE, field=f"{path}.{column}") for column in columns]
        rows.append(Row(cells, key=item.get("key") or "", band=INDICATOR_BAND))
    rows += _trailer_rows(data, total, sum(cell.colspan for cell in head.cells))
    head.band = INDICATOR_BAND
    return head, rows


def _trailer_rows(data, total, width):
    """The 2021 table's 合计 line (the weights and 预算执行率's) and the ★ legend."""
    rows = []
    if total is not None:
        label, points = total
        rows.append(Row([Cell(label, SUB, width - 1), Cell(points, NUMBER, field="weights")]))
    if any(row.get("core") for row in data.get("indicators") or []):
        rows.append(Row([Cell(extra_columns.CORE_LEGEND, VALUE, width)]))
    return _in_band(INDICATOR_BAND, rows)


def _is_placeholder(item):
    return not item.get("name") and not item.get("value")


def _runs(keys):
    """The official form's merges: each run of equal keys is one cell over its rows.

    The first row of a run gets the run's length, the others 0 (covered by the
    cell above). A key of None is never merged and gets 0.
    """
    spans = [0] * len(keys)
    start = 0
    while start < len(keys):
        end = start + 1
        while end < len(keys) and keys[start] is not None and keys[end] == keys[start]:
            end += 1
        if keys[start] is not None:
            spans[start] = end - start
        start = end
    return spans
