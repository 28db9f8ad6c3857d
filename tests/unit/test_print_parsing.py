"""The print templates are read by the XML parser, a fiftieth of the HTML5 parser's time.

WeasyPrint's own HTML5 parser is pure Python: 15 ms a form, laid out once or
twice each, an eighth of a cold bundle. ``pdf._LeanHTML`` reads the forms and
the 目录 with the C XML parser instead, which needs the templates to write
well-formed XHTML (``<col/>``): an unclosed tag added one day would
silently send every form back to the slow parser. Text that XML cannot hold
still prints, through the HTML5 parser.
"""

import io
from xml.etree import ElementTree

import pdfplumber
import pytest

from exports import bundle, pdf
from exports.bands import print_bands
from exports.document import build_document
from exports.print_text import cell_markup
from tests.helpers.print_forms import FORMS


def _document(data):
    return build_document(data, footer="草稿　非批复文本")


@pytest.mark.parametrize("data", FORMS.values(), ids=FORMS.keys())
def test_every_form_is_written_as_well_formed_xhtml(data):
    document = _document(data)
    root = ElementTree.fromstring(pdf._form_html(document, print_bands(document)))
    assert root.tag == "html"
    # The numbers kept whole are elements; the breaks between them zero-width spaces.
    assert any(True for _ in root.iter("span"))
    assert "\u200b" in "".join(root.itertext())


def test_the_bundle_toc_is_written_as_well_formed_xhtml():
    documents = [_document(data) for data in FORMS.values()]
    html, _starts = bundle._toc_html(documents, "汇总表", [2, 2, 1, 1], 1)
    root = ElementTree.fromstring(html)
    assert [row.get("data-r") for row in root.iter("tr") if row.get("data-r")] == list("0123")


def test_a_form_with_text_xml_cannot_hold_still_prints():
    # A control character (the content service never stores one, a document built
    # from raw data may hold one): refused by XML, read by the HTML5 parser.
    plain = FORMS["project in 元"]
    data = dict(plain, name="残疾人\x0b权益保障经费")
    document = _document(data)
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(pdf._form_html(document, print_bands(document)))
    with pdfplumber.open(io.BytesIO(pdf.filing_pdf(document))) as printed:
        pages = len(printed.pages)
    with pdfplumber.open(io.BytesIO(pdf.filing_pdf(_document(plain)))) as printed:
        assert pages == len(printed.pages)


def test_only_numbers_a_line_could_cut_carry_a_span_of_their_own():
    # Each span is an element more to lay out: an ASCII number between breaks needs none.
    html = cell_markup("完成率=100%，满意度≥98%，共12345人次（残保金）", "value", 60)[0]
    assert "=100%" in html and 'class="nb">=100%' not in html
    assert ">12345<" not in html and "12345人次" in html
    assert '<span class="nb">≥98%</span>' in html  # ≥ may be a break opportunity
    assert '<span class="nb">（残保金）</span>' in html  # a break is allowed inside
    # Glued to Latin letters, a number is part of a longer run: it keeps its span.
    assert '<span class="nb">9001</span>' in cell_markup("ISO9001认证", "value", 60)[0]
    # Number after number: a break (a zero-width space) between them, no span needed.
    assert cell_markup("2023-01-01", "value", 60)[0] == "2023\u200b-01\u200b-01"
