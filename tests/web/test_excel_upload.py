"""导入Excel pages: who may upload, hostile files refused cleanly, preview then confirm."""

import io
import zipfile

import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from filings.editing import claim
from filings.models import Filing
from tests.factories import filing_in
from tests.helpers.excel import content, export, find, rich_project, saved, workbook, zip_bomb

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, url, data, name="申报.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def _payload(response):
    return response.context["payload"]


@pytest.fixture
def draft(orgs):
    return rich_project(orgs.elderly_centre)


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_filer_previews_then_replaces_the_draft(client, personas, draft):
    book = workbook(export(draft))
    row, col = find(book.worksheets[0], "培训人数")
    book.worksheets[0].cell(row, col).value = "参训人数"
    client.force_login(personas.filer)
    url = reverse("importers:upload_excel", args=[draft.pk])
    assert client.get(url).status_code == 200

    preview = _post(client, url, saved(book))
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "三级指标：新增 0 行，删除 0 行，修改 1 行" in text
    assert content(draft)["indicators"][0]["name"] == "培训人数"  # nothing saved yet

    confirm = reverse("importers:upload_excel_confirm", args=[draft.pk])
    done = client.post(confirm, {"payload": _payload(preview)})
    assert done.status_code == 302
    assert content(draft)["indicators"][0]["name"] == "参训人数"
    assert Filing.objects.get(pk=draft.pk).lock_version == draft.lock_version + 1


def test_the_preview_prints_changed_amounts_as_the_form_does(client, personas, draft):
    book = workbook(export(draft))
    row, col = find(book.worksheets[0], 201.32)  # an amount is a number on the sheet
    book.worksheets[0].cell(row, col).value = 1500000
    client.force_login(personas.filer)
    preview = _post(client, reverse("importers:upload_excel", args=[draft.pk]), saved(book))
    assert "年度资金申请总额：201.32 → 1,500,000.00" in preview.content.decode()


def test_a_confirmation_after_another_save_is_refused(client, personas, draft):
    client.force_login(personas.filer)
    preview = _post(client, reverse("importers:upload_excel", args=[draft.pk]), export(draft))
    claim(Filing.objects.get(pk=draft.pk), draft.lock_version)  # another tab saved
    before = content(draft)
    response = client.post(
        reverse("importers:upload_excel_confirm", args=[draft.pk]), {"payload": _payload(preview)}
    )
    assert response.status_code == 409
    assert "已被修改" in response.content.decode()
    assert content(draft) == before


def test_a_tampered_confirmation_is_refused(client, personas, draft):
    client.force_login(personas.filer)
    response = client.post(
        reverse("importers:upload_excel_confirm", args=[draft.pk]), {"payload": "x:y:z"}
    )
    assert response.status_code == 400
    assert "确认信息无效" in response.content.decode()


def test_new_draft_belongs_to_the_uploader_whatever_the_file_says(client, personas, draft):
    client.force_login(personas.outsider)  # 填报人 of 上海市残疾人联合会
    preview = _post(client, reverse("importers:upload_excel_new"), export(draft))
    assert preview.status_code == 200
    done = client.post(
        reverse("importers:upload_excel_new_confirm"), {"payload": _payload(preview)}
    )
    assert done.status_code == 302
    created = Filing.objects.exclude(pk=draft.pk).get()
    assert created.organisation == personas.outsider.organisation
    assert created.status == Filing.Status.DRAFT
    assert content(created) == content(draft)


def test_a_confirmation_clicked_twice_makes_one_draft(client, personas, draft):
    client.force_login(personas.outsider)
    preview = _post(client, reverse("importers:upload_excel_new"), export(draft))
    confirm = reverse("importers:upload_excel_new_confirm")
    first = client.post(confirm, {"payload": _payload(preview)})
    created = Filing.objects.exclude(pk=draft.pk).get()
    # The second click (or the page sent again) opens the first draft instead of a copy.
    second = client.post(confirm, {"payload": _payload(preview)}, follow=True)
    assert Filing.objects.exclude(pk=draft.pk).count() == 1
    assert first.url == second.redirect_chain[0][0] == reverse("filings:detail", args=[created.pk])
    assert "没有再新建一份" in second.content.decode()


def test_outsider_gets_404_on_another_organisations_filing(client, personas, draft):
    client.force_login(personas.outsider)
    url = reverse("importers:upload_excel", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert _post(client, url, export(draft)).status_code == 404
    confirm = reverse("importers:upload_excel_confirm", args=[draft.pk])
    assert client.post(confirm, {"payload": "x"}).status_code == 404


def test_submitted_filing_is_403_with_a_reason(client, personas, orgs):
    submitted = filing_in("department_review", orgs.elderly_centre, personas)
    client.force_login(personas.filer)
    response = _post(
        client, reverse("importers:upload_excel", args=[submitted.pk]), export(submitted)
    )
    assert response.status_code == 403
    assert "已提交、审核中或已批复的申报不能修改" in response.content.decode()


def test_reviewer_may_not_upload_a_new_draft(client, personas):
    client.force_login(personas.department_reviewer)
    assert client.get(reverse("importers:upload_excel_new")).status_code == 403


def _formula_workbook(draft):
    book = workbook(export(draft))
    row, col = find(book.worksheets[0], "培训人数")
    book.worksheets[0].cell(row, col).value = '=HYPERLINK("http://x","y")'  # a real formula
    return saved(book)


def _million_rows():
    book = Workbook()
    book.active["A1"] = "财政项目支出绩效目标申报表"
    book.active.cell(row=1_000_000, column=1, value="x")
    return saved(book)


def _broken():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "not xml at all")
    return out.getvalue()


def _xls():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000


HOSTILE_FILES = {
    "not a zip": (lambda d: "名称,金额\n项目,1\n".encode(), "不是 Excel 工作簿"),
    "an xls renamed": (lambda d: _xls(), "旧版 Excel（.xls）"),
    "a zip bomb": (lambda d: zip_bomb(), "压缩炸弹"),
    "a broken workbook": (lambda d: _broken(), "无法读取"),
    "a million rows": (lambda d: _million_rows(), "超过 2000 行"),
    "a formula": (_formula_workbook, "含有公式"),
    "an empty file": (lambda d: b"", "空的"),
}


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_files_are_refused_cleanly_and_nothing_is_saved(client, personas, draft, kind):
    make, message = HOSTILE_FILES[kind]
    data = make(draft)
    before = content(draft)
    client.force_login(personas.filer)
    for url in (
        reverse("importers:upload_excel", args=[draft.pk]),
        reverse("importers:upload_excel_new"),
    ):
        response = _post(client, url, data)
        assert response.status_code == 400, kind
        assert message in response.content.decode(), kind
        assert "文件未导入" in response.content.decode()
    assert content(draft) == before
    assert Filing.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused(client, personas, draft, settings):
    settings.EXCEL_UPLOAD_MAX_BYTES = 1024
    client.force_login(personas.filer)
    response = _post(client, reverse("importers:upload_excel", args=[draft.pk]), export(draft))
    assert response.status_code == 400
    assert "文件太大" in response.content.decode()


def test_upload_errors_name_the_cell(client, personas, draft):
    book = workbook(export(draft))
    sheet = book.worksheets[0]
    row, col = find(sheet, "项目资金总额")
    sheet.cell(row, col + 1).value = "一百万"
    client.force_login(personas.filer)
    response = _post(client, reverse("importers:upload_excel", args=[draft.pk]), saved(book))
    assert response.status_code == 400
    assert f"「项目资金总额」({sheet.title}!C{row})：" in response.content.decode()


def test_findings_of_the_checker_are_shown_with_their_cell(client, personas, draft):
    book = workbook(export(draft))
    sheet = book.worksheets[0]
    row, col = find(sheet, "满意度\n（多行）")
    sheet.cell(row, col + 2).value = "满意"  # a defect the checker flags
    client.force_login(personas.filer)
    response = _post(client, reverse("importers:upload_excel", args=[draft.pk]), saved(book))
    text = response.content.decode()
    assert response.status_code == 200
    assert f"<code>{sheet.title}!D{row}</code>" in text


def test_the_filing_page_and_new_page_offer_the_upload(client, personas, draft):
    client.force_login(personas.filer)
    detail = client.get(reverse("filings:detail", args=[draft.pk])).content.decode()
    assert reverse("importers:upload_excel", args=[draft.pk]) in detail
    new = client.get(reverse("filings:new")).content.decode()
    assert reverse("importers:upload_excel_new") in new
    client.force_login(personas.department_reviewer)
    detail = client.get(reverse("filings:detail", args=[draft.pk])).content.decode()
    assert reverse("importers:upload_excel", args=[draft.pk]) not in detail


def test_a_too_long_value_heading_is_refused_naming_its_cell(client, personas, draft):
    # Found by the property test: a number typed over the 指标值 heading (1e30 is read
    # as 31 digits) was refused with a message that named no cell.
    book = workbook(export(draft))
    sheet = book.worksheets[0]
    row, col = find(sheet, draft.default_value_heading)
    sheet.cell(row, col).value = 1e30
    client.force_login(personas.filer)
    response = _post(client, reverse("importers:upload_excel", args=[draft.pk]), saved(book))
    assert response.status_code == 400
    text = response.content.decode()
    assert "指标值列标题" in text
    assert f"{sheet.title}!{sheet.cell(row, col).coordinate}" in text


def test_a_weight_changed_in_the_sheet_is_previewed_then_saved(client, personas, draft):
    from_row = draft.indicators.first()
    draft.indicators.filter(pk=from_row.pk).update(weight=10, core=True)
    book = workbook(export(draft))
    sheet = book.worksheets[0]
    row, col = find(sheet, "分值")
    assert sheet.cell(row + 1, col).value == 10
    sheet.cell(row + 1, col).value = 25
    client.force_login(personas.filer)
    preview = _post(client, reverse("importers:upload_excel", args=[draft.pk]), saved(book))
    assert "三级指标：新增 0 行，删除 0 行，修改 1 行" in preview.content.decode()
    confirm = reverse("importers:upload_excel_confirm", args=[draft.pk])
    assert client.post(confirm, {"payload": _payload(preview)}).status_code == 302
    saved_row = draft.indicators.get(pk=from_row.pk)
    assert (saved_row.weight, saved_row.core) == (25, True)
