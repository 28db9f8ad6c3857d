"""导入Excel within bounds of cells and bytes (issue 19): each hostile workbook refused
with a message naming the bound and the figure, nothing saved; the sheets the form
does not need never read; a few uploads at once per process, the others told to wait.

How fast each is refused, and the memory of the refusing process, are measured by
the benchmark (``benchmarks/uploads.py``), not here.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from filings import limits
from filings.models import Filing
from importers import slots
from tests.helpers import hostile_xlsx as hostile
from tests.helpers.excel import content, export, rich_project, with_shared_strings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, url, data):
    return client.post(url, {"file": SimpleUploadedFile("申报.xlsx", data, content_type=XLSX)})


@pytest.fixture
def draft(orgs):
    return rich_project(orgs.elderly_centre)


def _shared(draft):
    return with_shared_strings(export(draft))


# Each: how the file is made from the draft, and what the refusal must say.
HOSTILE = {
    "a wide sheet": (
        lambda d: hostile.wide_sheet(export(d)),
        "工作表「残疾预防与康复经费」解压后有 3",  # ~36 MB
    ),
    "huge shared strings": (
        lambda d: hostile.huge_shared_strings(_shared(d)),
        "共享字符串表（sharedStrings.xml）解压后有",
    ),
    "a renamed macro project": (lambda d: hostile.renamed_macro(export(d)), "含有宏"),
    "a macro known by its relationship": (
        lambda d: hostile.renamed_macro(export(d), by=("relationship",)),
        "含有宏",
    ),
    "a macro known by its content type": (
        lambda d: hostile.renamed_macro(export(d), by=("content type",)),
        "含有宏",
    ),
    "an ActiveX control": (lambda d: hostile.activex(export(d)), "含有 ActiveX 控件"),
    "an external link": (lambda d: hostile.external_link(export(d)), "外部链接"),
    "too many cells": (
        lambda d: hostile.many_cells(export(d)),
        f"超过 {limits.MAX_SHEET_CELLS} 个单元格，上限为",
    ),
    "a far column": (lambda d: hostile.far_column(export(d)), "用到了第 300 列，上限为 256 列"),
    "too many shared strings": (
        lambda d: hostile.many_strings(_shared(d)),
        f"共享字符串表超过 {limits.MAX_SHARED_STRINGS} 条文字",
    ),
    "too many styles": (
        lambda d: hostile.many_styles(export(d)),
        f"样式表有超过 {limits.MAX_STYLES} 种单元格格式",
    ),
    "merged ranges over the whole sheet": (
        lambda d: hostile.merged_everywhere(export(d)),
        f"合并单元格覆盖超过 {limits.MAX_MERGED_CELLS} 个单元格",
    ),
    "too many XML elements": (
        lambda d: hostile.many_elements(export(d)),
        f"超过 {limits.MAX_XML_ELEMENTS} 个 XML 元素",
    ),
    "deep nesting": (
        lambda d: hostile.deep_nesting(export(d)),
        f"嵌套超过 {limits.MAX_XML_DEPTH} 层",
    ),
    "a sheet name Excel cannot save": (
        lambda d: hostile.long_title(export(d)),
        "超过 31 个字符",
    ),
    "an entity bomb": (lambda d: hostile.entity_bomb(export(d)), "文件含有 DTD"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_workbooks_are_refused_naming_the_bound(client, personas, draft, kind):
    make, message = HOSTILE[kind]
    data = make(draft)
    assert len(data) <= 5 * 1024 * 1024, "the file must pass the size limit to test the bound"
    before = content(draft)
    client.force_login(personas.filer)
    for url in (
        reverse("importers:upload_excel", args=[draft.pk]),
        reverse("importers:upload_excel_new"),
    ):
        response = _post(client, url, data)
        assert response.status_code == 400, kind
        assert message in response.content.decode(), response.context["problems"]
        assert "文件未导入" in response.content.decode()
    assert content(draft) == before
    assert Filing.objects.count() == 1


def test_a_read_past_its_time_budget_is_refused(client, personas, draft, monkeypatch):
    monkeypatch.setattr(limits, "READ_SECONDS", 0)
    client.force_login(personas.filer)
    response = _post(client, reverse("importers:upload_excel", args=[draft.pk]), export(draft))
    assert response.status_code == 400
    assert "读取工作簿超过了 0 秒的时限" in response.content.decode()


def test_a_sheet_the_form_does_not_need_is_never_read(client, personas, draft):
    # The wide rows that refuse the form sheet, on a hidden second sheet: never inflated.
    data = hostile.unread_sheet(with_shared_strings(export(draft)))
    client.force_login(personas.filer)
    response = _post(client, reverse("importers:upload_excel", args=[draft.pk]), data)
    assert response.status_code == 200, response.context.get("problems")
    assert response.context["preview"].after["indicators"] == content(draft)["indicators"]


def test_uploads_past_the_slots_of_the_process_are_told_to_wait(
    client, personas, draft, monkeypatch
):
    monkeypatch.setattr(limits, "UPLOAD_WAIT_SECONDS", 0.01)
    client.force_login(personas.filer)
    url = reverse("importers:upload_excel", args=[draft.pk])
    held = [slots.upload_slot() for _ in range(limits.UPLOADS_AT_ONCE)]
    for slot in held:
        slot.__enter__()
    try:
        busy = _post(client, url, export(draft))
    finally:
        for slot in held:
            slot.__exit__(None, None, None)
    assert busy.status_code == 503
    assert busy["Retry-After"] == "5"
    assert "系统繁忙" in busy.content.decode()
    # The slots are free again: the same file is read.
    assert _post(client, url, export(draft)).status_code == 200
