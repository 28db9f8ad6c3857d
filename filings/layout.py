"""The official table layout of a filing, as data.

HTML, PDF and Excel all print the indicator table with the 一级 and 二级
cells merged over their children; this module works the merges out once.
"""

from dataclasses import dataclass

from filings.money import format_amount


@dataclass
class IndicatorRow:
    """One printed row of the indicator table.

    A span of 0 means the cell is covered by a merged cell above it and is
    not printed; a positive span is the number of rows the cell covers.
    """

    indicator: object
    level1: str
    level1_span: int
    level2: str
    level2_span: int
    note: str = ""
    note_span: int = 0


def _model_levels(indicator):
    return indicator.level2.level1.name, indicator.level2.name


def indicator_rows(indicators, input_note="", levels=_model_levels):
    """Rows of the indicator table with the merges of the official form.

    Consecutive rows with the same 一级 share one 一级 cell, consecutive rows
    with the same 一级 and 二级 share one 二级 cell. On overall filings the
    placeholder rows (no name, no value: the seven 投入管理指标 rows) share
    one merged cell that carries ``input_note``. ``levels`` gives an
    indicator's (一级, 二级) names: model rows by default, anything with
    ``name`` and ``value`` otherwise (the exports print JSON-format rows).
    """
    rows = []
    for ind in indicators:
        level1, level2 = levels(ind)
        rows.append(IndicatorRow(ind, level1, 1, level2, 1))
    _merge(rows, key=lambda r: r.level1, span="level1_span")
    _merge(rows, key=lambda r: (r.level1, r.level2), span="level2_span")
    if input_note:
        _merge(rows, key=_placeholder_key, span="note_span", only=_is_placeholder)
        for row in rows:
            if _is_placeholder(row):
                row.note = input_note
    return rows


def _is_placeholder(row):
    return not row.indicator.name and not row.indicator.value


def _placeholder_key(row):
    return row.level1


def _merge(rows, *, key, span, only=None):
    """Give the first row of each run of equal keys the run's length, the rest 0."""
    start = 0
    while start < len(rows):
        if only is not None and not only(rows[start]):
            start += 1
            continue
        end = start + 1
        while (
            end < len(rows)
            and key(rows[end]) == key(rows[start])
            and (only is None or only(rows[end]))
        ):
            end += 1
        setattr(rows[start], span, end - start)
        for row in rows[start + 1 : end]:
            setattr(row, span, 0)
        start = end


def project_money_rows(filing):
    """The four money rows of a project form: (left label, left, right label, right)."""
    return [
        ("项目资金总额", format_amount(filing.funds_total),
         "年度资金申请总额", format_amount(filing.annual_total)),
        ("其中：财政资金", format_amount(filing.funds_fiscal),
         "其中：当年财政拨款", format_amount(filing.annual_appropriation)),
        ("", "", "上年结转资金", format_amount(filing.annual_carryover)),
        ("其他资金", format_amount(filing.funds_other),
         "其他资金", format_amount(filing.annual_other)),
    ]  # fmt: skip


# The rows of 预算情况 on an overall form: (printed label, path in the JSON format).
OVERALL_BUDGET_LABELS = (
    ("部门整体预算总额(元)", "budget.total"),
    ("1、资金来源：(1)财政拨款", "budget.fiscal"),
    ("(2)其他资金", "budget.other"),
    ("2、资金结构：(1)基本支出", "budget.basic"),
    ("(2)项目支出", "budget.project"),
)


def overall_budget_rows(filing):
    """The rows of 预算情况 on an overall form: (label, amount)."""
    amounts = (
        filing.budget_total,
        filing.budget_fiscal,
        filing.budget_other,
        filing.budget_basic,
        filing.budget_project,
    )
    return [
        (label, format_amount(amount))
        for (label, _path), amount in zip(OVERALL_BUDGET_LABELS, amounts, strict=True)
    ]


# The options of 项目类别 printed as tick boxes on the district layout.
DISTRICT_CATEGORIES = ("专项资金", "经常性项目", "一次性项目")


def category_tick_boxes(category):
    """``专项资金□ 经常性项目√ 一次性项目□`` as printed on the district layout."""
    options = list(DISTRICT_CATEGORIES)
    if category and category not in options:
        options.append(category)  # another district's option: print it rather than lose it
    return " ".join(f"{option}{'√' if option == category else '□'}" for option in options)
