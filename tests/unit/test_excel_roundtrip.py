"""The Excel round trip: a form sheet exported by the app comes back as the same filing."""

import io
from decimal import Decimal

import pytest

from filings.editing import StaleEdit, claim
from filings.models import Filing
from importers import excel as importer
from indicators.models import Indicator
from tests.factories import bring_to, ready_filing
from tests.helpers.excel import (
    HOSTILE,
    content,
    delete_row,
    export,
    find,
    insert_row,
    long_project,
    rich_project,
    rich_unit,
    saved,
    with_shared_strings,
    workbook,
)


def read(data):
    return importer.read_workbook(importer.check_upload(io.BytesIO(data)))


def test_a_project_comes_back_as_the_same_filing(orgs):
    original = rich_project(orgs.elderly_centre)
    # Into a fresh draft of another organisation: the uploader's, never the file's.
    copy = importer.apply(read(export(original)), organisation=orgs.disabled_federation)
    assert copy.pk != original.pk
    assert copy.organisation == orgs.disabled_federation
    assert copy.status == Filing.Status.DRAFT
    assert content(copy) == content(original)


def test_an_overall_filing_comes_back_with_its_tasks_and_note(orgs):
    original = rich_unit(orgs.elderly_centre)
    sheet = read(export(original))
    original_content = content(original)
    Filing.objects.filter(pk=original.pk).delete()
    copy = importer.apply(sheet, organisation=orgs.elderly_centre)
    assert content(copy) == original_content
    assert [t["name"] for t in content(copy)["tasks"]][1] == HOSTILE[0]


def test_formula_like_text_comes_back_unchanged(orgs):
    original = rich_project(orgs.elderly_centre)
    data = read(export(original)).data
    values = [row["value"] for row in data["indicators"]]
    names = [row["name"] for row in data["indicators"]]
    assert HOSTILE[1] in values and HOSTILE[4] in values
    assert HOSTILE[2] in names
    assert data["overall_goal"] == "总目标：" + HOSTILE[0]
    assert data["indicators"][0]["explanation"] == HOSTILE[0]


def test_an_unchanged_sheet_changes_nothing_in_its_draft(orgs):
    filing = rich_project(orgs.elderly_centre)
    before = content(filing)
    result = importer.preview(read(export(filing)), filing=filing)
    assert not result.diff.has_changes
    assert not result.changed_since_export
    importer.apply(read(export(filing)), filing=filing, seen_version=filing.lock_version)
    assert content(filing) == before


def test_a_sheet_of_a_filing_changed_since_the_export_says_so(orgs):
    filing = rich_project(orgs.elderly_centre)
    upload = read(export(filing))
    Indicator.objects.filter(filing=filing, name="培训场次").update(name="改过的指标")
    assert importer.preview(upload, filing=filing).changed_since_export


def test_a_sheet_with_the_short_hash_of_older_exports_raises_no_false_alarm(orgs):
    filing = rich_project(orgs.elderly_centre)
    upload = read(export(filing))
    upload.properties["content_hash"] = "0123456789abcdef"
    assert not importer.preview(upload, filing=filing).changed_since_export


def test_an_approved_filings_sheet_carries_the_hash_its_pdf_footer_prints(orgs, personas):
    filing = bring_to("approved", ready_filing(orgs.elderly_centre), personas.filer, personas)
    version = Filing.objects.get(pk=filing.pk).approved_version
    printed = read(export(Filing.objects.get(pk=filing.pk))).properties["content_hash"]
    assert printed == version.content_hash
    assert printed.startswith(version.short_hash)  # the 内容摘要 of the PDF footer


def test_a_sheet_edited_offline_imports_as_the_filer_sees_it(orgs):
    filing = rich_project(orgs.elderly_centre)
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    # Change a value.
    row, col = find(sheet, HOSTILE[1])
    sheet.cell(row, col).value = "≥40(人)"
    # Insert a row inside the 数量指标 group: its level cells are covered by the merge.
    insert_row(sheet, row + 1)
    sheet.cell(row + 1, 4).value = "新增的指标"
    sheet.cell(row + 1, 6).value = "≥3(次)"
    # Delete the 服务覆盖率 row (its name was replaced by ＝1).
    gone, _col = find(sheet, HOSTILE[2])
    delete_row(sheet, gone)
    # Change an amount and a date as a filer types them (a number, a real date).
    money_row, money_col = find(sheet, "项目资金总额")
    sheet.cell(money_row, money_col + 1).value = 1500
    upload = read(saved(book))

    preview = importer.preview(upload, filing=filing)
    counts = preview.diff.indicator_counts
    assert (counts["added"], counts["removed"], counts["changed"]) == (1, 1, 1)
    assert preview.diff.field_count == 1

    importer.apply(upload, filing=filing, seen_version=filing.lock_version)
    rows = content(filing)["indicators"]
    assert [(r["level2"], r["name"], r["value"]) for r in rows] == [
        ("数量指标", "培训人数", "≥40(人)"),
        ("数量指标", "新增的指标", "≥3(次)"),
        ("数量指标", "培训场次", HOSTILE[4]),
        ("服务对象满意度指标", "满意度\n（多行）", "≥90%"),
    ]
    assert content(filing)["funds"]["total"] == "1500.00"


def test_a_row_copied_offline_becomes_a_new_row(orgs):
    filing = rich_project(orgs.elderly_centre)
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, _col = find(sheet, "培训场次")
    insert_row(sheet, row + 1)
    for col in range(4, 10):  # name, value, 指标解释, 设定依据 and the hidden key
        sheet.cell(row + 1, col).value = sheet.cell(row, col).value
    upload = read(saved(book))
    keys = [r["key"] for r in upload.data["indicators"]]
    assert keys[1] and keys[2] == ""  # the copy gets a key of its own when saved
    importer.apply(upload, filing=filing, seen_version=filing.lock_version)
    assert filing.indicators.count() == 5


def test_a_stale_upload_is_refused_and_changes_nothing(orgs):
    filing = rich_project(orgs.elderly_centre)
    seen = filing.lock_version
    claim(Filing.objects.get(pk=filing.pk), seen)  # a colleague saved meanwhile
    before = content(filing)
    book = workbook(export(filing))
    row, col = find(book.worksheets[0], HOSTILE[1])
    book.worksheets[0].cell(row, col).value = "≥99(人)"
    with pytest.raises(StaleEdit):
        importer.apply(read(saved(book)), filing=filing, seen_version=seen)
    assert content(filing) == before


def test_a_bad_row_saves_nothing_at_all(orgs):
    filing = rich_project(orgs.elderly_centre)
    before = content(filing)
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, "项目名称")
    sheet.cell(row, col + 1).value = "改过的名称"
    level_row, level_col = find(sheet, "满意度指标")
    sheet.cell(level_row, level_col + 1).value = "不存在的二级"
    with pytest.raises(importer.ExcelProblem) as refused:
        importer.apply(read(saved(book)), filing=filing, seen_version=filing.lock_version)
    assert "不在指标体系中" in str(refused.value)
    assert f"!{'C'}{level_row}" in str(refused.value)
    assert content(filing) == before


def test_errors_name_the_cell(orgs):
    filing = rich_project(orgs.elderly_centre)
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, "计划开始日期")
    sheet.cell(row, col + 1).value = "明年春天"
    money_row, money_col = find(sheet, "年度资金申请总额")
    sheet.cell(money_row, money_col + 1).value = "两百万"
    with pytest.raises(importer.ExcelProblem) as refused:
        read(saved(book))
    problems = refused.value.problems
    title = sheet.title
    assert f"「计划开始日期」({title}!B{row})：" in problems[0]
    assert f"「年度资金申请总额」({title}!E{money_row})：" in problems[1]


def test_a_new_draft_of_the_same_project_is_refused_with_the_existing_one_named(orgs):
    original = rich_project(orgs.elderly_centre)
    with pytest.raises(importer.ExcelProblem) as refused:
        importer.apply(read(export(original)), organisation=orgs.elderly_centre)
    assert f"编号 {original.pk}" in str(refused.value)
    assert Filing.objects.count() == 1


def test_a_sheet_of_another_form_is_refused_for_a_draft(orgs):
    project = rich_project(orgs.elderly_centre)
    unit = rich_unit(orgs.elderly_centre)
    with pytest.raises(importer.ExcelProblem) as refused:
        importer.apply(read(export(project)), filing=unit, seen_version=unit.lock_version)
    assert "表式不同" in str(refused.value)


def test_a_workbook_saved_by_excel_with_shared_strings_comes_back(orgs):
    original = rich_project(orgs.elderly_centre)
    data = with_shared_strings(export(original))
    assert b"xl/sharedStrings.xml" in data
    copy = importer.apply(read(data), organisation=orgs.disabled_federation)
    assert content(copy) == content(original)


@pytest.mark.parametrize(
    ("unit", "amounts"),
    [
        ("元", ("999999999999.99", "0.01", "0.10", "12345678901.23", "0.00")),
        ("万元", ("99999999.999999", "0.000001", "2013200.123456", "201.32", "0.00")),
    ],
)
def test_amounts_written_as_numbers_come_back_as_the_same_decimals(orgs, unit, amounts):
    fields = ("funds_total", "funds_fiscal", "annual_total", "annual_appropriation", "funds_other")
    filing = rich_project(orgs.elderly_centre)
    Filing.objects.filter(pk=filing.pk).update(
        money_unit=unit, **{f: Decimal(a) for f, a in zip(fields, amounts, strict=True)}
    )
    filing = Filing.objects.get(pk=filing.pk)
    data = export(filing)
    numbers = [c.value for row in workbook(data).worksheets[0].iter_rows() for c in row]
    assert sum(type(v) in (int, float) for v in numbers) == len(amounts)  # numbers, not text
    sheet = read(data)
    for field, amount in zip(
        ("total", "fiscal", "annual_total", "appropriation", "other"), amounts, strict=True
    ):
        assert Decimal(sheet.data["funds"][field]) == Decimal(amount), field


def test_a_sheet_with_levels_cut_at_page_breaks_comes_back_as_the_same_filing(orgs):
    original = long_project(orgs.elderly_centre)
    data = export(original)
    assert workbook(data).worksheets[0].row_breaks.brk  # the levels are cut
    copy = importer.apply(read(data), organisation=orgs.disabled_federation)
    # (make_filing leaves the variant blank; the sheet prints the city layout.)
    assert content(copy)["indicators"] == content(original)["indicators"]


# --- The 2021 fields (exports/excel_columns.py) -------------------------------------


def _with_2021_fields(filing):
    rows = list(filing.indicators.all())
    Indicator.objects.filter(pk=rows[0].pk).update(
        weight=Decimal("12.5"),
        direction=Indicator.Direction.NEGATIVE,
        core=True,
        basis_text="=依据2025年决算数据",  # formula-like: comes back as text
        period_value="≥3000人次",
    )
    Indicator.objects.filter(pk=rows[1].pk).update(weight=Decimal("7"), core=True)
    return Filing.objects.get(pk=filing.pk)


def test_the_2021_fields_come_back_from_the_sheet(orgs):
    original = _with_2021_fields(rich_project(orgs.elderly_centre))
    sheet = workbook(export(original)).worksheets[0]
    # Weights are numbers a clerk can sum; direction and 核心指标 in Chinese.
    weight_row, weight_col = find(sheet, "分值")
    assert sheet.cell(weight_row + 1, weight_col).value == 12.5
    assert find(sheet, "反向") and find(sheet, "是")
    copy = importer.apply(read(export(original)), organisation=orgs.disabled_federation)
    assert content(copy)["indicators"] == content(original)["indicators"]
    first = copy.indicators.first()
    assert (first.weight, first.direction, first.core) == (Decimal("12.5"), "negative", True)
    assert first.basis_text == "=依据2025年决算数据" and first.period_value == "≥3000人次"


def test_the_2021_fields_edited_in_the_sheet_are_saved(orgs):
    filing = _with_2021_fields(rich_project(orgs.elderly_centre))
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, "分值")
    sheet.cell(row + 1, col).value = 20
    sheet.cell(row + 1, col - 1).value = "正向"
    sheet.cell(row + 1, col + 1).value = None  # no longer a 核心指标
    importer.apply(read(saved(book)), filing=filing, seen_version=filing.lock_version)
    first = filing.indicators.first()
    assert (first.weight, first.direction, first.core) == (Decimal("20"), "positive", False)


def test_a_direction_that_is_not_one_is_refused_naming_its_cell(orgs):
    filing = _with_2021_fields(rich_project(orgs.elderly_centre))
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, "指标方向")
    sheet.cell(row + 1, col).value = "越多越好吧"
    sheet.cell(row + 2, col + 1).value = "二十分"
    with pytest.raises(importer.ExcelProblem) as refused:
        importer.apply(read(saved(book)), filing=filing, seen_version=filing.lock_version)
    assert f"「第 1 条三级指标的指标方向」({sheet.title}!K{row + 1})" in str(refused.value)


def test_a_sheet_of_an_older_export_keeps_the_rows_2021_fields(orgs):
    filing = rich_project(orgs.elderly_centre)
    older = export(filing)  # no 2021 columns: the filing used none of them then
    assert "分值" not in str(
        [c.value for r in workbook(older).worksheets[0].iter_rows() for c in r]
    )
    filing = _with_2021_fields(filing)
    before = content(filing)
    importer.apply(read(older), filing=filing, seen_version=filing.lock_version)
    assert content(filing)["indicators"] == before["indicators"]


# --- 预算执行率分值: the line under the rows, in the 分值 column ------------------------


def test_the_execution_weight_comes_back_exactly(orgs):
    original = _with_2021_fields(rich_project(orgs.elderly_centre))
    Filing.objects.filter(pk=original.pk).update(execution_weight=Decimal("12.35"))
    original.refresh_from_db()
    sheet = workbook(export(original)).worksheets[0]
    label_row, label_col = find(sheet, "预算执行率分值")
    assert sheet.cell(label_row, label_col + 1).value == 12.35  # a number, in the 分值 column
    assert (label_col + 1) == find(sheet, "分值")[1]
    copy = importer.apply(read(export(original)), organisation=orgs.disabled_federation)
    assert copy.execution_weight == Decimal("12.35")
    assert content(copy) == content(original)
    assert len(content(copy)["indicators"]) == original.indicators.count()  # no extra row


@pytest.mark.parametrize(("typed", "saved_as"), [(7.25, Decimal("7.25")), (None, None)])
def test_the_execution_weight_edited_in_the_sheet_is_saved(orgs, typed, saved_as):
    filing = _with_2021_fields(rich_project(orgs.elderly_centre))
    Filing.objects.filter(pk=filing.pk).update(execution_weight=Decimal(10))
    filing.refresh_from_db()
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, "预算执行率分值")
    sheet.cell(row, col + 1).value = typed  # blank: back to the edition's default
    importer.apply(read(saved(book)), filing=filing, seen_version=filing.lock_version)
    assert Filing.objects.get(pk=filing.pk).execution_weight == saved_as
    assert filing.indicators.count() == 4  # the line is no indicator


def test_a_bad_execution_weight_is_refused_naming_its_cell(orgs):
    filing = _with_2021_fields(rich_project(orgs.elderly_centre))
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, "预算执行率分值")
    sheet.cell(row, col + 1).value = "一百二"
    for apply in (
        lambda data: importer.apply(read(data), filing=filing, seen_version=filing.lock_version),
        lambda data: importer.apply(read(data), organisation=orgs.disabled_federation),
    ):
        with pytest.raises(importer.ExcelProblem) as refused:
            apply(saved(book))
        assert f"「预算执行率分值」({sheet.title}!{sheet.cell(row, col + 1).coordinate})" in str(
            refused.value
        )
    assert Filing.objects.get(pk=filing.pk).execution_weight is None
