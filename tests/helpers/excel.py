"""Filings and workbooks shared by the Excel tests (export, round trip, upload)."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from exports.document import filing_document
from exports.excel import filing_workbook
from filings.models import Filing, Task
from filings.serialization import filing_to_dict
from filings.wizard.views import new_filing
from indicators.models import Indicator, Level2
from tests.conftest import make_filing

# User text that a spreadsheet could take for a formula: it must stay text, unchanged.
HOSTILE = ('=HYPERLINK("http://x","y")', "+1+1", "＝1", "-2+3", "@SUM(A1)", "=100(%)")
LONG_GOAL = "通过各类预防和康复项目，开展残疾人健康促进相关工作，提升残疾人康复保障水平。" * 40


def rich_project(organisation, **fields):
    """A project with every field filled, amounts in 万元 with 6 places, hostile texts."""
    filing = make_filing(
        organisation,
        name=fields.pop("name", "残疾预防与康复经费"),
        variant=Filing.Variant.CITY,
        nature="经常性专项业务费",
        category="特定目标类",
        department="上海市残疾人联合会",
        implementing_unit=organisation.name,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        goal_start_year=2024,
        goal_end_year=2026,
        money_unit=Filing.MoneyUnit.WAN_YUAN,
        funds_total=Decimal("2013200.123456"),
        funds_fiscal=Decimal("2013200.123456"),
        annual_total=Decimal("201.32"),
        annual_appropriation=Decimal("201.32"),
        overall_goal="总目标：" + HOSTILE[0],
        annual_goal=LONG_GOAL,
        **fields,
    )
    rows = list(filing.indicators.all())
    rows[0].set_value(HOSTILE[1])
    rows[0].explanation = HOSTILE[0]
    rows[0].basis = Indicator.Basis.PLAN
    rows[1].name = HOSTILE[2]
    rows[2].name = "满意度\n（多行）"
    for row in rows:
        row.save()
    extra = Indicator(
        filing=filing,
        level2=Level2.objects.get(level1__name="产出指标", name="数量指标"),
        order=4,
        name="培训场次",
        explanation=HOSTILE[3],
    )
    extra.set_value(HOSTILE[4])
    extra.save()
    # Keep the form order: the extra row belongs under 数量指标, right after the first.
    for order, row in enumerate([rows[0], extra, rows[1], rows[2]], start=1):
        Indicator.objects.filter(pk=row.pk).update(order=order)
    return filing


def rich_unit(organisation):
    """A unit-overall filing as 新建申报 starts it (seven 投入管理指标 rows), with tasks."""
    filing = new_filing(organisation, Filing.Form.UNIT, 2024, organisation.name)
    Filing.objects.filter(pk=filing.pk).update(
        funding_mode="全额",
        duties="一、负责全区养老服务。\n二、" + HOSTILE[1],
        annual_goal="提高老年人生活质量。",
        budget_total=Decimal("28963548.68"),
        budget_fiscal=Decimal("28963548.68"),
        budget_basic=Decimal("6865942.68"),
        budget_project=Decimal("22097606.00"),
        staff_count=35,
        internal_bodies=0,
    )
    Task.objects.create(filing=filing, order=1, name="优化养老服务设施供给", content="分层次建设。")
    Task.objects.create(filing=filing, order=2, name=HOSTILE[0], content="推进认知障碍友好社区建设")
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    indicator = Indicator(filing=filing, level2=level2, order=8, name="服务人次")
    indicator.set_value("≥2450人次")
    indicator.save()
    return Filing.objects.get(pk=filing.pk)


def export(filing):
    return filing_workbook([filing_document(filing)])


def workbook(content):
    return load_workbook(io.BytesIO(content))


def saved(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def content(filing):
    """filing_to_dict without what an import does not carry over (state, owner, history)."""
    data = filing_to_dict(Filing.objects.get(pk=filing.pk))
    for key in ("status", "organisation", "warnings", "source"):
        data.pop(key, None)
    return data


def find(sheet, text):
    """The (row, column) of the first cell holding exactly ``text``."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} is not on the sheet")


def insert_row(sheet, index):
    """Insert a row as Excel does: merged ranges below move down, ranges across it grow."""
    ranges = [r.coord for r in sheet.merged_cells.ranges]
    for coord in ranges:
        sheet.unmerge_cells(coord)
    sheet.insert_rows(index)
    for coord in ranges:
        first, last = coord.split(":")
        (c1, r1), (c2, r2) = _split(first), _split(last)
        if r1 >= index:
            r1, r2 = r1 + 1, r2 + 1
        elif r2 >= index:
            r2 += 1
        sheet.merge_cells(f"{c1}{r1}:{c2}{r2}")


def delete_row(sheet, index):
    """Delete a row as Excel does: ranges across it shrink, ranges below move up."""
    ranges = [r.coord for r in sheet.merged_cells.ranges]
    for coord in ranges:
        sheet.unmerge_cells(coord)
    sheet.delete_rows(index)
    for coord in ranges:
        first, last = coord.split(":")
        (c1, r1), (c2, r2) = _split(first), _split(last)
        if r1 > index:
            r1, r2 = r1 - 1, r2 - 1
        elif r2 >= index:
            r2 -= 1
        if (c1, r1) != (c2, r2) and r2 >= r1:
            sheet.merge_cells(f"{c1}{r1}:{c2}{r2}")


def _split(ref):
    letters = "".join(ch for ch in ref if ch.isalpha())
    return letters, int(ref[len(letters) :])


def zip_bomb():
    """A .xlsx-shaped zip whose sheet inflates to 200 MiB of zeros (about 200 KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"0" * (1024 * 1024)
            for _ in range(200):
                sheet.write(block)
    return out.getvalue()


def with_shared_strings(data):
    """The workbook as Excel and LibreOffice save it: text in the shared-strings table.

    openpyxl writes inline strings; a file saved by a filer's Excel keeps every text in
    xl/sharedStrings.xml and cells point into it (t="s").
    """
    strings = []

    def shared(match):
        strings.append(match.group(3))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{len(strings) - 1}</v></c>'

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            text = source.read(name)
            if name.startswith("xl/worksheets/sheet"):
                text = re.sub(
                    r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr">'
                    r"<is>(<t[^>]*>.*?</t>)</is></c>",
                    shared,
                    text.decode(),
                    flags=re.S,
                ).encode()
            elif name == "[Content_Types].xml":
                text = text.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif name == "xl/_rels/workbook.xml.rels":
                text = text.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(name, text)
        table = "".join(f"<si>{t}</si>" for t in strings)
        target.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>',
        )
    assert strings, "no inline string was converted"
    return out.getvalue()


def long_project(organisation, count=60):
    """A project whose indicator table runs over several printed pages."""
    filing = make_filing(organisation, name="长表项目")
    groups = [
        Level2.objects.get(level1__name=level1, name=level2)
        for level1, level2 in (("产出指标", "数量指标"), ("效益指标", "社会效益指标"))
    ]
    for n in range(count):
        indicator = Indicator(
            filing=filing,
            level2=groups[n * len(groups) // count],
            order=10 + n,
            name=f"全市性法律宣传活动计划完成率与残疾人服务热线考核达标率{n}",
        )
        indicator.set_value("≥1234567890.00(人次)")
        indicator.save()
    return Filing.objects.get(pk=filing.pk)
