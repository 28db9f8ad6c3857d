"""Loading a bureau's 项目库 for a year: the file's lines checked, matched and saved at once.

``load(bureau, year, upload, user)`` reads the file (``projects.reading``),
finds the header row by its Chinese column names (the usual variants of
一体化 exports: 项目编码/项目代码, 单位名称/预算单位, 项目资金总额/项目总金额,
年度预算/当年预算 …), checks every line and refuses the whole file when any line
is wrong, each problem naming its line and column
(「第 37 行「项目资金总额」列：“12,3a” 不是金额」). A good file is saved in one
transaction: projects are found by their code, so loading the year's re-export
again updates them; a project the new file no longer holds is removed unless a
filing started from it (it then stays, marked as not in the latest load).

Organisations are matched in the bureau's tree: by 单位编码 when the file has
it and one organisation of the bureau has that code; else by name when one
organisation of the bureau has it, or one under the 主管部门 the line names.
A line whose organisation is not found is loaded all the same with no
organisation: the page lists it as 未匹配 and no filer sees it until a later load
(after the organisation is added) matches it.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from accounts.models import Organisation
from filings import cleaning, limits
from filings.models import Filing
from filings.money import AmountError, echo, parse_amount
from perfgoals.folding import fold_width
from projects.models import CODE_LENGTH, LibraryLoad, Project
from projects.reading import ReadProblem, read_upload

# Each column the loader reads, and the headings exports give it (compared without
# spaces and without a unit in brackets: 项目资金总额（万元） is 项目资金总额).
COLUMNS = {
    "code": ("项目编码", "项目代码", "项目编号"),
    "name": ("项目名称",),
    "organisation_name": ("单位名称", "预算单位", "预算单位名称", "项目单位", "申报单位"),
    "organisation_code": ("单位编码", "单位代码", "预算单位编码", "预算单位代码"),
    "department": ("主管部门", "主管部门名称"),
    "year": ("年度", "预算年度"),
    "funds_total": ("项目资金总额", "项目总金额", "项目总额", "项目总预算", "项目总投资"),
    "annual_total": ("年度预算", "当年预算", "年度资金", "年度资金总额", "年度资金申请总额"),
    "annual_appropriation": ("当年财政拨款", "财政拨款", "年度财政拨款", "其中：当年财政拨款"),
    "ex_ante_evaluation": ("是否开展事前绩效评估", "是否事前绩效评估", "是否开展事前评估"),
    "ex_ante_conclusion": ("事前绩效评估结论", "事前评估结论", "评估结论"),
}
MONEY = ("funds_total", "annual_total", "annual_appropriation")
_BY_HEADING = {heading: key for key, headings in COLUMNS.items() for heading in headings}
_UNIT = re.compile(r"[（(]\s*(万元|元)\s*[)）]")
_UNIT_NOTE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元)")
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
# The header is within the first lines: a title and a unit note may come first.
HEADER_WITHIN = 10
# The problems a refusal lists: enough to fix a column, not a page of thousands.
MAX_PROBLEMS = 20
YES = {"是", "已开展", "已评估", "开展", "y", "yes", "1", "√", "true"}
NO = {"否", "未开展", "未评估", "不开展", "n", "no", "0", "false"}


class LoadRefused(Exception):
    """Nothing was loaded; ``problems`` are Chinese messages naming lines and columns."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


@dataclass
class Header:
    number: int
    columns: dict  # key -> column index (0-based)
    labels: dict  # key -> the heading as the file writes it
    unit: str


@dataclass
class Line:
    number: int
    values: dict = field(default_factory=dict)


def _heading_key(text):
    """The column key of a heading cell, and the unit it names ("" if none)."""
    if not isinstance(text, str):
        return None, ""
    folded = fold_width(text).replace(" ", "").replace("\n", "").replace("　", "")
    unit = _UNIT.search(folded)
    bare = _UNIT.sub("", folded).replace("*", "")
    return _BY_HEADING.get(bare), unit.group(1) if unit else ""


def find_header(table):
    """The header row: the first line (within HEADER_WITHIN) naming a project code column."""
    note_unit = ""
    for number, cells in table.lines[:HEADER_WITHIN]:
        keys = [_heading_key(cell) for cell in cells]
        if not any(key == "code" for key, _unit in keys):
            for cell in cells:
                match = _UNIT_NOTE.search(fold_width(str(cell or "")))
                note_unit = match.group(1) if match else note_unit
            continue
        return _header(number, cells, keys, note_unit)
    raise LoadRefused(
        [
            "没有找到表头：前几行中应有「项目编码」（或「项目代码」）、「项目名称」、"
            "「单位名称」（或「预算单位」）和金额列。"
        ]
    )


def _header(number, cells, keys, note_unit):
    columns, labels, units, problems = {}, {}, set(), []
    repeated = set()
    for index, (key, unit) in enumerate(keys):
        if key is None:
            continue
        if key in columns:
            # Once per column: a header of a thousand 项目编码 is one problem, not a page of them.
            if key in repeated:
                continue
            repeated.add(key)
            problems.append(
                f"第 {number} 行：「{labels[key]}」和「{echo(cells[index])}」是同一列，"
                "请删去其中一列。"
            )
            continue
        columns[key], labels[key] = index, echo(str(cells[index]).strip())
        if key in MONEY and unit:
            units.add(unit)
    missing = [COLUMNS[key][0] for key in ("code", "name") if key not in columns]
    if "organisation_name" not in columns and "organisation_code" not in columns:
        missing.append("单位名称")
    if not any(key in columns for key in MONEY):
        missing.append("项目资金总额或年度预算")
    if missing:
        problems.append(f"第 {number} 行（表头）缺少这些列：{'、'.join(missing)}。")
    if len(units) > 1:
        shown = "、".join(sorted(units))
        problems.append(f"第 {number} 行（表头）：金额列的单位不一致（{shown}）。")
    if problems:
        raise LoadRefused(problems)
    return Header(number, columns, labels, units.pop() if units else note_unit or "元")


def _text(value):
    """A cell as text: numbers as Excel shows them (a code read as 1.0E20 is refused later)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return fold_width(str(value)).strip() if isinstance(value, int | float) else str(value).strip()


def _amount(value, unit):
    """The Decimal of an amount cell (text, int or a float Excel stored), or AmountError."""
    if isinstance(value, float):
        # Excel keeps a double: its shortest text is what the cell shows.
        value = repr(value)
        if "e" in value.lower():
            raise AmountError(f"「{value}」不是有效的金额")
    return parse_amount(value, unit)


class _LineReader:
    """Reads one line's cells into values, noting each problem with its line and column."""

    def __init__(self, header, year):
        self.header = header
        self.year = year
        self.problems = []

    def problem(self, number, key, value, reason):
        label = self.header.labels.get(key, COLUMNS[key][0])
        shown = f"“{echo(value)}” " if value not in (None, "") else ""
        self.problems.append(f"第 {number} 行「{label}」列：{shown}{reason}")

    def cell(self, cells, key):
        index = self.header.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def read(self, number, cells):
        line = Line(number)
        values = line.values
        # A cell refused for what it holds is not also reported empty.
        refused = set()
        for key in ("code", "name", "organisation_name", "organisation_code", "department"):
            values[key] = self._text_cell(number, cells, key, refused)
        raw = self.cell(cells, "code")
        if isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw) >= 1e15:
            # Excel keeps 15 digits of a number: a 21-character code stored so is lost.
            self.problem(
                number,
                "code",
                values["code"],
                "被 Excel 存成了数字，后几位已丢失：请把该列设为文本后重新导出",
            )
        elif "code" not in refused:
            self._check_code(number, values["code"])
        if not values["name"] and "name" not in refused:
            self.problem(number, "name", "", "为空，请填写项目名称")
        organisation = ("organisation_name", "organisation_code")
        if not any(values[key] for key in organisation) and not refused.intersection(organisation):
            self.problem(number, "organisation_name", "", "为空，请填写项目所属的预算单位")
        year = self._text_cell(number, cells, "year", refused)
        if year and year.removesuffix("年") != str(self.year):
            self.problem(number, "year", year, f"不是所选的 {self.year} 年度")
        for key in MONEY:
            value = self.cell(cells, key)
            try:
                values[key] = _amount(value, self.header.unit)
            except AmountError as exc:
                reason = "不是金额" if exc.code == "invalid" else str(exc).split("」", 1)[-1]
                self.problem(number, key, value, reason)
        values["ex_ante_evaluation"] = self._yes_no(number, cells)
        values["ex_ante_conclusion"] = self._text_cell(number, cells, "ex_ante_conclusion", refused)
        return line

    def _text_cell(self, number, cells, key, refused):
        value = _text(self.cell(cells, key))
        limit = {"code": CODE_LENGTH, "name": 200, "organisation_code": 30}.get(key, 100)
        problem = cleaning.text_problem(value, max_length=limit)
        if problem:
            self.problem(number, key, value, problem)
            refused.add(key)
            return ""
        return value

    def _check_code(self, number, code):
        if not code:
            self.problem(number, "code", "", "为空，每个项目都应有项目编码")
        elif not _CODE.fullmatch(code):
            self.problem(number, "code", code, "只能由字母、数字和 . _ - 组成")

    def _yes_no(self, number, cells):
        text = _text(self.cell(cells, "ex_ante_evaluation"))
        if not text:
            return ""
        if text.lower() in YES:
            return Project.ExAnte.DONE
        if text.lower() in NO:
            return Project.ExAnte.NOT_DONE
        self.problem(number, "ex_ante_evaluation", text, "应为“是”或“否”")
        return ""


def parse(table, year):
    """The header and the project lines of ``table`` for ``year``, or LoadRefused."""
    header = find_header(table)
    reader = _LineReader(header, year)
    lines, seen = [], {}
    for number, cells in table.lines:
        if number <= header.number:
            continue
        first = _text(cells[0]) if cells else ""
        if first in ("合计", "总计") and not _text(reader.cell(cells, "code")).strip("合计总 "):
            continue  # the total line some exports end with
        line = reader.read(number, cells)
        code = line.values["code"]
        if code in seen:
            reader.problem(number, "code", code, f"与第 {seen[code]} 行重复")
        elif code:
            seen[code] = number
        lines.append(line)
        if len(reader.problems) >= MAX_PROBLEMS:
            reader.problems.append(f"问题过多，只列出前 {MAX_PROBLEMS} 条；请修正后重新上传。")
            break
    if not lines and not reader.problems:
        reader.problems.append("表头下面没有项目。")
    if len(lines) > limits.MAX_LIBRARY_LINES:
        reader.problems.append(f"项目超过 {limits.MAX_LIBRARY_LINES} 个，请按财政局分别导出。")
    if reader.problems:
        raise LoadRefused(reader.problems)
    return header, lines


# --- Matching organisations --------------------------------------------------------


class OrganisationMatcher:
    """Finds a line's organisation among the bureau's (read once: a few hundred)."""

    def __init__(self, bureau):
        organisations = list(Organisation.objects.subtree(bureau).select_related("parent"))
        self.by_code, self.by_name = {}, {}
        for organisation in organisations:
            if organisation.code:
                self.by_code.setdefault(organisation.code, []).append(organisation)
            self.by_name.setdefault(organisation.name, []).append(organisation)

    def match(self, values):
        found = self.by_code.get(values["organisation_code"]) or []
        if len(found) == 1:
            return found[0]
        named = self.by_name.get(values["organisation_name"]) or []
        if len(named) > 1 and values["department"]:
            named = [o for o in named if o.parent and o.parent.name == values["department"]]
        return named[0] if len(named) == 1 else None


# --- Saving ------------------------------------------------------------------------


SAVED_FIELDS = (
    "name",
    "organisation",
    "organisation_name",
    "organisation_code",
    "money_unit",
    *MONEY,
    "ex_ante_evaluation",
    "ex_ante_conclusion",
)


# Compared by the organisation's id: reading each project's organisation would be a query.
_COMPARED = tuple("organisation_id" if name == "organisation" else name for name in SAVED_FIELDS)


def _set_fields(project, values, unit, organisation):
    """Set the line's values on ``project``; whether anything changed."""
    before = [getattr(project, name) for name in _COMPARED]
    project.organisation = organisation
    project.money_unit = unit
    for name in SAVED_FIELDS:
        if name not in ("organisation", "money_unit"):
            setattr(project, name, values[name])
    return before != [getattr(project, name) for name in _COMPARED]


def save(bureau, year, header, lines, *, file_name="", user=None):
    """Save the checked ``lines`` as the bureau's 项目库 of ``year``; the LibraryLoad.

    A project the file holds is written only when a value changed: a re-export of the
    year changes a few lines, and writing thousands of unchanged rows is what made a
    reload of 5,000 projects take longer than the first load.
    """
    matcher = OrganisationMatcher(bureau)
    with transaction.atomic():
        load = LibraryLoad.objects.create(
            bureau=bureau, year=year, file_name=file_name[:200], loaded_by=user
        )
        existing = {p.code: p for p in Project.objects.filter(bureau=bureau, year=year)}
        new, changed = [], []
        for line in lines:
            organisation = matcher.match(line.values)
            load.unmatched += organisation is None
            project = existing.pop(line.values["code"], None)
            if project is None:
                project = Project(bureau=bureau, year=year, code=line.values["code"], load=load)
                new.append(project)
                load.created += 1
            else:
                load.updated += 1
            if _set_fields(project, line.values, header.unit, organisation) and project.pk:
                changed.append(project)
        Project.objects.bulk_create(new, batch_size=500)
        _update(changed)
        dropped = [project.pk for project in existing.values()]
        load.removed = _remove_dropped(dropped)
        # What the file holds is of this load; a dropped project a filing cites keeps its own.
        Project.objects.filter(bureau=bureau, year=year).exclude(pk__in=dropped).update(load=load)
        load.save(update_fields=["created", "updated", "removed", "unmatched"])
    return load


def _update(projects):
    """Write the changed ``projects``: one UPDATE statement, run for each (executemany).

    Not ``bulk_update``: it writes a CASE WHEN per field over the batch, whose cost grows
    as the square of the batch; a re-export of 5,000 changed projects took 50 to 80 s on
    SQLite. One prepared statement per row is linear (benchmarks/library.py).
    """
    if not projects:
        return
    fields = [Project._meta.get_field(name) for name in SAVED_FIELDS]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Project._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"
    rows = [
        [field.get_db_prep_save(getattr(p, field.attname), connection) for field in fields] + [p.pk]
        for p in projects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _remove_dropped(ids):
    """Delete the projects a new export dropped, unless a filing started from one."""
    cited = Filing.objects.filter(library_project=OuterRef("pk"))
    removable = Project.objects.filter(pk__in=ids).exclude(Exists(cited))
    count, _by_model = removable.delete()
    return count


def load(bureau, year, upload, user=None):
    """Read, check and save an uploaded 项目库 file; LoadRefused with every problem."""
    try:
        table = read_upload(upload)
    except ReadProblem as exc:
        raise LoadRefused([str(exc)]) from None
    header, lines = parse(table, year)
    return save(bureau, year, header, lines, file_name=upload.name or "", user=user)


def amount_in_yuan(amount, unit):
    """An amount of ``unit`` in 元 (None stays None)."""
    if amount is None:
        return None
    return Decimal(amount) * (10000 if unit == "万元" else 1)
