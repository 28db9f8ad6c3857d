"""Fonts subset in one pass (exports/font_subset.py): the PDFs are byte for byte
the ones WeasyPrint's two passes make, for forms of every kind (the title in the
sans face, the text in the serif, amounts down to 7pt)."""

import pytest
from weasyprint.pdf import fonts

from exports import font_subset, pdf
from exports.document import build_document
from tests.helpers.print_forms import FORMS

pytestmark = pytest.mark.django_db


def _printed():
    documents = [build_document(data, footer="草稿　非批复文本") for data in FORMS.values()]
    return [pdf._layout_form(document).write_pdf() for document in documents]


@pytest.fixture
def weasyprint_subsets(monkeypatch):
    """The families of the fonts WeasyPrint's own subsetting makes, as it makes them."""
    pdf._weasyprint()  # installs the one pass
    weasyprints, made = font_subset._subset.weasyprint, []

    def counted(font, to_unicode, hinting):
        made.append(font.family)
        return weasyprints(font, to_unicode, hinting)

    monkeypatch.setattr(font_subset._subset, "weasyprint", counted)
    return made


def test_one_pass_makes_the_pdfs_weasyprints_two_passes_make(monkeypatch, weasyprint_subsets):
    once = _printed()
    assert weasyprint_subsets == [], "every font subset in one pass"
    # WeasyPrint's own, for every font.
    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", font_subset._subset.weasyprint)
    assert _printed() == once
    assert len(weasyprint_subsets) == 2 * len(once)


def test_a_font_the_one_pass_cannot_make_is_left_to_weasyprint(monkeypatch, weasyprint_subsets):
    once = _printed()
    monkeypatch.setattr(font_subset, "subset_once", lambda font, to_unicode, hinting: False)
    assert _printed() == once
    # Both faces of every form: the serif text and the sans title.
    assert set(weasyprint_subsets) == {"Noto Serif CJK SC", "Noto Sans CJK SC"}
