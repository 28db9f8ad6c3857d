"""财政项目支出绩效目标申报表 of the published forms (forms.md section A)."""

import re

from filings.limits import YEARS
from filings.money import echo
from importers.cells import (
    is_vertical_fragment,
    join_long_text,
    label_key,
    label_pairs,
    norm,
    parse_date,
    split_code,
)
from importers.indicator_table import SECTION_LABELS, IndicatorSection
from importers.labels import (
    GOAL_ANNUAL,
    GOAL_BLOCKS,
    GOAL_OVERALL,
    PROJECT_HEADER,
    PROJECT_MONEY,
)
from importers.published_form import Form

_MONEY_UNIT = re.compile(r"项目资金\((?:单位:)?(万元|元)\)")
# The span printed after the label: (2023年-2025年), (2023年 -2025年), (2023—2025年).
_GOAL_SPAN = re.compile(r"\((\d{4})年?[-－—–~～至到](\d{4})年?\)")


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
        self.overall_label = ""  # 项目总目标 as this edition words it
        self.goal_lines = {}  # "overall" / "annual" -> line of its first text
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
            if not self.read_span_line(row):
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
                self.overall_label = _overall_goal_prefix(key)
                self.read_goal_span(row, key)
            elif key in GOAL_ANNUAL:
                self.goal_label_cols["annual"] = cell.col
            elif _GOAL_SPAN.fullmatch(key) and "overall" in self.goal_label_cols:
                self.read_goal_span(row, self.overall_label + key)
            elif key not in GOAL_BLOCKS:
                texts.append(cell)
        if texts:
            self.read_goal_text(row, texts)

    def read_span_line(self, row):
        """(2023年-2025年) on a line of its own, under 项目总目标: the span, not goal text."""
        cells = [cell for cell in row.cells if not _is_goal_block_piece(norm(cell.text))]
        if len(cells) != 1 or not _GOAL_SPAN.fullmatch(label_key(cells[0].text)):
            return False
        if "overall" not in self.goal_label_cols or any(self.goal_cells.values()):
            return False
        self.read_goal_span(row, self.overall_label + label_key(cells[0].text))
        return True

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
            self.add_goal_cells(row, next(iter(labels)), cells)
            return
        annual_col = labels.get("annual")
        if row.tabular and annual_col is not None and labels.get("overall") != annual_col:
            for cell in cells:
                side = "overall" if cell.col < annual_col else "annual"
                self.add_goal_cells(row, side, [cell])
            return
        # Labels in one column (each on its own line) or text without tabs: no
        # column tells which goal this is; the annual goal is what the form is about.
        self.add_goal_cells(row, "annual", cells)
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
                "overall_goal": self.goal_text("overall"),
                "annual_goal": self.goal_text("annual"),
                "warnings": self.sorted_warnings(),
                "line": self.line,
            }
        )
        return data

    def add_goal_cells(self, row, side, cells):
        self.goal_lines.setdefault(side, row.line)
        self.goal_cells[side].extend(cells)

    def goal_text(self, side):
        cells = self.goal_cells[side]
        text = join_long_text(cells)
        label = "项目总目标" if side == "overall" else "年度总体目标"
        self.warn_heading_words(self.goal_lines.get(side, self.line), label, text)
        return text


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
