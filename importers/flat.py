"""Flat tables: all of a department's projects in one table, one row per indicator.

Some provinces publish 项目名称 · 预算数 · 年度目标 · 一级 · 二级 · 三级 ·
指标性质 · 指标值 · 度量单位 · 权重 · 指标方向性 as one table. The project cells
are merged over the project's rows and printed on its first row only, so the
rows below come shorter and shifted left; unit names may carry their code
(``510001-某某街道办事处``); a subtotal row closes each department. Each project
becomes one project filing, its value assembled from the three value columns.
"""

import re

from filings.limits import YEARS
from filings.money import AmountError, amount_str, check_amount, echo, parse_amount
from importers.cells import clean_name, join_long_text, label_key, norm, split_code
from importers.columns import ColumnMap, assemble_value, column_role
from importers.indicator_table import placement_doubts
from importers.labels import (
    FLAT_COLUMNS,
    INDICATOR_COLUMNS,
    LEVEL1_MISREADINGS,
    NATURE_OPERATORS,
    SUBTOTAL_WORDS,
)
from importers.row_extras import edition_of, read_extras
from indicators.values import clean_value

# The project's own columns win over the indicator table's (年度目标 is a goal here).
FLAT_TABLE = {**INDICATOR_COLUMNS, **FLAT_COLUMNS}
PROJECT_ROLES = ("project", "budget", "goal", "unit_name", "department")
_HEADING_UNIT = re.compile(r"\((万元|元)\)")
_YEAR = re.compile(r"(\d{4})年")


def _roles(row):
    return {column_role(label_key(cell.text), FLAT_TABLE) for cell in row.cells}


def is_header(row):
    """The header row of a flat table: project and indicator columns side by side."""
    if len(row.cells) < 4 or "项目名称" not in row.text.replace(" ", ""):
        return False
    roles = _roles(row)
    return "project" in roles and "name" in roles and bool(roles & {"level1", "level2"})


class FlatTable:
    """Reads the rows under a flat table's header into one filing per project."""

    def __init__(self, header, taxonomy, title=None, outside=()):
        self.taxonomy = taxonomy
        self.columns = ColumnMap.from_header(header.cells, header.width, FLAT_TABLE, label_key)
        self.width = header.width
        self.line = title.line if title is not None else header.line
        self.stated_year = title.stated_year if title is not None else None
        texts = [norm(row.text) for row in outside]
        if title is not None:
            texts.append(title.title_text)
        for text in texts:
            found = _YEAR.search(text)
            if found and self.stated_year is None:
                self.stated_year = int(found[1])
        self.fallback_year = None
        self.money_unit = ""
        budget_heading = self.columns.heading_of("budget")
        unit = _HEADING_UNIT.search(label_key(budget_heading))
        if unit:
            self.money_unit = unit[1]
        self.projects = []
        self.pending = []  # warnings before the first project
        self.unit = ("", "")
        self.department = ("", "")
        unknown = [cell for cell in header.cells if cell.col not in self.columns.columns]
        if unknown:
            texts = "、".join(f"「{echo(cell.text)}」" for cell in unknown)
            self.warn(header.line, "unknown_column", f"表的栏目{texts}无法识别，其内容不导入")

    # -- warnings -----------------------------------------------------------------------

    def warn(self, line, code, message):
        warning = {"line": line, "code": code, "message": message}
        (self.projects[-1]["warnings"] if self.projects else self.pending).append(warning)

    # -- rows ---------------------------------------------------------------------------

    def read(self, row):
        keys = [norm(cell.text) for cell in row.cells]
        if any(key in SUBTOTAL_WORDS or key.endswith(SUBTOTAL_WORDS) for key in keys[:3]):
            text = echo(" | ".join(cell.text for cell in row.cells), 80)
            self.warn(row.line, "subtotal", f"小计行「{text}」已略过（合计不是一个项目）")
            return
        if is_header(row):
            self.warn(row.line, "page_header", "表头在分页处重复，已略过")
            return
        roles = self.align(row)
        text = {role: " ".join(cell.text for cell in cells) for role, cells in roles.items()}
        if text.get("department"):
            self.department = split_code(text["department"])
        if text.get("unit_name"):
            self.unit = split_code(text["unit_name"])
        if text.get("project"):
            self.start_project(row, clean_name(text["project"]))
        if not self.projects:
            self.warn(row.line, "unplaced", f"项目名称之前的内容「{echo(row.text, 80)}」")
            return
        project = self.projects[-1]
        if text.get("budget"):
            project["budget_line"] = row.line
            project["budget_text"] = text["budget"]
        if text.get("goal"):
            project["goal_cells"].extend(roles["goal"])
        if text.get("name") or text.get("value"):
            self.add_indicator(row, project, roles, text)
        elif text.get("level1") or text.get("level2"):
            self.set_levels(row, project, text.get("level1", ""), text.get("level2", ""))

    def align(self, row):
        """Cells by role; rows below a project's first are shorter: shift them right."""
        columns = self.columns.columns
        width_shift = max(self.width - row.width, 0)
        level1_col = self.columns.col_of("level1")
        level2_col = self.columns.col_of("level2")
        nature_col = self.columns.col_of("nature")

        def score(shift):
            placed = {cell.col + shift: norm(cell.text) for cell in row.cells}
            hits = sum(col in columns for col in placed)
            level1 = placed.get(level1_col, "")
            level2 = placed.get(level2_col, "")
            nature = placed.get(nature_col, "")
            fits = 3 * bool(self.taxonomy.is_level1(level1) or level1 in LEVEL1_MISREADINGS)
            fits += 3 * self.taxonomy.is_level2(level2)
            fits += 2 * (nature in NATURE_OPERATORS)
            return (fits + hits, shift == width_shift)

        shift = max(range(0, len(PROJECT_ROLES) + 1), key=score)
        found = {}
        for cell in row.cells:
            role = columns.get(cell.col + shift)
            if role is None:
                self.warn(row.line, "unplaced", f"不在任何栏目下的内容「{echo(cell.text)}」")
            else:
                found.setdefault(role, []).append(cell)
        return found

    def start_project(self, row, name):
        if self.projects and self.projects[-1]["name"] == name:
            return  # the project's name printed again after a page break
        self.projects.append(
            {
                "name": name,
                "line": row.line,
                "department": self.department,
                "unit": self.unit,
                "budget_text": "",
                "budget_line": None,
                "goal_cells": [],
                "indicators": [],
                "warnings": self.pending,
                "level1": None,
                "level2": None,
            }
        )
        self.pending = []

    def set_levels(self, row, project, level1, level2):
        """The levels of a row: printed, inferred from the 二级, or inherited from above."""
        taxonomy = self.taxonomy
        level1, level2 = norm(level1), norm(level2)
        if level1 in LEVEL1_MISREADINGS:
            fixed = LEVEL1_MISREADINGS[level1]
            self.warn(
                row.line, "level1_noise", f"一级指标「{level1}」疑为识别错误，按「{fixed}」读取"
            )
            level1 = fixed
        if level2 and not taxonomy.is_level2(level2):
            self.warn(row.line, "level2_noise", f"二级指标「{echo(level2)}」不在指标体系中")
            level2 = ""
        if level2:
            parents = taxonomy.parents_of(level2)
            if level1 and level1 not in parents:
                reason = "不在指标体系中" if not taxonomy.is_level1(level1) else "与二级指标不符"
                self.warn(
                    row.line,
                    "level1_noise" if not taxonomy.is_level1(level1) else "level_mismatch",
                    f"一级指标「{echo(level1)}」{reason}，按二级指标「{level2}」读作「{parents[0]}」",
                )
                level1 = parents[0]
            elif not level1:
                level1 = project["level1"] if project["level1"] in parents else parents[0]
            project["level1"], project["level2"] = level1, level2
        elif level1:
            if not taxonomy.is_level1(level1):
                self.warn(row.line, "level1_noise", f"一级指标「{echo(level1)}」不在指标体系中")
            elif level1 != project["level1"]:
                project["level1"], project["level2"] = level1, None

    def add_indicator(self, row, project, roles, text):
        self.set_levels(row, project, text.get("level1", ""), text.get("level2", ""))
        name = clean_name(text.get("name", ""))
        if project["level2"] is None:
            self.warn(row.line, "unplaced", f"缺少二级指标，无法归位：「{echo(name)}」")
            return
        value, doubt = assemble_value(
            text.get("nature", ""), text.get("value", ""), text.get("unit", "")
        )
        if doubt:
            self.warn(row.line, "value_nature", doubt)
        indicator = {
            "level1": project["level1"],
            "level2": project["level2"],
            "name": name,
            "value": clean_value(value),
            "explanation": clean_name(text.get("explanation", "")),
            "basis": "",
        }
        project["indicators"].append(indicator)
        if not indicator["value"]:
            self.warn(row.line, "value_missing", f"三级指标「{echo(name)}」没有指标值")
        for code, message in placement_doubts(indicator):
            self.warn(row.line, code, message)
        heading_of = self.columns.heading_of
        for heading, cell_text, why in read_extras(indicator, text, heading_of):
            message = f"三级指标「{echo(name)}」的「{heading}」：{cell_text}（{why}，未读入）"
            self.warn(row.line, "extra_column", message)
        for cell in roles.get("extra", []):
            heading = self.columns.headings.get(self._col_of_cell(row, cell), "extra")
            message = f"三级指标「{echo(name)}」的「{heading}」：{echo(cell.text, 200)}"
            self.warn(row.line, "extra_column", message)

    def _col_of_cell(self, row, cell):
        width_shift = max(self.width - row.width, 0)
        for shift in (width_shift, *range(0, len(PROJECT_ROLES) + 1)):
            if self.columns.columns.get(cell.col + shift) == "extra":
                return cell.col + shift
        return None

    # -- the filings --------------------------------------------------------------------

    def finish_all(self, year, money_unit):
        if not self.projects:
            return []
        stated = self.stated_year or self.fallback_year
        first = self.projects[0]["warnings"]
        if stated is not None and stated not in YEARS:
            first.append(_warning(self.line, "bad_year", f"表上年度「{stated}」不是合理的年度"))
            stated = None
        if year is not None and stated is not None and stated != year:
            message = f"表上年度为 {stated} 年，按指定的 {year} 年读取"
            first.append(_warning(self.line, "year_override", message))
        resolved_year = year if year is not None else stated
        if resolved_year is None:
            first.append(_warning(self.line, "year_missing", "表上没有找到年度"))
        unit = money_unit or self.money_unit
        if money_unit and self.money_unit and money_unit != self.money_unit:
            message = f"表上金额单位为「{self.money_unit}」，按指定的「{money_unit}」读取"
            first.append(_warning(self.line, "money_unit_override", message))
        has_amounts = any(project["budget_text"] for project in self.projects)
        if not unit and has_amounts:
            message = "表上没有写金额单位，已按「元」读取；如为万元请用 --money-unit 万元 重新导入"
            first.append(_warning(self.line, "money_unit_missing", message))
        return [self.filing(project, resolved_year, unit or "元") for project in self.projects]

    def filing(self, project, year, unit):
        warnings = project["warnings"]
        budget = None
        if project["budget_text"]:
            try:
                amount = parse_amount(project["budget_text"])
                check_amount(amount, unit)
                budget = amount_str(amount)
            except AmountError as exc:
                message = f"「{self.columns.heading_of('budget')}」的金额未导入：{exc}"
                warnings.append(_warning(project["budget_line"], "bad_amount", message))
        department, department_code = project["department"]
        unit_name, unit_code = project["unit"]
        return {
            "form": "project",
            "year": year,
            "name": project["name"],
            "variant": "",
            "nature": "",
            "category": "",
            "department": department,
            "implementing_unit": unit_name,
            "department_code": department_code,
            "implementing_unit_code": unit_code,
            "start": None,
            "end": None,
            "goal_start_year": None,
            "goal_end_year": None,
            "money_unit": unit,
            "funds": {
                "total": None,
                "fiscal": None,
                "other": None,
                "annual_total": budget,
                "appropriation": None,
                "carryover": None,
                "annual_other": None,
            },
            "overall_goal": "",
            "annual_goal": join_long_text(project["goal_cells"]),
            "value_heading": self.columns.heading_of("value"),
            "indicators": project["indicators"],
            **edition_of(project["indicators"]),
            "warnings": sorted(warnings, key=lambda warning: warning["line"]),
            "line": project["line"],
        }


def _warning(line, code, message):
    return {"line": line, "code": code, "message": message}
