"""The form sheet of 导入Excel read back into the JSON format, cell by cell.

``read_workbook`` reads the first visible sheet of a checked upload with bounded
work (``importers.xlsx_cells``: that sheet only, streaming, within the
bounds of ``filings.limits``; macros, ActiveX and external links refused by
``importers.xlsx_parts``), then reads it by its printed labels, so that
rows inserted or deleted offline are read as the filer sees them, and remembers
which cell every value came from (``SheetFiling.cell``), so that each message
names its cell (``Sheet1!C4``). Saving is ``importers.excel``.

The layout is not described here a second time: the positions of labels and
values are those of ``exports.document`` for the sheet's form.
XML is parsed by ``importers.xml_records`` (expat; a DTD or an entity is refused).
"""

import datetime
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.utils import get_column_letter, quote_sheetname

from exports import excel as export
from exports import excel_columns as sheet_columns
from exports.document import TITLES, build_document
from filings.fields import FORM_FIELDS, PROJECT
from filings.models import Filing
from filings.money import AmountError, amount_str, echo, parse_amount
from importers import sheet_fields
from importers.xlsx_cells import read_properties, read_sheet
from importers.xlsx_parts import Package
from importers.xlsx_upload import ExcelProblem
from perfgoals.folding import compact_label

READ_COLUMNS = sheet_columns.LAST_COLUMN

_TICKED = ("√", "✓", "✔", "☑", "■", "☒")
_UNIT_RE = re.compile(r"[(（]\s*(万元|元)\s*[)）]")
_SPAN_RE = re.compile(r"(\d{4})\s*年?\s*[-－—~至]+\s*(\d{4})")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d")
# Printed labels whose text carries a value: matched by their start.
_PREFIX_LABELS = ("项目资金", "项目总目标")


# --- Reading the sheet -----------------------------------------------------------


@dataclass
class SheetFiling:
    """A filing read from a sheet: the JSON-format dict and where each value was."""

    data: dict
    cells: dict  # JSON path ("funds.total", "indicators.3.value") -> "Sheet1!C4"
    labels: dict  # printed label -> cell, to place messages that name a label
    properties: dict  # what the workbook says about where it came from
    sheet: str
    filename: str = ""
    read: frozenset = frozenset()  # the JSON paths the sheet printed (others kept as they are)

    def cell(self, path):
        return self.cells.get(path, "")

    def locate(self, message):
        """``message`` with the cell it is about, when one can be told."""
        match = re.search(r"第 (\d+) 条三级指标", message)
        if match:
            return at_cell(message, self.cell(f"indicators.{int(match.group(1)) - 1}.name"))
        match = re.search(r"第 (\d+) (?:条|项)\s*(?:年度重点任务|任务名称)", message)
        if match:
            return at_cell(message, self.cell(f"tasks.{int(match.group(1)) - 1}.name"))
        for label in re.findall(r"「([^」]+)」", message):
            if label in self.labels:
                return at_cell(message, self.labels[label])
        return message


def at_cell(message, ref):
    """``「计划开始日期」(Sheet1!C4)：…``: the cell after the label a message starts with."""
    if not ref:
        return message
    if message.startswith("「") and "」" in message:
        label, rest = message.split("」", 1)
        return f"{label}」({ref})：{rest.lstrip('：')}"
    return f"({ref}) {message}"


class _Grid:
    """The cells of one sheet as text, with its merged ranges."""

    def __init__(self, cells):
        self.title = cells.title
        self.values = cells.values
        self.formulas = cells.formulas
        self.last_row = max((row for row, _col in self.values), default=0)
        self.covered = set()
        self.extent = {}  # top-left (row, col) -> (last row, last col)
        for min_row, min_col, max_row, max_col in cells.merged:
            self.extent[(min_row, min_col)] = (max_row, max_col)
            for row in range(min_row, max_row + 1):
                for col in range(min_col, max_col + 1):
                    if (row, col) != (min_row, min_col):
                        self.covered.add((row, col))

    def raw(self, row, col):
        return self.values.get((row, col))

    def text(self, row, col):
        value = self.raw(row, col)
        if value is None:
            return ""
        return value if isinstance(value, str) else _plain(value)

    def ref(self, row, col):
        # Quoted only when Excel would need it ('My sheet'!B4, 残疾预防经费!B4).
        title = self.title if re.fullmatch(r"\w+", self.title) else quote_sheetname(self.title)
        return f"{title}!{get_column_letter(col)}{row}"

    def bottom(self, row, col):
        return self.extent.get((row, col), (row, col))[0]

    def blank_row(self, row):
        return all(
            self.text(row, col).strip() == "" and (row, col) not in self.covered
            for col in range(1, READ_COLUMNS + 1)
        )


def _plain(value):
    """A number or date typed into a cell, as the text the filer meant."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return repr(int(value))
        # The shortest text that is this double (what the export wrote), without the
        # exponent repr uses for small numbers: 0.000001, never 1e-06.
        return format(Decimal(repr(value)), "f")
    return str(value)


def _same_label(found, printed):
    found, printed = compact_label(found), compact_label(printed)
    if found == printed:
        return True
    return printed.startswith(_PREFIX_LABELS) and found.startswith(printed.split("(")[0])


def read_workbook(content, filename=""):
    """The filing on the first visible sheet of ``content`` (checked bytes of an .xlsx)."""
    package = Package(content)
    properties = read_properties(package)
    sheets = [sheet for sheet in package.sheets() if sheet.visible]
    if not sheets:
        raise ExcelProblem("工作簿中没有可读取的工作表。")
    # File › Properties lets anyone edit these: a count that is not one is ignored.
    count = properties.get(f"{export.PROPERTY_PREFIX}.sheets", "")
    exported = int(count) if count.isascii() and count.isdigit() and len(count) < 6 else 1
    if exported > 1:
        raise ExcelProblem(
            f"这个工作簿含有 {exported} 份申报：导入Excel 每次只导入一份，"
            "请下载单份申报的 Excel 后填写上传。"
        )
    sheet_properties = {
        name.removeprefix(f"{export.PROPERTY_PREFIX}.1."): value
        for name, value in properties.items()
        if name.startswith(f"{export.PROPERTY_PREFIX}.1.")
    }
    if len(sheets[0].title) > export.SHEET_TITLE_MAX:  # Excel allows no more
        raise ExcelProblem(
            f"工作表名称「{echo(sheets[0].title)}」超过 {export.SHEET_TITLE_MAX} 个字符，"
            "不是 Excel 保存的工作簿，未导入。"
        )
    grid = _Grid(read_sheet(package, sheets[0], READ_COLUMNS))
    if grid.formulas:
        refs = "、".join(grid.ref(*key) for key in grid.formulas[:5])
        raise ExcelProblem(f"单元格含有公式（{refs}）：请直接填写内容，不要使用公式。")
    return _SheetReader(grid, sheet_properties, filename).read()


class _SheetReader:
    def __init__(self, grid, properties, filename):
        self.grid = grid
        self.properties = properties
        self.filename = filename
        self.problems = []
        self.cells = {}
        self.labels = {}

    def problem(self, row, col, label, message):
        self.problems.append(f"「{label}」({self.grid.ref(row, col)})：{message}")

    def read(self):
        grid = self.grid
        form = self._form()
        year = self._year()
        variant = ""
        if form == PROJECT:
            variant = "city" if self._find_text("项目性质") else "district"
        template = build_document(_skeleton(form, year, variant))
        data = {"form": form, "year": year, "status": "draft"}
        if form == PROJECT:
            data["variant"] = variant
        data["organisation"] = [
            part for part in self.properties.get("organisation", "").split(" / ") if part
        ]
        data["money_unit"] = self.properties.get("money_unit") or "元"
        data["input_note"] = self.properties.get("input_note", "")
        head_rows = self._match_head(template, data)
        self._read_tasks(template, head_rows, data)
        self._read_indicators(template, data)
        if form != PROJECT:
            data.setdefault("tasks", [])
        else:
            data.pop("input_note", None)
        read = {*self.cells, "money_unit", "value_heading"}
        if form == PROJECT:
            read.update(("variant", "goal_start_year", "goal_end_year"))
        elif "input_note" in self.cells or any(
            not (i["name"] or i["value"]) for i in data["indicators"]
        ):
            read.add("input_note")
        # A field this sheet does not print (项目性质 on the district layout, a blank
        # 财政资金拨款方式 of a department) is blank in a new draft.
        for form_field in FORM_FIELDS:
            path = ".".join(form_field.json)
            if form in form_field.forms and path not in read:
                _put(data, path, "" if form_field.type == "text" else None)
        if self.problems:
            raise ExcelProblem(self.problems)
        return SheetFiling(
            data=data,
            cells=self.cells,
            labels=self.labels,
            properties=self.properties,
            sheet=grid.title,
            filename=self.filename,
            read=frozenset(read),
        )

    # Which form and year ---------------------------------------------------

    def _form(self):
        form = self.properties.get("form")
        title = compact_label(self.grid.text(1, 1))
        for key, printed in TITLES.items():
            if title == compact_label(printed):
                return key
        if form in TITLES:
            return form
        raise ExcelProblem(
            f"第一行应为申报表的标题（如「{TITLES[PROJECT]}」），"
            f"却是「{echo(self.grid.text(1, 1))}」({self.grid.ref(1, 1)})：不是本系统导出的申报表。"
        )

    def _year(self):
        match = re.search(r"(\d{4})", self.grid.text(2, 1))
        if match:
            return int(match.group(1))
        year = self.properties.get("year", "")
        if isinstance(year, str) and year.isascii() and year.isdigit():
            return int(self.properties["year"])
        raise ExcelProblem(
            f"第二行应为年度（如「(2024年度)」），却是「{echo(self.grid.text(2, 1))}」"
            f"({self.grid.ref(2, 1)})。"
        )

    def _find_text(self, text):
        return any(
            compact_label(value) == text
            for value in self.grid.values.values()
            if isinstance(value, str)
        )

    # The head: fields found by the labels printed beside them ---------------

    def _match_head(self, template, data):
        """Find each head row of the template on the sheet; read its fields."""
        grid = self.grid
        found = {}  # template row index -> sheet row
        cursor = export.GRID_TOP
        for index, row in enumerate(template.head):
            if any(cell.field.startswith("tasks.") for cell in row.cells):
                continue  # read by _read_tasks
            labels = [c for c in row.cells if not c.field and c.text.strip()]
            if labels:
                sheet_row = self._find_row(labels, cursor)
                if sheet_row is None:
                    missing = "、".join(f"「{c.text.strip()}」" for c in labels[:2])
                    raise ExcelProblem(
                        f"在工作表「{grid.title}」中找不到{missing}所在的行："
                        "请不要删除或改写表中印好的栏目名称。"
                    )
            else:
                sheet_row = cursor  # a row of values under a row of headings
            found[index] = sheet_row
            cursor = self._next_row(row, sheet_row)
            above = template.head[index - 1] if index else None
            self._read_fields(row, above, sheet_row, data)
        return found

    def _find_row(self, labels, start):
        for sheet_row in range(start, self.grid.last_row + 1):
            if all(_same_label(self.grid.text(sheet_row, c.col + 1), c.text) for c in labels):
                return sheet_row
        return None

    def _next_row(self, row, sheet_row):
        """The first sheet row below ``row`` (a long row may span several sheet rows)."""
        bottom = sheet_row
        for cell in row.cells:
            if cell.rowspan == 1:
                bottom = max(bottom, self.grid.bottom(sheet_row, cell.col + 1))
        return bottom + 1

    def _read_fields(self, row, above, sheet_row, data):
        grid = self.grid
        label = ""
        headings = {c.col: c.text for c in above.cells} if above is not None else {}
        for cell in row.cells:
            col = cell.col + 1
            if not cell.field:
                text = grid.text(sheet_row, col)
                label = cell.text
                self._read_label_value(cell.text, text, data)
                continue
            path = cell.field
            ref = grid.ref(sheet_row, col)
            self.cells[path] = ref
            # Named by the label printed beside it, or above it (goals, staff).
            field_label = "".join((label or headings.get(cell.col, "") or path).split())
            self.labels.setdefault(field_label, ref)
            verbose = _VERBOSE.get(path)
            if verbose:
                self.labels.setdefault(verbose, ref)
            value = self._value(path, grid.raw(sheet_row, col), sheet_row, col, field_label, data)
            _put(data, path, value)

    def _read_label_value(self, printed, text, data):
        """Values printed inside a label: the money unit, the span of the goals."""
        if printed.startswith("项目资金"):
            match = _UNIT_RE.search(text)
            if match:
                data["money_unit"] = match.group(1)
        elif printed.startswith("项目总目标"):
            match = _SPAN_RE.search(text)
            data["goal_start_year"] = int(match.group(1)) if match else None
            data["goal_end_year"] = int(match.group(2)) if match else None

    def _value(self, path, raw, row, col, label, data):
        kind = _FIELD_TYPES.get(path, "text")
        text = "" if raw is None else (raw if isinstance(raw, str) else _plain(raw))
        if path == "category" and data.get("variant") == "district":
            return _ticked(text)
        if kind == "money":
            try:
                amount = parse_amount(text, data.get("money_unit"))
            except AmountError as exc:
                self.problem(row, col, label, str(exc))
                return None
            return amount_str(amount)
        if kind == "date":
            return self._date(raw, text, row, col, label)
        if kind == "number":
            if not text.strip():
                return None
            try:
                return int(text.strip().replace(",", ""))
            except ValueError:
                self.problem(row, col, label, f"应为整数，却是「{echo(text)}」")
                return None
        return text

    def _date(self, raw, text, row, col, label):
        if isinstance(raw, datetime.datetime):
            return raw.date().isoformat()
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        text = text.strip()
        if not text:
            return None
        for pattern in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        self.problem(row, col, label, f"「{echo(text)}」不是日期，应写成 2024-01-01")
        return None

    # 年度重点任务: every row between its heading and 预算情况 -----------------

    def _read_tasks(self, template, head_rows, data):
        task_index = next(
            (i for i, row in enumerate(template.head) if row.cells[0].field == "tasks.0.name"),
            None,
        )
        if task_index is None:
            return
        columns = {
            cell.field.split(".")[-1]: cell.col + 1 for cell in template.head[task_index].cells
        }
        heading, after = head_rows[task_index - 1], head_rows[task_index + 1]
        first = self._next_row(template.head[task_index - 1], heading)
        tasks, seen = [], set()
        for sheet_row in range(first, after):
            name = self.grid.text(sheet_row, columns["name"])
            content = self.grid.text(sheet_row, columns["content"])
            if (sheet_row, columns["name"]) in self.grid.covered or not (name or content):
                continue
            n = len(tasks)
            self.cells[f"tasks.{n}.name"] = self.grid.ref(sheet_row, columns["name"])
            self.cells[f"tasks.{n}.content"] = self.grid.ref(sheet_row, columns["content"])
            key = _key(self.grid.text(sheet_row, export.KEY_COLUMN), seen)
            tasks.append({"key": key, "name": name, "content": content})
        data["tasks"] = tasks

    # The indicator table -----------------------------------------------------

    def _read_indicator_heading(self, head, data):
        """The row of the indicator table's heading; its 指标值 heading into ``data``."""
        grid = self.grid
        # Not the label running down beside the table (绩效指标): the export starts it under
        # the heading row (exports.excel_pages), older exports in it; either is read.
        labels = [c for c in head.cells[:-1] if c.text.strip() and c.rowspan == 1]
        heading_row = self._find_row(labels, export.GRID_TOP)
        if heading_row is None:
            raise ExcelProblem(
                f"在工作表「{grid.title}」中找不到绩效指标表的标题行（一级、二级、三级）："
                "请不要删除或改写表中印好的栏目名称。"
            )
        value_head = head.cells[-1]
        heading = grid.text(heading_row, value_head.col + 1).strip()
        self.cells["value_heading"] = grid.ref(heading_row, value_head.col + 1)
        default = head.cells[-1].text
        if heading and compact_label(heading) != compact_label(default):
            data["value_heading"] = heading
        else:
            data["value_heading"] = self.properties.get("value_heading", "") if heading else ""
        return heading_row

    def _note_indicator_cells(self, n, sheet_row, columns):
        """Where the n-th indicator's parts were read, for messages that name a cell."""
        for part in ("level1", "level2", "name", "value"):
            self.cells[f"indicators.{n}.{part}"] = self.grid.ref(sheet_row, columns[part])
        self.cells[f"indicators.{n}.explanation"] = self.grid.ref(
            sheet_row, export.EXPLANATION_COLUMN
        )

    def _execution_line(self, sheet_row, fields, data):
        """Whether ``sheet_row`` is the 预算执行率分值 line under the rows (no indicator).

        Its text goes into ``data`` as the JSON format has it, read by the same
        parser as an imported file's; blank is the edition's default.
        """
        execution = sheet_fields.execution_weight(self.grid, sheet_row, fields)
        if execution is None:
            return False
        data["execution_weight"], ref = execution
        self.cells["execution_weight"] = self.labels[sheet_columns.EXECUTION_LABEL] = ref
        return True

    def _read_indicators(self, template, data):
        grid = self.grid
        head = template.indicator_head
        heading_row = self._read_indicator_heading(head, data)
        columns = {
            cell.field.split(".")[-1]: cell.col + 1
            for cell in template.indicators[0].cells
            if cell.field
        }
        fields = sheet_fields.field_columns(grid, heading_row)
        level1 = level2 = ""
        indicators, seen = [], set()
        note_rows = set()
        for sheet_row in range(self._next_row(head, heading_row), grid.last_row + 1):
            if grid.blank_row(sheet_row) or self._execution_line(sheet_row, fields, data):
                continue
            name_col, value_col = columns["name"], columns["value"]
            if (sheet_row, columns["level1"]) not in grid.covered:
                level1 = grid.text(sheet_row, columns["level1"]).strip() or level1
            if (sheet_row, columns["level2"]) not in grid.covered:
                level2 = grid.text(sheet_row, columns["level2"]).strip() or level2
            name = grid.text(sheet_row, name_col)
            value = grid.text(sheet_row, value_col)
            # The 投入管理指标 note: one cell merged over the name and value of its rows.
            last_row, last_col = grid.extent.get((sheet_row, name_col), (sheet_row, name_col))
            if last_col >= value_col:
                data["input_note"] = name
                self.cells["input_note"] = grid.ref(sheet_row, name_col)
                note_rows.update(range(sheet_row, last_row + 1))
                name = value = ""
            elif sheet_row in note_rows:
                name = value = ""
            explanation = grid.text(sheet_row, export.EXPLANATION_COLUMN)
            basis = grid.text(sheet_row, export.BASIS_COLUMN).strip()
            raw_key = grid.text(sheet_row, export.KEY_COLUMN)
            extras = "".join(grid.text(sheet_row, column) for column in fields).strip()
            if not (name or value or explanation or basis or raw_key or extras) and (
                sheet_row not in note_rows
            ):
                continue  # a row left empty offline
            n = len(indicators)
            self._note_indicator_cells(n, sheet_row, columns)
            if not level1 or not level2:
                self.problems.append(
                    f"「第 {n + 1} 条三级指标」({grid.ref(sheet_row, columns['level2'])})："
                    "没有一级或二级指标：请在这一行或上方的行填写一级、二级指标"
                )
            indicators.append(
                {
                    "key": _key(raw_key, seen),
                    "level1": level1,
                    "level2": level2,
                    "name": name,
                    "value": value,
                    "explanation": explanation,
                    "basis": basis,
                    **sheet_fields.row_fields(grid, n, sheet_row, fields, self),
                }
            )
        data["indicators"] = indicators


def _skeleton(form, year, variant):
    """A filing with one task and one indicator: the template of the sheet's layout."""
    return {
        "form": form,
        "year": year,
        "variant": variant,
        "name": "",
        "tasks": [{"name": "t", "content": "c"}],
        "indicators": [{"level1": "a", "level2": "b", "name": "n", "value": "v"}],
    }


_FIELD_TYPES = {".".join(f.json): f.type for f in FORM_FIELDS}
_FIELD_NAMES = {".".join(f.json): f.name for f in FORM_FIELDS}
_FIELD_NAMES.update(
    {"name": "name", "annual_goal": "annual_goal", "value_heading": "value_heading"}
)
PATHS = {name: path for path, name in _FIELD_NAMES.items()}


# The model's names of the fields: save_filing's messages name fields by them.
_VERBOSE = {
    path: str(Filing._meta.get_field(name).verbose_name) for path, name in _FIELD_NAMES.items()
}


def _put(data, path, value):
    keys = path.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def _ticked(text):
    """The option ticked among the district's boxes (专项资金□ 经常性项目√ …)."""
    if not any(box in text for box in ("□", *_TICKED)):
        return text.strip()
    for option in re.split(r"\s+", text.strip()):
        if option.endswith(_TICKED):
            return option.rstrip("".join(_TICKED)).strip()
    return ""


def _key(text, seen):
    """A row's key from the hidden column; a copied row (same key twice) gets a new one."""
    try:
        key = str(uuid.UUID(text.strip()))
    except ValueError:
        return ""
    if key in seen:
        return ""
    seen.add(key)
    return key
