"""Full-width folding: each function on the cases the copies it replaced handled."""

from decimal import Decimal

import pytest

from filings.money import parse_amount
from indicators.values import clean_value
from perfgoals.folding import compact_label, fold_value, fold_width, name_key


@pytest.mark.parametrize(
    "one, other",
    [
        # The library's cases: brackets and spaces of either width, case.
        ("培训覆盖率（%）", " 培训 覆盖率(%)"),
        ("服务对象满意度（％）", "服务对象满意度(%)"),
        ("ＰＭ２．５达标天数", "pm2.5达标天数"),
        # The checker's cases: check boxes and ideographic spaces from extraction.
        ("□培训人数", "培训人数"),
        ("■　培训人数\u3000", "培训人数"),
        ("培训\n人数\t", "培训人数"),
    ],
)
def test_spellings_of_one_name_share_a_key(one, other):
    assert name_key(one) == name_key(other)


def test_different_names_keep_different_keys():
    assert name_key("培训人数") != name_key("培训人次")
    assert name_key(None) == name_key("") == ""


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("≥９０％", "≥90%"),
        ("＝１００（％）", "=100(%)"),
        ("≧９５％", "≥95%"),
        ("≦５（天）", "≤5(天)"),
        ("□ ＞ ＝ □ ９０ ％", " > =  90 %"),
        ("$\\geq 85\\%$", "\\geq 85\\%"),
        ("ＡＢＣ级", "ABC级"),
        # The filer's Chinese punctuation is prose and is kept as typed.
        ("及时，准确；完整：是", "及时，准确；完整：是"),
    ],
)
def test_a_value_folds_its_numbers_and_signs_only(typed, folded):
    assert fold_value(typed) == folded


def test_a_value_is_stored_with_its_width_folded():
    assert clean_value("≥９０％，及时") == "≥90%，及时"


def test_every_full_width_sign_folds_for_text_that_is_read():
    assert fold_width("１２，０００．５０　－＋ＡＢ") == "12,000.50 -+AB"
    assert fold_width("项目（汇总）") == "项目(汇总)"


@pytest.mark.parametrize(
    "typed, amount",
    [("１２，０００．５０", Decimal("12000.50")), ("1\u3000000", Decimal("1000")), ("３", 3)],
)
def test_amounts_typed_in_full_width_read_as_numbers(typed, amount):
    assert parse_amount(typed) == amount


@pytest.mark.parametrize(
    "printed, compared",
    [
        ("产出 指标", "产出指标"),
        ("（金额单位：万元）", "(金额单位:万元)"),
        ("项目资金\n（元）", "项目资金(元)"),
        ("财政项目支出绩效目标申报表 (2024年度)", "财政项目支出绩效目标申报表(2024年度)"),
    ],
)
def test_a_label_is_compared_without_spaces_and_in_half_width(printed, compared):
    assert compact_label(printed) == compared
