"""Property tests of the published-form importer (``import_published``).

A real extracted form (tests/samples) with hostile text put into one of its cells,
noise lines inserted, or cut short: ``import_file`` never raises, it imports the
file whole or reports in Chinese why not (naming the line), and a refused file
leaves the database as it was. Each example is rolled back at its end.
"""

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from filings.models import Filing
from filings.serialization import filing_to_dict
from importers.loader import import_file
from tests.helpers import strategies as hostile
from tests.helpers.properties import per_example_rollback, rolled_back

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).resolve().parents[1] / "samples" / "edition_2021_project.txt").read_text(
    "utf-8"
)
LINES = SAMPLE.splitlines()

noise = st.sampled_from(
    [
        "$\\geqslant$ 90\\%",
        "□是 ■否",
        "第 1 页 共 3 页",
        "|---|---|",
        "\t\t\t\t\t\t\t\t\t\t\t\t",
        "绩\n效",
        "一级指标\t二级指标\t三级指标\t指标值",
        "金额单位：亿元",
        "（2026年度）",
        "项目名称\t\t项目名称",
    ]
)


@st.composite
def damaged_sample(draw):
    lines = list(LINES)
    how = draw(st.sampled_from(["cell", "insert", "cut"]))
    if how == "cell":
        number = draw(st.integers(0, len(lines) - 1))
        cells = lines[number].split("\t")
        index = draw(st.integers(0, len(cells) - 1))
        cells[index] = draw(
            st.one_of(hostile.hostile_text, hostile.amount_text, hostile.value_text)
        )
        lines[number] = "\t".join(cells)
    elif how == "insert":
        number = draw(st.integers(0, len(lines)))
        lines.insert(number, draw(st.one_of(noise, hostile.hostile_text)))
    else:
        return SAMPLE[: draw(st.integers(0, len(SAMPLE)))]
    return "\n".join(lines)


def _state():
    return [filing_to_dict(f) for f in Filing.objects.order_by("pk")]


def _with_cell(label, value):
    """The sample with the cell after ``label`` replaced by ``value``."""
    return re.sub(f"({re.escape(label)}\t)[^\t\n]*", lambda m: m[1] + value, SAMPLE, count=1)


@per_example_rollback
@given(text=damaged_sample())
@example(text=_with_cell("年度资金总额", "9" * 30))
@example(text=_with_cell("年度资金总额", "1e+29"))
@example(text=_with_cell("年度资金总额", "-5"))
@example(text=_with_cell("项目名称", "滨河路\x00改建"))
@example(text=_with_cell("项目名称", "滨" * 10_000))
@example(text=_with_cell("每公里改建成本", "=" + "9" * 30))
@example(text=_with_cell("每公里改建成本", "≤1.1234567万元"))
@example(text=_with_cell("计划开始日期", "99999/1/1"))
@example(text=_with_cell("计划开始日期", "2026/13/45"))
@example(text="")
def test_import_file_whole_or_nothing(tmp_path, orgs, text):
    path = tmp_path / "form.txt"
    path.write_text(text, encoding="utf-8")

    def check():
        before = _state()
        report = import_file(path, organisation=orgs.elderly_centre)
        if report.error:
            assert re.search(r"[\u4e00-\u9fff]", report.error), report.error
            assert _state() == before
        else:
            for data in report.filings:
                filing = Filing.objects.get(name=data["name"], organisation=orgs.elderly_centre)
                assert filing_to_dict(filing)["indicators"] == data["indicators"]

    rolled_back(check)


def test_the_undamaged_sample_imports(tmp_path, orgs):
    # Without this the property above could pass by refusing everything.
    path = tmp_path / "form.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    report = import_file(path, organisation=orgs.elderly_centre)
    assert not report.error
    assert Filing.objects.filter(
        organisation=orgs.elderly_centre, name__startswith="滨河路"
    ).exists()
