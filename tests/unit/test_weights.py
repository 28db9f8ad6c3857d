"""分值 of indicator rows: read as written, and shared by the rows left blank."""

from decimal import Decimal

import pytest

from indicators.models import Framework, Indicator, Level1, Level2
from indicators.weights import WeightError, effective_weights, parse_weight, total


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("10", Decimal("10.00")),
        ("12.5分", Decimal("12.50")),
        ("１５", Decimal("15.00")),
        ("", None),
    ],
)
def test_a_weight_is_read_as_published_forms_write_it(text, weight):
    assert parse_weight(text) == weight


@pytest.mark.parametrize(
    "text", ["-1", "100.01", "3.333", "十分", "1e2", "NaN", "0100.5", True, 1.5]
)
def test_a_weight_outside_0_to_100_or_not_a_number_is_refused_in_chinese(text):
    with pytest.raises(WeightError, match="分值"):
        parse_weight(text)


def _rows(*specs):
    rows = []
    for index, (level1, name, weight) in enumerate(specs):
        level2 = Level2(name="x", level1=Level1(name=level1))
        rows.append(Indicator(key=index, level2=level2, name=name, weight=weight))
    return rows


def _classic():
    return Framework(
        default_weights={"产出指标": 50, "效益指标": 30, "满意度指标": 10},
        execution_weight=Decimal(10),
    )


def test_blank_rows_share_their_first_level_evenly_to_the_cent_and_add_up_to_100():
    rows = _rows(
        ("产出指标", "a", None),
        ("产出指标", "b", None),
        ("产出指标", "c", None),
        ("效益指标", "d", None),
        ("满意度指标", "e", None),
    )
    weights, execution = effective_weights(rows, _classic())
    assert [weights[i] for i in range(3)] == [Decimal("16.67"), Decimal("16.67"), Decimal("16.66")]
    assert (weights[3], weights[4], execution) == (Decimal(30), Decimal(10), Decimal(10))
    assert total(weights, execution) == Decimal(100)


def test_a_weight_the_filer_set_stands_and_the_rest_of_its_level_share_what_is_left():
    rows = _rows(("产出指标", "a", Decimal(40)), ("产出指标", "b", None), ("产出指标", "", None))
    weights, _ = effective_weights(rows, _classic())
    assert weights == {0: Decimal(40), 1: Decimal(10), 2: None}


def test_an_overall_filing_carries_only_the_weights_set():
    rows = _rows(("产出指标", "a", Decimal(5)), ("效益指标", "b", None))
    weights, execution = effective_weights(rows, _classic(), is_project=False)
    assert weights == {0: Decimal(5), 1: None} and execution is None
