"""Property tests of 导入Excel: the filing's own workbook with one cell made hostile,
and files that are not workbooks at all.

Through the real pages: the upload answers a preview or a refusal naming the cell
(``Sheet!B7``), never a 500; confirming the preview saves the whole sheet or nothing;
the filing's pages and its Excel download still open. Each example is rolled back.
"""

import datetime
import functools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from filings.models import Filing
from tests.helpers import strategies as hostile
from tests.helpers.excel import export, saved, workbook, zip_bomb
from tests.helpers.properties import (
    pages_still_open,
    per_example_rollback,
    rolled_back,
    snapshot,
)

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

cell_value = st.one_of(
    hostile.hostile_text.map(lambda text: text.replace("\x00", "")),  # openpyxl refuses NUL
    hostile.amount_text,
    hostile.value_text.map(lambda text: text.replace("\x00", "")),
    st.sampled_from(["=cmd|' /C calc'!A0", "=1/0", "=A1", "=SUM(1,2)", "_x000B_", "_x0000_"]),
    st.integers(min_value=-(10**20), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(datetime.datetime(2024, 1, 1)),
    st.just(True),
    st.none(),
)


def _upload(client, filing, data, name="申报.xlsx"):
    url = reverse("importers:upload_excel", args=[filing.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


@functools.cache
def _zip_bomb():
    return zip_bomb()  # 200 MiB to deflate: once per run


def _names_a_cell(problems):
    return all(re.search(r"![A-Z]+\d+|第 ?\d+ ?行|文件|上传|工作表|表", str(p)) for p in problems)


def _upload_and_confirm(client, filing, data):
    before = snapshot(filing)
    preview = _upload(client, filing, data)
    assert preview.status_code in (200, 400), preview.content[:300]
    if preview.status_code == 400:
        problems = preview.context["problems"]
        assert problems and _names_a_cell(problems), problems
        assert snapshot(filing) == before
    else:
        confirm = reverse("importers:upload_excel_confirm", args=[filing.pk])
        done = client.post(confirm, {"payload": preview.context["payload"]})
        assert done.status_code in (302, 400), done.content[:300]
        if done.status_code == 400:
            assert snapshot(filing) == before
    pages_still_open(client, Filing.objects.get(pk=filing.pk))


class DraftBook(tuple):
    """(filing, workbook bytes, coordinates of its filled cells), printed short."""

    def __repr__(self):
        return f"<workbook of {self[0]}>"


@pytest.fixture
def draft_book(filings):
    filing = filings["centre"]
    book = workbook(export(filing))
    sheet = book.active
    cells = [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None and type(cell).__name__ != "MergedCell"
    ]
    return DraftBook((filing, saved(book), cells))


@settings(per_example_rollback, max_examples=15)
@given(data=st.data(), value=cell_value)
@example(data=None, value="9" * 30)
@example(data=None, value=datetime.datetime(2024, 1, 1))
@example(data=None, value="a\x0bb")
@example(data=None, value="_x000B_")
def test_one_hostile_cell(client, personas, draft_book, data, value):
    filing, content, cells = draft_book
    client.force_login(personas.filer)
    book = workbook(content)
    sheet = book.active
    # An explicit example takes a cell in the middle of the sheet (the funds rows).
    coordinate = data.draw(st.sampled_from(cells)) if data else cells[len(cells) // 2]
    try:
        sheet[coordinate] = value
    except (ValueError, TypeError, IllegalCharacterError):
        return  # openpyxl itself refuses to write it: no such file can exist
    rolled_back(lambda: _upload_and_confirm(client, filing, saved(book)))


@settings(per_example_rollback, max_examples=10)
@given(
    damage=st.sampled_from(["truncate", "garbage", "bomb", "empty", "zip_of_nothing"]),
    cut=st.floats(0, 1, exclude_max=True),  # cut at 1.0 is the whole, valid workbook
)
def test_files_that_are_not_workbooks(client, personas, draft_book, damage, cut):
    filing, content, _cells = draft_book
    client.force_login(personas.filer)
    data = {
        "truncate": content[: int(len(content) * cut)],
        "garbage": bytes(range(256)) * 10,
        "bomb": _zip_bomb(),
        "empty": b"",
        "zip_of_nothing": b"PK\x05\x06" + b"\x00" * 18,
    }[damage]

    def check():
        before = snapshot(filing)
        response = _upload(client, filing, data)
        assert response.status_code == 400, response.content[:300]
        assert response.context["problems"]
        assert snapshot(filing) == before
        pages_still_open(client, filing)

    rolled_back(check)


@settings(per_example_rollback, max_examples=10)
@given(
    name=st.sampled_from(
        ["perfgoals.sheets", "perfgoals.format"]
        + [
            f"perfgoals.1.{name}"
            for name in (
                "form",
                "year",
                "variant",
                "money_unit",
                "value_heading",
                "input_note",
                "organisation",
                "name",
                "content_hash",
                "filing_id",
                "lock_version",
            )
        ]
    ),
    value=st.one_of(hostile.plain_text, hostile.amount_text).map(lambda t: t.replace("\x00", "")),
)
@example(name="perfgoals.sheets", value="²")
@example(name="perfgoals.sheets", value="abc")
@example(name="perfgoals.1.year", value="²")
def test_edited_file_properties(client, personas, draft_book, name, value):
    # Excel's File › Properties › Custom lets a filer change what the export wrote there.
    from openpyxl.packaging.custom import StringProperty

    filing, content, _cells = draft_book
    client.force_login(personas.filer)
    book = workbook(content)
    props = book.custom_doc_props
    props.props = [prop for prop in props if prop.name != name]
    try:
        props.append(StringProperty(name=name, value=value))
        data = saved(book)
    except (ValueError, TypeError, IllegalCharacterError):
        return  # openpyxl refuses to write it: no such file can exist
    rolled_back(lambda: _upload_and_confirm(client, filing, data))
