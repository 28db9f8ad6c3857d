"""单位整体 / 部门（单位）整体支出绩效目标申报表 of the published forms (forms.md B, C)."""

import re
from dataclasses import replace

from importers.cells import clean_name, join_long_text, label_key, label_pairs, split_code
from importers.indicator_table import SECTION_LABELS, IndicatorSection
from importers.labels import OVERALL_HEADER, OVERALL_LONG_TEXT
from importers.published_form import Form

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
        """The block's vertical label; beside it (a PDF's or a workbook's merged cell)
        the block's first row, read as the block's own."""
        self.mode = mode
        rest = replace(row, cells=row.cells[1:])
        if not rest.cells:
            return
        keys = [label_key(cell.text) for cell in rest.cells]
        if mode == "tasks":
            self.read_task(rest, keys)
        else:
            self.read_budget(rest, keys)

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
        annual_goal = join_long_text(self.long_texts["annual_goal"])
        self.warn_heading_words(self.line, "年度履职目标", annual_goal)
        data.update(
            {
                "money_unit": unit,
                "code": self.code,
                "name": self.header["name"],
                "annual_goal": annual_goal,
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
