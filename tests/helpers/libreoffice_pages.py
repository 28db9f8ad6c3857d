"""Makes tests/fixtures/excel_pages/: forms exported as Excel and printed by LibreOffice.

The Excel export sets a page break where it predicts each printed page to
start (``exports.excel_pages``). These forms, with long names, long goals and
indicator tables of many pages, are exported by the app and printed to PDF by
LibreOffice; both files are committed, so that the tests and CI need no
LibreOffice (scripts/setup.sh does not install it). tests/unit/test_excel_pages.py
reads them back: LibreOffice starts its pages exactly at the predicted breaks, and
the fixture is what the export writes today. Run this again whenever the export's
layout changes (the test says so):

    apt-get install -y --no-install-recommends libreoffice-calc-nogui
    DJANGO_SETTINGS_MODULE=perfgoals.settings .venv/bin/python -m tests.helpers.libreoffice_pages

Made on Debian's LibreOffice without the Carlito font: Calibri (the width unit
of the columns) falls back to a wider font there and the sheet prints at 76 %.
"""

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import django
import pdfplumber

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "excel_pages"
NAME = "残疾人权益保障经费及无障碍环境建设专项补助资金（市级统筹部分）"
UNIT_NAME = "上海市静安区社会福利院（上海市静安区老年护理院、静安区养老服务指导中心）"
GOAL = (
    "残疾人法律援助救助工作：依法维护残疾人权益的科学方法和有效手段，充分发挥残疾人法律援助、"
    "法律救助及法律宣传等法律服务的功能和作用，使残疾人享受服务门槛更低、服务内容更多。"
)
VALUES = ("≥1234567890.00(人次)", "=100(%)", "≤12345.678(万元)", "≥98.5%")
GROUPS = (
    ("产出指标", "数量指标"),
    ("产出指标", "质量指标"),
    ("效益指标", "社会效益指标"),
    ("满意度指标", "服务对象满意度指标"),
)
# Names end with their number: the rows LibreOffice prints are told apart by it.
INDICATOR = re.compile(r"考核达标率(\d+)$")


def _indicators(count):
    return [
        {
            "key": "",
            "level1": GROUPS[n * len(GROUPS) // count][0],
            "level2": GROUPS[n * len(GROUPS) // count][1],
            "name": f"全市性法律宣传活动计划完成率与残疾人服务热线考核达标率{n}",
            "value": VALUES[n % len(VALUES)],
        }
        for n in range(count)
    ]


def _goal(paragraphs):
    return "\n".join(f"{n}、{GOAL}" for n in range(1, paragraphs + 1))


def _project(indicators, goal_paragraphs):
    amount = "9999999999999.99"
    return {
        "form": "project",
        "year": 2026,
        "variant": "city",
        "name": NAME,
        "nature": "经常性专项业务费",
        "category": "特定目标类",
        "department": "上海市残疾人联合会",
        "implementing_unit": "上海市残疾人联合会康复服务指导中心",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "money_unit": "元",
        "funds": dict.fromkeys(
            ("total", "fiscal", "annual_total", "appropriation", "carryover", "annual_other"),
            amount,
        )
        | {"other": "0.00"},
        "goal_start_year": 2024,
        "goal_end_year": 2026,
        "overall_goal": _goal(2),
        "annual_goal": _goal(goal_paragraphs),
        "indicators": _indicators(indicators),
    }


def _overall(form, indicators):
    return {
        "form": form,
        "year": 2026,
        "name": UNIT_NAME,
        "funding_mode": "全额",
        "subordinate_units": 12,
        "duties": _goal(2),
        "annual_goal": _goal(4),
        "money_unit": "元",
        "tasks": [{"key": "", "name": "优化养老服务设施供给", "content": "分层次建设。" * 30}],
        "budget": dict.fromkeys(("total", "fiscal", "other", "basic", "project"), "12345.67"),
        "assets_total": "12345.67",
        "staff": 35,
        "internal_bodies": 0,
        "input_note": "",
        "indicators": _indicators(indicators),
    }


def forms():
    """{file name: the JSON format of a form} for the fixture."""
    return {
        "project-13": _project(13, 3),
        "project-60": _project(60, 1),
        "project-long-goal": _project(20, 14),
        # The goals (their label merged beside both) fit on a page but not under the head.
        "project-goals-whole": _project(20, 8),
        "unit-30": _overall("unit", 30),
        "department-30": _overall("department", 30),
    }


def printed_starts(pdf, sheet):
    """Per page after the first, the sheet row of the first indicator printed on it (or None).

    Each indicator's row is found by the number its name ends with.
    """
    rows = {}
    for row in sheet.iter_rows():
        for cell in row:
            found = INDICATOR.search(cell.value) if isinstance(cell.value, str) else None
            if found:
                rows[int(found.group(1))] = cell.row
    starts = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages[1:]:
            words = sorted(page.extract_words(), key=lambda word: (word["top"], word["x0"]))
            numbers = [int(n) for word in words for n in re.findall(r"率(\d+)$", word["text"])]
            starts.append(min((rows[n] for n in numbers if n in rows), default=None))
    return starts


def heading_band_text(pdf):
    """Per page after the first, the characters printed in the top row of its table
    (the heading row LibreOffice prints again there) in the form's first column."""
    texts = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages[1:]:
            lines = sorted({round(e["top"], 1) for e in page.edges if e["orientation"] == "h"})
            top, below = lines[0], lines[1]
            left = min(e["x0"] for e in page.edges if e["orientation"] == "v")
            column = sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"})
            right = column[1] if len(column) > 1 else left
            texts.append(
                "".join(
                    char["text"]
                    for char in page.chars
                    if char["top"] < below and char["bottom"] > top and char["x1"] <= right + 1
                )
            )
    return texts


def main():
    django.setup()
    # After django.setup(): the export reads the settings.
    from exports.document import build_document
    from exports.excel import filing_workbook

    OUT.mkdir(parents=True, exist_ok=True)
    targets = []
    for name, data in forms().items():
        target = OUT / f"{name}.xlsx"
        target.write_bytes(filing_workbook([build_document(data, footer="草稿")]))
        targets.append(str(target))
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
                str(OUT),
                *targets,
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    print(f"written {len(targets)} workbooks and their PDFs in {OUT}")


if __name__ == "__main__":
    main()
