"""Parser of published forms (text extracted from the PDFs the districts publish).

``parse_published`` turns one file into one dict per filing, in the project's
JSON format (see ``filings.serialization``). It is pure Python: no database,
no Django. The layouts are described in ``forms.md``; the parser keys on the
printed labels and on the columns of the cells, never on line numbers, so that
forms of other districts and years and other extraction tools read the same.

The printed labels and their aliases of other editions are data in
``labels.py``; an indicator table with more columns is read by its header row
(``columns.py``); a flat table of many projects by ``flat.py``.

Nothing is dropped silently: whatever cannot be placed becomes a warning with
code ``unplaced``, its line number and its text; every repair and every doubt
(a joined word, an inferred 一级, a row under a label it contradicts, a
missing money unit) is a warning with its line too.
"""

import re

from filings.importers import flat
from filings.importers.cells import (
    SECTION_LABELS,
    IndicatorSection,
    clean_name,
    is_vertical_fragment,
    is_wrapped,
    join_long_text,
    label_key,
    label_pairs,
    norm,
    parse_count,
    parse_date,
    read_rows,
    split_code,
    ticked_option,
)
from filings.importers.labels import (
    GOAL_ANNUAL,
    GOAL_BLOCKS,
    GOAL_OVERALL,
    OVERALL_HEADER,
    OVERALL_LONG_TEXT,
    PROJECT_HEADER,
    PROJECT_MONEY,
    TITLES,
)
from filings.limits import YEARS
from filings.money import AmountError, amount_str, check_amount, echo, parse_amount

_SUBTITLE_YEAR = re.compile(r"\(?(\d{4})年度?\)?")
_TITLE_YEAR = re.compile(r"(\d{4})年度")
_SUMMARY_YEAR = re.compile(r"(\d{4})年")
# "第 3 页", "第3页 共5页", "- 3 -", "— 3 —": page furniture, not form content.
_PAGE_MARKER = re.compile(r"第\d+页(/?共\d+页)?|[-—]+\d+[-—]+")

_MONEY_UNIT = re.compile(r"项目资金\((?:单位:)?(万元|元)\)")
# 金额单位：万元 or (单位：元) printed above the table, on a line or in a cell of its own.
_UNIT_LINE = re.compile(r"\(?(?:金额)?单位:(万元|元)\)?")
# The span printed after the label: (2023年-2025年), (2023年 -2025年), (2023—2025年).
_GOAL_SPAN = re.compile(r"\((\d{4})年?[-－—–~～至到](\d{4})年?\)")
TASKS_LABEL = "年度重点任务"
TASK_HEADER = {"任务名称", "主要内容(重点工作计划)", "主要内容"}
BUDGET_LABEL = "预算情况"
BUDGET_HEADER = {"内容", "预算情况"}
# Checked in this order against the row's label; the first that it contains wins.
BUDGET_ROWS = (
    ("预算总额", "total"),
    ("财政拨款", "fiscal"),
    ("其他资金", "other"),
    ("基本支出", "basic"),
    ("项目支出", "project"),
)
STAFF_LABELS = (
    ("年末资产总额", "assets_total"),
    ("年末在职人数", "staff"),
    ("内设机构数", "internal_bodies"),
)


class PublishedFormatError(ValueError):
    """The file holds no form at all."""

    def __init__(self, message, line):
        super().__init__(f"第 {line} 行：{message}")
        self.line = line


def parse_published(text, *, taxonomy, year=None, money_unit=None, source=""):
    """Read every filing in the text of one file of published forms.

    ``year``, when given, wins over the year printed on the forms (with a
    ``year_override`` warning where they differ); ``money_unit`` likewise for
    the money unit, and stands in where a form prints none. Returns one dict
    per filing; raises PublishedFormatError when the text holds no form.
    """
    rows = read_rows(text)
    readers = []  # forms and flat tables, in file order
    fallback_year = None
    unit_above = ""  # 金额单位 printed before the next form's title
    outside = []  # rows before the first form, reported on the next one
    for row in rows:
        form_name = _title_form(row)
        current = readers[-1] if readers else None
        if flat.is_header(row):
            # One table of many projects; a title just before it is the table's own.
            title = readers.pop() if isinstance(current, Form) and current.is_bare() else None
            table = flat.FlatTable(row, taxonomy, title=title, outside=outside)
            table.fallback_year = fallback_year
            table.money_unit = unit_above or (title.money_unit if title else "")
            unit_above, outside = "", []
            readers.append(table)
        elif form_name:
            parser = ProjectForm if form_name == "project" else OverallForm
            form = parser(form_name, row, taxonomy)
            form.fallback_year = fallback_year
            form.money_unit = unit_above
            for stray in outside:
                form.unplaced(stray, "不在任何申报表内")
            unit_above, outside = "", []
            readers.append(form)
        elif _unit_line(row):
            if current is None:
                unit_above = _unit_line(row)
            else:
                current.money_unit = _unit_line(row)
        elif _is_summary_title(row) or (current is None and _year_line(row)):
            # A collection's title: its year stands in for forms that print none.
            found = _SUMMARY_YEAR.search(norm(row.text))
            fallback_year = int(found[1]) if found else fallback_year
            if not _is_summary_title(row):
                outside.append(row)
        elif current is not None and _PAGE_MARKER.fullmatch(norm(row.text)):
            current.warn(row.line, "page_marker", f"页码「{row.text}」已略过")
        elif current is not None:
            current.read(row)
        else:
            outside.append(row)
    if not readers:
        where = f"{source}：" if source else ""
        line = rows[0].line if rows else 1
        raise PublishedFormatError(f"{where}没有找到绩效目标申报表的标题", line)
    filings = []
    for reader in readers:
        filings.extend(reader.finish_all(year, money_unit))
    return filings


def _unit_line(row):
    """万元 or 元 when the row is a money unit printed on its own (金额单位：万元)."""
    if len(row.cells) > 2:
        return ""
    for cell in row.cells:
        found = _UNIT_LINE.fullmatch(label_key(cell.text))
        if found and len(row.cells) <= 2:
            return found[1]
    return ""


def _year_line(row):
    """A short line naming a year (2026年 某区部门项目绩效目标表): a title, not content."""
    key = norm(row.text)
    return len(row.cells) == 1 and len(key) <= 40 and _SUMMARY_YEAR.search(key) is not None


def _title_form(row):
    if "表" not in row.cells[0].text:
        return None
    key = norm(row.cells[0].text)
    for title, form_name in TITLES:
        # A little room around the title for "(2023年度)" or a "附件1" in front.
        if title in key and len(key) <= len(title) + 12:
            return form_name
    return None


def _is_summary_title(row):
    key = norm(row.text)
    return len(row.cells) == 1 and "绩效目标" in key and key.endswith("汇总表")


class Form:
    """What all three forms share: year, warnings, the indicator section."""

    def __init__(self, form_name, title_row, taxonomy):
        self.form_name = form_name
        self.line = title_row.line
        self.title_text = norm(title_row.text)
        self.warnings = []
        self.fallback_year = None
        self.stated_year = None
        self.started = False  # set at the first row after the title and its subtitle
        self.mode = ""
        self.money_unit = ""
        self.amount_lines = {}  # amount as read -> its line, for the check against the unit
        self.indicators = IndicatorSection(taxonomy, self.warn)
        found = _TITLE_YEAR.search(norm(title_row.text))
        if found:
            self.stated_year = int(found[1])
        extras = [c for c in title_row.cells[1:] if not _SUBTITLE_YEAR.fullmatch(norm(c.text))]
        if extras:
            self.unplaced(title_row, "标题行", extras)

    def warn(self, line, code, message):
        self.warnings.append({"line": line, "code": code, "message": message})

    def is_bare(self):
        """Only the title has been read (a flat table's title looks like a form's)."""
        return not self.started and not self.warnings

    def finish_all(self, year, money_unit):
        return [self.finish(year, money_unit)]

    def unplaced(self, row, where="", cells=None):
        text = " | ".join(cell.text for cell in (cells or row.cells))
        prefix = f"{echo(where)}：" if where else ""
        self.warn(row.line, "unplaced", f"{prefix}无法识别的内容「{echo(text, 80)}」")

    def read(self, row):
        if not self.started:
            found = _SUBTITLE_YEAR.fullmatch(norm(row.text))
            if found:
                self.stated_year = self.stated_year or int(found[1])
                return
        self.started = True
        self.read_row(row)

    def resolve_year(self, year):
        stated = self.stated_year or self.fallback_year
        if stated is not None and stated not in YEARS:
            self.warn(self.line, "bad_year", f"表上年度「{stated}」不是合理的年度，未采用")
            stated = None
        if year is not None:
            if stated is not None and stated != year:
                message = f"表上年度为 {stated} 年，按指定的 {year} 年读取"
                self.warn(self.line, "year_override", message)
            return year
        if stated is None:
            self.warn(self.line, "year_missing", "表上没有找到年度")
        return stated

    def common(self, year):
        self.indicators.flush()
        return {
            "form": self.form_name,
            "year": self.resolve_year(year),
            "name": "",
            "annual_goal": "",
            "value_heading": self.indicators.value_heading,
            "indicators": self.indicators.rows,
        }

    def sorted_warnings(self):
        # Some warnings are only known rows later (a value that never came).
        return sorted(self.warnings, key=lambda warning: warning["line"])

    def read_name(self, row, label, text):
        """A short value (a name): a break the extractor put between CJK characters goes."""
        if is_wrapped(text):
            self.warn(
                row.line, "joined_wrapped_text", f"「{label}」中的换行已去掉：「{echo(text)}」"
            )
        return clean_name(text)

    def read_choice(self, row, label, value):
        """A value that may be printed as tick boxes (``全额√ 差额□``)."""
        ticked, boxed = ticked_option(value)
        if not boxed:
            return self.read_name(row, label, value)
        if len(ticked) != 1:
            self.warn(row.line, "choice_unclear", f"「{label}」勾选不明：「{value}」")
        return ticked[0] if ticked else ""

    def read_amount(self, row, label, cell):
        """An amount as printed; refused (None, with a warning) when outside the bound.

        Whether its decimal places suit the unit is checked at the end, when the
        unit is known (check_amounts).
        """
        if cell is None:
            return None
        try:
            amount = amount_str(parse_amount(cell.text))
        except AmountError as exc:
            self.warn(row.line, "bad_amount", f"「{label}」的金额无法识别：{exc}")
            return None
        if amount is not None:
            self.amount_lines[amount] = row.line
        return amount

    def resolve_money_unit(self, money_unit, has_amounts):
        """The unit of the amounts: printed, given (--money-unit), or 元 with a warning."""
        printed = self.money_unit
        if money_unit:
            if printed and printed != money_unit:
                message = f"表上金额单位为「{printed}」，按指定的「{money_unit}」读取"
                self.warn(self.line, "money_unit_override", message)
            return money_unit
        if not printed and has_amounts:
            message = "表上没有写金额单位，已按「元」读取；如为万元请用 --money-unit 万元 重新导入"
            self.warn(self.line, "money_unit_missing", message)
        return printed or "元"

    def check_amounts(self, groups, unit):
        """Refuse amounts finer than the unit allows (2 places in 元, 6 in 万元)."""
        for labels, amounts in groups:
            for field, amount in amounts.items():
                if amount is None:
                    continue
                try:
                    check_amount(parse_amount(amount), unit)
                except AmountError as exc:
                    label = labels.get(field, field)
                    line = self.amount_lines.get(amount, self.line)
                    self.warn(line, "bad_amount", f"「{label}」的金额未导入：{exc}")
                    amounts[field] = None

    def read_count(self, row, label, cell):
        if cell is None:
            return None
        count = parse_count(cell.text)
        if count is None:
            self.warn(row.line, "bad_number", f"「{label}」不是整数：「{cell.text}」")
        return count


class ProjectForm(Form):
    """财政项目支出绩效目标申报表 (forms.md section A)."""

    def __init__(self, form_name, title_row, taxonomy):
        super().__init__(form_name, title_row, taxonomy)
        self.header = dict.fromkeys(PROJECT_HEADER.values(), "")
        self.header["start"] = self.header["end"] = None
        self.has_nature = False
        self.money_unit = ""
        self.funds = dict.fromkeys([*PROJECT_MONEY.values(), "annual_other"])
        self.annual_col = None  # column of 年度资金申请总额: right of it is the annual side
        self.goal_span = (None, None)
        self.goal_label_cols = {}  # "overall" / "annual" -> column of its label
        self.goal_cells = {"overall": [], "annual": []}
        self.guessed_goal_column = False
        self.codes = {"department": "", "implementing_unit": ""}

    def read_row(self, row):
        keys = [label_key(cell.text) for cell in row.cells]
        if self.mode == "indicators":
            self.indicators.read(row)
        elif IndicatorSection.is_header(row):
            self.mode = "indicators"
            self.indicators.read(row)
        elif all(key in SECTION_LABELS for key in keys):
            self.mode = "indicators"
        elif any(key in PROJECT_HEADER for key in keys):
            self.read_header(row)
        elif any(_money_key(key) in PROJECT_MONEY or _MONEY_UNIT.fullmatch(key) for key in keys):
            self.read_money(row)
        elif any(_is_goal_label(key) for key in keys):
            self.mode = "goals"
            self.read_goal_labels(row)
        elif self.indicators.starts_here(row):
            # No header row printed (or lost): the level labels open the section.
            self.mode = "indicators"
            self.indicators.read(row)
        elif self.mode == "goals":
            self.read_goal_text(row, row.cells)
        else:
            self.unplaced(row)

    def read_header(self, row):
        pairs, leftovers = label_pairs(row.cells, lambda key: key in PROJECT_HEADER)
        for key, _label, cell in pairs:
            field = PROJECT_HEADER[key]
            value = cell.text if cell else ""
            if field == "nature":
                self.has_nature = True
            if field == "category":
                self.header[field] = self.read_choice(row, key, value)
            elif field in ("start", "end"):
                self.header[field] = self.read_date(row, key, value)
            elif field in ("department", "implementing_unit"):
                # 主管部门及代码: 123001-某某局; the code finds the organisation.
                name, code = split_code(self.read_name(row, key, value))
                self.header[field] = name
                self.codes[field] = code
            else:
                self.header[field] = self.read_name(row, key, value)
        if leftovers:
            self.unplaced(row, "表头", leftovers)

    def read_date(self, row, label, text):
        if not text.strip():
            return None
        date = parse_date(text)
        if date is None:
            self.warn(row.line, "bad_date", f"「{label}」的日期无法识别：「{text}」")
            return None
        return date.isoformat()

    def read_money(self, row):
        cells = []
        for cell in row.cells:
            unit = _MONEY_UNIT.fullmatch(label_key(cell.text))
            if unit:
                self.money_unit = unit[1]
            elif label_key(cell.text) != "项目资金":  # the vertical label, printed without unit
                cells.append(cell)
        pairs, leftovers = label_pairs(cells, lambda key: _money_key(key) in PROJECT_MONEY)
        for key, label, _value in pairs:
            if PROJECT_MONEY[_money_key(key)] == "annual_total":
                self.annual_col = label.col
        others = [label for key, label, _value in pairs if _money_key(key) == "其他资金"]
        for key, label, value in pairs:
            field = PROJECT_MONEY[_money_key(key)]
            if field == "other" and self.is_annual_other(label, others):
                field = "annual_other"
            self.funds[field] = self.read_amount(row, key, value)
        if leftovers:
            self.unplaced(row, "项目资金", leftovers)

    def is_annual_other(self, label, others):
        """Which side a 其他资金 label stands on: both sides print the same label."""
        if len(others) == 2:
            return label is others[1]
        if self.annual_col is not None:
            return label.col >= self.annual_col
        return False

    def read_goal_labels(self, row):
        texts = []
        for cell in row.cells:
            key = label_key(cell.text)
            if _is_overall_goal_label(key):
                self.goal_label_cols["overall"] = cell.col
                self.read_goal_span(row, key)
            elif key in GOAL_ANNUAL:
                self.goal_label_cols["annual"] = cell.col
            elif key not in GOAL_BLOCKS:
                texts.append(cell)
        if texts:
            self.read_goal_text(row, texts)

    def read_goal_span(self, row, key):
        label = _overall_goal_prefix(key)
        span = key.removeprefix(label)
        if not span:
            return
        found = _GOAL_SPAN.fullmatch(span)
        start, end = (int(found[1]), int(found[2])) if found else (None, None)
        if found and start in YEARS and end in YEARS and start <= end:
            self.goal_span = (start, end)
        else:
            message = f"「{label}」的起止年度无法识别：「{echo(span)}」"
            self.warn(row.line, "bad_goal_span", message)

    def read_goal_text(self, row, cells):
        """Goal texts go by column: left of the 年度总体目标 label is the overall goal."""
        cells = [cell for cell in cells if not _is_goal_block_piece(norm(cell.text))]
        if not cells:
            return
        labels = self.goal_label_cols
        if len(labels) == 1:
            self.goal_cells[next(iter(labels))].extend(cells)
            return
        annual_col = labels.get("annual")
        if row.tabular and annual_col is not None and labels.get("overall") != annual_col:
            for cell in cells:
                side = "overall" if cell.col < annual_col else "annual"
                self.goal_cells[side].append(cell)
            return
        # Labels in one column (each on its own line) or text without tabs: no
        # column tells which goal this is; the annual goal is what the form is about.
        self.goal_cells["annual"].extend(cells)
        if not self.guessed_goal_column:
            self.guessed_goal_column = True
            self.warn(
                row.line,
                "goal_column_guessed",
                "项目总目标与年度总体目标的文字没有分栏，已全部作为年度总体目标读取",
            )

    def finish(self, year, money_unit=None):
        data = self.common(year)
        has_amounts = any(amount is not None for amount in self.funds.values())
        unit = self.resolve_money_unit(money_unit, has_amounts)
        self.check_amounts([(_FUND_LABELS, self.funds)], unit)
        data.update(
            {
                "variant": "city" if self.has_nature else "district",
                "name": self.header["name"],
                "nature": self.header["nature"],
                "category": self.header["category"],
                "department": self.header["department"],
                "implementing_unit": self.header["implementing_unit"],
                "start": self.header["start"],
                "end": self.header["end"],
                "goal_start_year": self.goal_span[0],
                "goal_end_year": self.goal_span[1],
                "money_unit": unit,
                "funds": self.funds,
                "department_code": self.codes["department"],
                "implementing_unit_code": self.codes["implementing_unit"],
                "overall_goal": join_long_text(self.goal_cells["overall"]),
                "annual_goal": join_long_text(self.goal_cells["annual"]),
                "warnings": self.sorted_warnings(),
                "line": self.line,
            }
        )
        return data


# Labels of the amounts, for the warnings: field -> label as the form prints it.
_FUND_LABELS = {field: label for label, field in reversed(PROJECT_MONEY.items())}
_FUND_LABELS["annual_other"] = "其他资金"


def _money_key(key):
    return key.removeprefix("其中:")


def _overall_goal_prefix(key):
    """The label 项目总目标 (or an alias) that ``key`` opens with, longest first."""
    for label in sorted(GOAL_OVERALL, key=len, reverse=True):
        if key.startswith(label):
            return label
    return ""


def _is_overall_goal_label(key):
    # Short, so that a goal text opening with the words 项目总目标 stays text.
    label = _overall_goal_prefix(key)
    return bool(label) and len(key) <= len(label) + 16 and (key == label or key[len(label)] == "(")


def _is_goal_label(key):
    return key in GOAL_ANNUAL or key in GOAL_BLOCKS or _is_overall_goal_label(key)


def _is_goal_block_piece(key):
    # The vertical label 项目绩效目标, whole or one piece per line (项目 / 绩效 / 目标).
    return key in GOAL_BLOCKS or is_vertical_fragment(key)


class OverallForm(Form):
    """单位整体 / 部门（单位）整体支出绩效目标申报表 (forms.md sections B and C)."""

    def __init__(self, form_name, title_row, taxonomy):
        super().__init__(form_name, title_row, taxonomy)
        self.header = {"name": "", "funding_mode": "", "subordinate_units": None}
        self.long_texts = {"duties": [], "annual_goal": []}
        self.long_field = ""
        self.tasks = []
        self.task_name_col = None
        self.budget = dict.fromkeys(field for _label, field in BUDGET_ROWS)
        self.staff = {"assets_total": None, "staff": None, "internal_bodies": None}
        self.staff_cols = {}  # column -> staff field, from the staff header row
        self.code = ""  # 单位编码, printed in a box of its own or before the name
        self.budget_unit = ""  # 元 or 万元 from a label such as 部门整体预算总额(万元)

    def read_row(self, row):
        keys = [label_key(cell.text) for cell in row.cells]
        first = keys[0]
        if self.mode == "indicators":
            self.indicators.read(row)
        elif IndicatorSection.is_header(row) or first in SECTION_LABELS:
            self.mode = "indicators"
            self.indicators.read(row)
        elif any(key in OVERALL_HEADER for key in keys):
            self.read_header(row)
        elif first in OVERALL_LONG_TEXT:
            self.mode = "long_text"
            self.long_field = OVERALL_LONG_TEXT[first]
            self.long_texts[self.long_field].extend(row.cells[1:])
        elif first == TASKS_LABEL:
            self.start_block(row, "tasks")
        elif first == BUDGET_LABEL:
            self.start_block(row, "budget")
        elif any(_staff_field(key) for key in keys):
            self.read_staff_header(row)
        elif self.mode == "long_text":
            self.long_texts[self.long_field].extend(row.cells)
        elif self.mode == "tasks":
            self.read_task(row, keys)
        elif self.mode == "budget":
            self.read_budget(row, keys)
        elif self.mode == "staff":
            self.read_staff_values(row)
        elif self.indicators.starts_here(row):
            self.mode = "indicators"
            self.indicators.read(row)
        else:
            self.unplaced(row)

    def start_block(self, row, mode):
        self.mode = mode
        if len(row.cells) > 1:
            self.unplaced(row, row.cells[0].text, row.cells[1:])

    def read_header(self, row):
        pairs, leftovers = label_pairs(row.cells, lambda key: key in OVERALL_HEADER)
        for key, _label, cell in pairs:
            field = OVERALL_HEADER[key]
            text = cell.text if cell else ""
            if field == "subordinate_units":
                self.header[field] = self.read_count(row, key, cell)
            elif field == "funding_mode":
                self.header[field] = self.read_choice(row, key, text)
            elif field == "code":
                self.code = clean_name(text)
            else:
                name, code = split_code(self.read_name(row, key, text))
                self.header[field] = name
                self.code = self.code or code
        if leftovers:
            self.unplaced(row, "表头", leftovers)
        self.mode = ""

    def read_task(self, row, keys):
        if all(key in TASK_HEADER for key in keys):
            return
        first = row.cells[0]
        # A lone cell right of the name column is the previous task's content
        # carried over a page break.
        if len(row.cells) == 1 and self.tasks and first.col > self.task_name_col:
            self.tasks[-1]["cells"].append(first)
            return
        if self.task_name_col is None:
            self.task_name_col = first.col
        self.tasks.append({"name": clean_name(first.text), "cells": list(row.cells[1:])})

    def read_budget(self, row, keys):
        if all(key in BUDGET_HEADER for key in keys):
            return
        field = next((field for label, field in BUDGET_ROWS if label in keys[0]), None)
        if field is None:
            self.unplaced(row, "预算情况")
            return
        unit = re.search(r"\((万元|元)\)", keys[0])
        if unit:
            self.budget_unit = unit[1]
        cells = row.cells[1:]
        self.budget[field] = self.read_amount(row, row.cells[0].text, cells[0] if cells else None)
        if len(cells) > 1:
            self.unplaced(row, "预算情况", cells[1:])

    def read_staff_header(self, row):
        pairs, leftovers = label_pairs(row.cells, _staff_field)
        if leftovers:
            self.unplaced(row, "人员与机构", leftovers)
        if any(value for _key, _label, value in pairs):
            # Printed as label · value pairs on one row.
            for key, _label, value in pairs:
                self.set_staff(row, key, value)
            return
        self.staff_cols = {label.col: key for key, label, _value in pairs}
        self.mode = "staff"

    def read_staff_values(self, row):
        """The row under the staff header: each value sits under its label."""
        self.mode = ""
        strays = []
        for cell in row.cells:
            if cell.col in self.staff_cols:
                self.set_staff(row, self.staff_cols[cell.col], cell)
            else:
                strays.append(cell)
        if strays:
            self.unplaced(row, "人员与机构", strays)

    def set_staff(self, row, key, cell):
        field = _staff_field(key)
        if field == "assets_total":
            self.staff[field] = self.read_amount(row, key, cell)
        else:
            self.staff[field] = self.read_count(row, key, cell)

    def finish(self, year, money_unit=None):
        data = self.common(year)
        # The overall forms print their unit in the labels: 部门整体预算总额(元).
        self.money_unit = self.money_unit or self.budget_unit
        amounts = {**self.budget, "assets_total": self.staff["assets_total"]}
        unit = self.resolve_money_unit(money_unit, has_amounts=False)
        self.check_amounts([(_OVERALL_AMOUNT_LABELS, amounts)], unit)
        self.staff["assets_total"] = amounts.pop("assets_total")
        self.budget.update(amounts)
        data.update(
            {
                "money_unit": unit,
                "code": self.code,
                "name": self.header["name"],
                "annual_goal": join_long_text(self.long_texts["annual_goal"]),
                "funding_mode": self.header["funding_mode"],
                "duties": join_long_text(self.long_texts["duties"]),
                "tasks": [
                    {"name": task["name"], "content": join_long_text(task["cells"])}
                    for task in self.tasks
                ],
                "budget": self.budget,
                "staff": self.staff["staff"],
                "internal_bodies": self.staff["internal_bodies"],
                "assets_total": self.staff["assets_total"],
                "subordinate_units": self.header["subordinate_units"],
                "input_note": self.indicators.input_note,
                "warnings": self.sorted_warnings(),
                "line": self.line,
            }
        )
        return data


_OVERALL_AMOUNT_LABELS = {
    "total": "部门整体预算总额",
    "fiscal": "资金来源：财政拨款",
    "other": "资金来源：其他资金",
    "basic": "资金结构：基本支出",
    "project": "资金结构：项目支出",
    "assets_total": "年末资产总额",
}


def _staff_field(key):
    for prefix, field in STAFF_LABELS:
        if key.startswith(prefix):
            return field
    return None
