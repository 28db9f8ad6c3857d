"""Attachments in Chromium: the filer uploads a PDF in the wizard and sees it, a renamed
program is refused with the file named, a second file is deleted after the confirmation,
and the department's reviewer downloads the PDF from the review page."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, open_page
from tests.factories import do, ready_filing
from tests.helpers import attachment_files as files


def test_the_filer_uploads_a_pdf_and_the_reviewer_downloads_it(
    page, browser, base_url, login, shot, personas, orgs, tmp_path
):
    filing = ready_filing(orgs.elderly_centre, name="老龄中心项目")
    basis = tmp_path / "立项依据（区发改委批复）.pdf"
    basis.write_bytes(files.pdf(2))
    program = tmp_path / "测算明细.pdf"
    program.write_bytes(files.exe())
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(files.image("PNG"))

    login(page, personas.filer)
    page.goto(f"/filings/{filing.pk}/edit/review/")
    panel = page.get_by_test_id("attachments")
    expect(panel.get_by_test_id("no-attachments")).to_be_visible()
    panel.get_by_label("附件类别").select_option(label="立项依据")
    panel.get_by_label("说明").fill("闵发改〔2024〕12号")
    panel.get_by_label("文件", exact=True).set_input_files(basis)
    panel.get_by_role("button", name="上传附件").click()
    expect(page).to_have_url(f"{base_url}/filings/{filing.pk}/edit/review/#attachments")
    panel = page.get_by_test_id("attachments")
    expect(panel.get_by_role("link", name="立项依据（区发改委批复）.pdf")).to_be_visible()
    expect(panel).to_contain_text("闵发改〔2024〕12号")
    shot(page, "wizard-uploaded")

    # A program renamed .pdf: refused, the file named, the description kept.
    panel.get_by_label("说明").fill("测算表")
    panel.get_by_label("文件", exact=True).set_input_files(program)
    panel.get_by_role("button", name="上传附件").click()
    refused = page.get_by_test_id("upload-error")
    expect(refused).to_contain_text("「测算明细.pdf」未上传：文件内容不是可接受的类型")
    expect(page.get_by_label("说明")).to_have_value("测算表")
    shot(page, "renamed-program-refused")

    # A second file, then deleted after the confirmation dialog.
    page.get_by_label("文件", exact=True).set_input_files(photo)
    page.get_by_role("button", name="上传附件").click()
    row = page.locator("tr", has_text="现场照片.png")
    row.get_by_role("button", name="删除").click()
    dialog = page.locator("dialog.pg-confirm")
    expect(dialog).to_contain_text("删除附件「现场照片.png」？")
    shot(page, "delete-confirmation")
    dialog.get_by_role("button", name="删除").click()
    expect(page.locator("tr", has_text="现场照片.png")).to_have_count(0)
    expect(page.get_by_role("link", name="立项依据（区发改委批复）.pdf")).to_be_visible()

    phone, _problems = open_page(browser, base_url, PHONE)
    login(phone, personas.filer)
    phone.goto(f"/filings/{filing.pk}/edit/review/#attachments")
    shot(phone, "wizard-phone")
    phone.context.close()

    do("submit", filing, personas.filer)
    reviewer, problems = open_page(browser, base_url)
    login(reviewer, personas.department_reviewer)
    reviewer.goto(f"/filings/{filing.pk}/review/")
    link = reviewer.get_by_test_id("attachments").get_by_role(
        "link", name="立项依据（区发改委批复）.pdf"
    )
    expect(link).to_be_visible()
    expect(reviewer.get_by_test_id("attachments").get_by_role("button", name="删除")).to_have_count(
        0
    )
    shot(reviewer, "review-page")
    with reviewer.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "立项依据（区发改委批复）.pdf"
    assert Path(download.value.path()).read_bytes() == files.pdf(2)

    reviewer.goto(f"/filings/{filing.pk}/")
    versions = reviewer.get_by_test_id("versions")
    versions.get_by_text("附件 1 个").click()
    expect(versions).to_contain_text("SHA-256")
    shot(reviewer, "versions-with-hashes")
    reviewer.context.close()
    assert not problems, problems
