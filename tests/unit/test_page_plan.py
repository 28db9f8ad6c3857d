"""Pages reckoned before the layout (exports/page_plan.py), held against WeasyPrint's own.

Where a plan is made, the real layout puts the same rows on the same pages and
the form is laid out once; where anything is in doubt there is no plan; a plan
the layout does not bear out is dropped and the form prints as it would have
without one.
"""

from pathlib import Path

import pytest

from exports import page_plan, pdf
from exports.bands import print_bands
from exports.document import build_document
from importers.published import parse_published
from indicators.taxonomy import from_fixture
from tests.helpers.print_forms import FORMS, indicator_rows, project

PUBLISHED = Path(__file__).resolve().parents[2] / "fixtures" / "published"


def _seed_forms():
    taxonomy = from_fixture()
    return [
        data
        for path in sorted(PUBLISHED.glob("*.txt"))
        for data in parse_published(path.read_text(encoding="utf-8"), taxonomy=taxonomy)
    ]


SEEDS = _seed_forms()


def _document(data):
    return build_document(data, footer="草稿　非批复文本")


@pytest.fixture
def layouts(monkeypatch):
    """Counts WeasyPrint's layouts."""
    count = []
    layout = pdf._layout
    monkeypatch.setattr(pdf, "_layout", lambda *args: count.append(1) or layout(*args))
    return count


def _pages_without_plan(document, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(page_plan, "plan", lambda document, bands: None)
        return pdf._rows_on_pages(pdf._layout_form(document))


@pytest.mark.parametrize("data", SEEDS, ids=[d["name"][:12] for d in SEEDS])
def test_a_plan_is_the_layout_weasyprint_makes(data, layouts, monkeypatch):
    document = _document(data)
    planned = page_plan.plan(document, print_bands(document))
    pages = pdf._rows_on_pages(pdf._layout_form(document))
    if planned is not None:
        assert pages == planned.pages
        assert len(layouts) == 1
    assert pages == _pages_without_plan(document, monkeypatch)


def test_the_seeds_forms_of_more_than_a_page_are_planned():
    planned = {
        data["name"]: page_plan.plan(_document(data), print_bands(_document(data)))
        for data in SEEDS
        if data["form"] == "project"
    }
    several = [name for name, plan in planned.items() if plan and len(plan.pages) > 1]
    assert len(several) >= 3
    assert sum(plan is not None for plan in planned.values()) >= len(planned) * 2 / 3


@pytest.mark.parametrize("data", FORMS.values(), ids=FORMS.keys())
def test_stretched_forms_print_the_same_planned_or_not(data, monkeypatch):
    document = _document(data)
    assert pdf._rows_on_pages(pdf._layout_form(document)) == _pages_without_plan(
        document, monkeypatch
    )


def test_a_form_whose_last_page_would_hold_two_rows_is_planned_with_rows_moved_on(layouts):
    for count in range(8, 40):
        document = _document(project(indicators=count, annual_goal="一二三"))
        planned = page_plan.plan(document, print_bands(document))
        if planned is not None and planned.starts:
            break
    else:
        pytest.fail("no form of 8 to 40 indicators had rows moved on to its last page")
    pages = pdf._rows_on_pages(pdf._layout_form(document))
    assert pages == planned.pages
    assert len(set(pages[-1])) >= 3
    assert len(layouts) == 1


def test_a_wrong_plan_is_dropped_and_the_form_prints_as_without_one(monkeypatch):
    document = _document(project(indicators=30))
    right = _pages_without_plan(document, monkeypatch)
    assert len(right) > 1
    # A plan that breaks the page two rows early: the layout does not bear it out.
    early = [page[:] for page in right]
    early[1][:0] = early[0][-2:]
    del early[0][-2:]
    wrong = page_plan.Plan(early, {early[1][0]}, set())
    monkeypatch.setattr(page_plan, "plan", lambda document, bands: wrong)
    assert pdf._rows_on_pages(pdf._layout_form(document)) == right


def test_a_character_the_width_table_does_not_know_means_no_plan(monkeypatch):
    data = project(indicators=0)
    data["indicators"] = indicator_rows(30)
    data["indicators"][3]["name"] = "α粒子探测器校准完成率"
    document = _document(data)
    assert page_plan.plan(document, print_bands(document)) is None
    assert pdf._rows_on_pages(pdf._layout_form(document)) == _pages_without_plan(
        document, monkeypatch
    )


@pytest.mark.parametrize(
    ("text", "room", "lines"),
    [
        ("一" * 18, 18.99, 1),
        ("一" * 19, 18.99, 2),
        ("一" * 36, 18.99, 2),
        # A closing mark does not start a line: it takes the character before it along.
        ("一" * 18 + "，二", 18.99, 2),
        # A number is never cut: it moves to the next line whole.
        ("一" * 17 + "12345", 18.99, 2),
        ("一" * 10 + "12345", 18.99, 1),
        # Spaces run together (white-space: pre-line), a space ending a line takes no room.
        ("一" * 9 + "    " + "一" * 9, 18.99, 1),
    ],
)
def test_lines_are_broken_as_pango_breaks_them(text, room, lines):
    assert page_plan._lines(text, room) == lines


@pytest.mark.parametrize(
    ("text", "room"),
    [
        ("一" * 17 + "AV", 18.5),  # letters the font may kern, at the end of a full line
        ("一" * 18, 18.001),  # within a hair of full
        ("1" * 40, 10.0),  # a number wider than the cell: cut anywhere
    ],
)
def test_a_line_that_may_or_may_not_hold_its_text_is_doubtful(text, room):
    with pytest.raises(page_plan.Doubtful):
        page_plan._lines(text, room)
