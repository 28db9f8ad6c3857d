"""项目库 files as a budget system exports them: the same lines as .xlsx or CSV bytes."""

import contextlib
import csv
import io

from openpyxl import Workbook

HEADER = [
    "序号",
    "项目编码",
    "项目名称",
    "预算单位",
    "项目资金总额（万元）",
    "年度预算（万元）",
    "当年财政拨款（万元）",
    "是否开展事前绩效评估",
    "事前绩效评估结论",
]
UNIT = "上海市闵行区老龄事业发展中心"


def line(number, code, name, unit=UNIT, total="120.5", annual="60.25", appropriation="60.25"):
    return [str(number), code, name, unit, total, annual, appropriation, "是", "通过"]


def sample_lines(count=3, unit=UNIT):
    """``count`` projects of ``unit``, codes 3101122027000000001… (21 characters)."""
    return [
        line(n, f"310112202700000{n:06d}", f"老年人助餐服务项目{n}", unit)
        for n in range(1, count + 1)
    ]


def csv_bytes(lines, *, header=HEADER, encoding="utf-8", title=None):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(lines)
    prefix = b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b""
    return prefix + out.getvalue().encode("utf-8" if encoding == "utf-8-sig" else encoding)


def xlsx_bytes(lines, *, header=HEADER, title="2027年度项目库", numbers=True):
    """A workbook with a title row, then the header and lines; amounts as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目库"
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in lines:
        cells = list(row)
        if numbers:
            for index in (4, 5, 6):
                with contextlib.suppress(ValueError):
                    cells[index] = float(cells[index])
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def library_of(bureau, year, *projects):
    """A loaded 项目库 of ``bureau``: ``projects`` are dicts of Project fields (code, name…)."""
    from projects.models import LibraryLoad, Project

    load = LibraryLoad.objects.create(bureau=bureau, year=year, file_name="项目库.xlsx")
    return [
        Project.objects.create(bureau=bureau, year=year, load=load, **fields) for fields in projects
    ]
