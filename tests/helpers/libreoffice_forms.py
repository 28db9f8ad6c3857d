"""Makes tests/fixtures/published_files/libreoffice.{xlsx,pdf}: seed forms in another layout.

Published forms come from many templates and tools. This script lays three of
the seed project forms out as a workbook of its own, unlike the app's export in
every way the importer must not depend on: eight columns of other widths, a
serif font, the money unit on a line above the table, other editions' labels
(年度资金总额, 其中：财政拨款, 上年结转), dates written 2023年1月1日, one row
per goal paragraph, 一级/二级 labels merged top-aligned over their rows, the
indicator heading repeated on each page and page breaks set by hand in other
places. LibreOffice prints it to PDF. Both files are committed, so that the
tests and CI need no LibreOffice; run this again only to change the fixture:

    apt-get install -y --no-install-recommends libreoffice-calc-nogui
    DJANGO_SETTINGS_MODULE=perfgoals.settings .venv/bin/python -m tests.helpers.libreoffice_forms

tests/ops/test_published_round_trip.py reads both back and compares them with
the seed filings.
"""

import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import django
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.pagebreak import Break

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "published_files"
FORMS = ("民生保障", "设施维护及功能改造项目", "残疾人事业综合保障经费")
FONT = "Noto Serif CJK SC"
WIDTHS = (11, 9, 9, 14, 11, 9, 12, 14)  # A..H, in characters (a CJK character takes 2)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MONEY_ROWS = (  # left label, field · right label, field (another edition's words)
    ("项目资金总额", "total", "年度资金总额", "annual_total"),
    ("其中：财政资金", "fiscal", "其中：财政拨款", "appropriation"),
    ("其他资金", "other", "上年结转", "carryover"),
    ("", None, "其他资金", "annual_other"),
)


def seed_forms():
    # Django is set up first: the taxonomy reads the fixture through the models.
    django.setup()
    from importers.published import parse_published  # after django.setup()
    from indicators.taxonomy import from_fixture  # after django.setup()

    taxonomy = from_fixture()
    found = {}
    for path in sorted((ROOT / "fixtures" / "published").glob("*.txt")):
        for data in parse_published(path.read_text(encoding="utf-8"), taxonomy=taxonomy):
            found[data["name"]] = data
    return [found[name] for name in FORMS]


class Sheet:
    """Writes one form row by row; every cell boxed, merged ranges as asked."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 0
        for index, width in enumerate(WIDTHS):
            sheet.column_dimensions["ABCDEFGH"[index]].width = width

    def put(self, col, text, *, to=None, down=1, bold=False, align="left", box=True):
        """Write ``text`` at column ``col`` (1-based) of the current row, merged to ``to``."""
        cell = self.sheet.cell(self.row, col, text if text != "" else None)
        if isinstance(text, str) and text.startswith("="):
            cell.data_type = "s"  # a value such as =100%, not a formula
        cell.font = Font(name=FONT, size=10, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
        last_col, last_row = to or col, self.row + down - 1
        for row in range(self.row, last_row + 1):
            for column in range(col, last_col + 1):
                if box:
                    self.sheet.cell(row, column).border = BOX
        if last_col > col or last_row > self.row:
            self.sheet.merge_cells(
                start_row=self.row, start_column=col, end_row=last_row, end_column=last_col
            )

    def next(self, lines=1):
        self.row += 1
        self.sheet.row_dimensions[self.row].height = 16 * max(lines, 1)


def _lines(text, chars):
    return max(1, math.ceil(len(text) / chars)) + (1 if len(text) > chars else 0)


def write_form(sheet, data):
    out = Sheet(sheet)
    unit = data["money_unit"]
    out.next(2)
    out.put(1, "财政项目支出绩效目标申报表", to=8, bold=True, align="center", box=False)
    out.next()
    out.put(1, f"（{data['year']}年度）", to=8, align="center", box=False)
    out.next()
    out.put(1, f"金额单位：{unit}", to=8, align="right", box=False)
    pairs = [("项目名称", data["name"])]
    if data["variant"] == "city":
        pairs.append(("项目性质", data["nature"]))
    pairs += [
        ("项目类别", data["category"]),
        ("主管部门", data["department"]),
        ("实施单位", data["implementing_unit"]),
        ("计划开始日期", _date(data["start"])),
        ("计划完成日期", _date(data["end"])),
    ]
    for index in range(0, len(pairs), 2):
        out.next(2)
        for offset, (label, value) in enumerate(pairs[index : index + 2]):
            out.put(1 + 4 * offset, label, to=2 + 4 * offset)
            out.put(3 + 4 * offset, value, to=4 + 4 * offset)
    _write_money(out, data["funds"])
    _write_goals(out, data)
    _write_indicators(out, data)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.9
    sheet.page_margins.top = sheet.page_margins.bottom = 1.0


def _write_money(out, funds):
    first = out.row + 1
    for left, left_field, right, right_field in MONEY_ROWS:
        out.next()
        out.put(2, left, to=3)
        out.put(4, _amount(funds[left_field]) if left_field else "")
        out.put(5, right, to=6)
        out.put(7, _amount(funds[right_field]), to=8)
    _label_down(out.sheet, "项目资金", first, out.row)


def _write_goals(out, data):
    span = ""
    if data["goal_start_year"]:
        span = f"（{data['goal_start_year']}年-{data['goal_end_year']}年）"
    overall = data["overall_goal"].split("\n") if data["overall_goal"] else []
    annual = data["annual_goal"].split("\n") if data["annual_goal"] else []
    out.next(2)
    first = out.row
    out.put(2, f"项目总目标{span}", to=4)
    out.put(5, "年度总体目标", to=8)
    for index in range(max(len(overall), len(annual))):
        left = overall[index] if index < len(overall) else ""
        right = annual[index] if index < len(annual) else ""
        out.next(max(_lines(left, 14), _lines(right, 20)))
        out.put(2, left, to=4)
        out.put(5, right, to=8)
    _label_down(out.sheet, "项目绩效目标", first, out.row)
    out.sheet.row_breaks.append(Break(id=out.row))  # the indicators start a page


def _write_indicators(out, data):
    out.next()
    heading = out.row
    out.put(1, "一级指标", align="center")
    out.put(2, "二级指标", to=3, align="center")
    out.put(4, "三级指标", to=6, align="center")
    out.put(7, data["value_heading"], to=8, align="center")
    out.sheet.print_title_rows = f"{heading}:{heading}"
    starts = {1: None, 2: None}
    rows = data["indicators"]
    for index, indicator in enumerate(rows):
        out.next(max(_lines(indicator["name"], 15), _lines(indicator["value"], 11)))
        for level, key in ((1, "level1"), (2, "level2")):
            before = rows[index - 1] if index else None
            if before is None or _group(before, level) != _group(indicator, level):
                starts[level] = out.row
                out.put(level, indicator[key], to=level if level == 1 else 3)
        out.put(4, indicator["name"], to=6)
        out.put(7, indicator["value"], to=8)
        following = rows[index + 1] if index + 1 < len(rows) else None
        for level in (1, 2):
            if following is None or _group(following, level) != _group(indicator, level):
                last_col = 1 if level == 1 else 3
                if out.row > starts[level]:
                    _merge_down(out.sheet, starts[level], level, out.row, last_col)
        if index and index % 23 == 0:
            out.sheet.row_breaks.append(Break(id=out.row))  # mid-group, on purpose


def _label_down(sheet, text, first, last):
    """A block's label merged down column A, centred as paper forms print it."""
    for row in range(first, last + 1):
        sheet.cell(row, 1).border = BOX
    sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    cell = sheet.cell(first, 1, text)
    cell.font = Font(name=FONT, size=10)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _merge_down(sheet, first, col, last, last_col):
    for merged in list(sheet.merged_cells.ranges):
        if merged.min_row == first and merged.min_col == col:
            sheet.merged_cells.remove(merged)
    sheet.merge_cells(start_row=first, start_column=col, end_row=last, end_column=last_col)


def _group(indicator, level):
    return (indicator["level1"],) if level == 1 else (indicator["level1"], indicator["level2"])


def _date(iso):
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def _amount(text):
    if text is None:
        return ""
    whole, _dot, cents = text.partition(".")
    return f"{int(whole):,}.{cents or '00'}"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, data in enumerate(seed_forms(), start=1):
        write_form(workbook.create_sheet(f"表{number}"), data)
    target = OUT / "libreoffice.xlsx"
    workbook.save(target)
    with tempfile.TemporaryDirectory() as scratch:
        profile = Path(scratch) / "profile"
        subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                scratch,
                str(target),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.copy(Path(scratch) / "libreoffice.pdf", OUT / "libreoffice.pdf")
    print(f"written {target} and {OUT / 'libreoffice.pdf'}")


if __name__ == "__main__":
    main()
