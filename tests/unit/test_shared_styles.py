"""Styles shared between the documents a process prints (exports/shared_styles.py).

Sharing is only worth having if nothing printed changes: every form, printed
after forms of every other kind have filled the cache, is byte for byte the
form printed with styles of its own.
"""

import pytest

from exports import bundle, pdf, shared_styles
from exports.document import build_document
from tests.helpers.print_forms import FORMS, project

pytestmark = pytest.mark.django_db


def _documents():
    # A form with the 2021 columns too: its indicator table prints at 9pt, in more columns.
    columns_2021 = project(indicators=4)
    for row in columns_2021["indicators"]:
        row.update(explanation="按实际完成的活动场次统计。", basis_text="历史标准", weight="10")
    forms = [*FORMS.values(), columns_2021]
    return [build_document(data, footer="草稿　非批复文本") for data in forms]


def _printed(documents):
    return [pdf._layout_form(document).write_pdf() for document in documents]


def _toc(documents):
    return bundle._toc_laid_out(documents, "汇总表", [2] * len(documents))[0].write_pdf()


@pytest.fixture
def alone(monkeypatch):
    """Print with styles of their own, as WeasyPrint does by itself."""

    def printed(what, documents):
        with monkeypatch.context() as patch:
            patch.setattr(pdf._weasyprint()[0], "shares_styles", False)
            return what(documents)

    return printed


def test_forms_print_the_same_with_styles_shared_across_documents(alone):
    documents = _documents()
    assert documents[-1].indicator_columns, "a form with the 2021 columns"
    # Each form in turn, and then each again after all the others (in reverse).
    shared = _printed(documents) + _printed(documents[::-1])
    assert shared_styles._styles, "styles were kept for the next document"
    assert shared == alone(_printed, documents) + alone(_printed, documents[::-1])


def test_a_bundle_toc_prints_the_same_after_forms_shared_their_styles(alone):
    documents = _documents()
    _printed(documents)
    assert _toc(documents) == alone(_toc, documents)


def test_the_cache_starts_again_when_full(monkeypatch):
    monkeypatch.setattr(shared_styles, "_styles", {})
    monkeypatch.setattr(shared_styles, "MAX_STYLES", 5)
    _printed(_documents()[:1])  # a form holds more than five distinct styles
    assert 0 < len(shared_styles._styles) <= 5
