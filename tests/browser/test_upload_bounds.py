"""导入Excel in Chromium: a workbook made to exhaust the server is refused on the page at
once, with the bound it broke, and the form is there to choose another file."""

from playwright.sync_api import expect

from tests.helpers import hostile_xlsx as hostile
from tests.helpers.excel import export


def test_a_hostile_workbook_is_refused_with_its_bound(
    page, login, shot, personas, filings, tmp_path
):
    centre = filings["centre"]
    wide = tmp_path / "申报.xlsx"
    wide.write_bytes(hostile.wide_sheet(export(centre)))
    login(page, personas.filer)
    page.goto(f"/filings/{centre.pk}/import-excel/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(wide)
    page.get_by_role("button", name="上传并检查").click()
    problems = page.get_by_test_id("upload-problems")
    expect(problems).to_contain_text("文件未导入")
    expect(problems).to_contain_text("上限为 8.0 MB")
    shot(page, "wide-sheet-refused")
    expect(page.get_by_label("Excel 文件（.xlsx）")).to_be_visible()
