"""Tests for indicators.values: cleaning, parsing and writing indicator target values.

Pure Python: no database, no Django.
"""

from decimal import Decimal

import pytest

from indicators.values import (
    GARBLED_UNIT,
    NO_NUMBER,
    OPERATORS,
    QUALITATIVE,
    QUANTITATIVE,
    ParsedValue,
    clean_value,
    format_value,
    parse_value,
)

Q, T = QUANTITATIVE, QUALITATIVE

# Every distinct value cell of the indicator rows in fixtures/published/*.txt, with the
# expected (value type, operator, number as written, unit), checked by hand against the forms.
SEED_VALUES = [
    # City finance system style: operator, number, unit in parentheses.
    ("≥30.00(户)", Q, "≥", "30.00", "户"),
    ("=469.00(人)", Q, "=", "469.00", "人"),
    ("≤25.00(家)", Q, "≤", "25.00", "家"),
    ("≥6962.00(人)", Q, "≥", "6962.00", "人"),
    ("≥200.00(人)", Q, "≥", "200.00", "人"),
    ("=14.00(街镇)", Q, "=", "14.00", "街镇"),
    ("≥80.00(%)", Q, "≥", "80.00", "%"),
    ("=48.00(家)", Q, "=", "48.00", "家"),
    ("=7.00(套)", Q, "=", "7.00", "套"),
    ("=1000.00(户)", Q, "=", "1000.00", "户"),
    ("≥66575.00(人次)", Q, "≥", "66575.00", "人次"),
    ("≥352200.00(人次)", Q, "≥", "352200.00", "人次"),
    ("=7.00(人)", Q, "=", "7.00", "人"),
    ("≥12600.00(人次)", Q, "≥", "12600.00", "人次"),
    ("≥1342.00(人次)", Q, "≥", "1342.00", "人次"),
    ("=210.00(张)", Q, "=", "210.00", "张"),
    ("≥2910.00(人次)", Q, "≥", "2910.00", "人次"),
    ("=17.00(家)", Q, "=", "17.00", "家"),
    ("=160.00(张)", Q, "=", "160.00", "张"),
    ("=100.00(%)", Q, "=", "100.00", "%"),
    ("=100(%)", Q, "=", "100", "%"),
    ("≥85.00(%)", Q, "≥", "85.00", "%"),
    ("≥5.00(次)", Q, "≥", "5.00", "次"),
    ("=2(个)", Q, "=", "2", "个"),
    ("≥3000.00(人次)", Q, "≥", "3000.00", "人次"),
    ("=0.00(次)", Q, "=", "0.00", "次"),
    ("≥85(%)", Q, "≥", "85", "%"),
    ("≥90(%)", Q, "≥", "90", "%"),
    ("=2.00(个)", Q, "=", "2.00", "个"),
    ("=0.00(个)", Q, "=", "0.00", "个"),
    ("≥4000.00(人次)", Q, "≥", "4000.00", "人次"),
    ("≥2.00(次)", Q, "≥", "2.00", "次"),
    ("≥100.00(人次)", Q, "≥", "100.00", "人次"),
    ("≥4.00(个)", Q, "≥", "4.00", "个"),
    ("=0(次)", Q, "=", "0", "次"),
    ("≥50.00(%)", Q, "≥", "50.00", "%"),
    ("=0.00(件)", Q, "=", "0.00", "件"),
    ("=1.00(次)", Q, "=", "1.00", "次"),
    (">100(%)", Q, ">", "100", "%"),
    ("≥90.00(%)", Q, "≥", "90.00", "%"),
    ("=1.00(场)", Q, "=", "1.00", "场"),
    ("≥1.00(次)", Q, "≥", "1.00", "次"),
    ("≥2.00(项)", Q, "≥", "2.00", "项"),
    # A space before the parenthesised unit (seed 004, 残疾人事业综合保障经费).
    ("=100 (%)", Q, "=", "100", "%"),
    ("=100.00 (%)", Q, "=", "100.00", "%"),
    ("≥90 (%)", Q, "≥", "90", "%"),
    ("≥85 (%)", Q, "≥", "85", "%"),
    # District style: unit straight after the number, often no operator.
    ("3户", Q, "", "3", "户"),
    ("2450人次", Q, "", "2450", "人次"),
    ("100%", Q, "", "100", "%"),
    ("3人", Q, "", "3", "人"),
    ("45次", Q, "", "45", "次"),
    ("400份", Q, "", "400", "份"),
    ("212人", Q, "", "212", "人"),
    ("7项", Q, "", "7", "项"),
    ("630人", Q, "", "630", "人"),
    ("4536人次", Q, "", "4536", "人次"),
    ("12次", Q, "", "12", "次"),
    ("0%", Q, "", "0", "%"),
    ("0起", Q, "", "0", "起"),
    ("≥100人次", Q, "≥", "100", "人次"),
    ("≥90%", Q, "≥", "90", "%"),
    ("≥85%", Q, "≥", "85", "%"),
    ("≥95%", Q, "≥", "95", "%"),
    # Bare numbers under 满意度 (a defect the checks flag, but a quantitative value).
    ("85", Q, "", "85", ""),
    ("90", Q, "", "90", ""),
    # LaTeX left by the PDF extraction.
    (r"$\geq 85.00\%$", Q, "≥", "85.00", "%"),
    # Qualitative.
    ("及时", T, "", None, ""),
    ("健全", T, "", None, ""),
    ("提高", T, "", None, ""),
    ("有效", T, "", None, ""),
    ("提升", T, "", None, ""),
    ("提升□", T, "", None, ""),
    ("良好", T, "", None, ""),
    ("改善", T, "", None, ""),
    ("增加", T, "", None, ""),
    ("促进", T, "", None, ""),
    ("减轻", T, "", None, ""),
    ("达标", T, "", None, ""),
    ("合格", T, "", None, ""),
    ("符合", T, "", None, ""),
    ("规范", T, "", None, ""),
    ("顺利", T, "", None, ""),
    ("确定", T, "", None, ""),
    ("安全", T, "", None, ""),
    ("多样", T, "", None, ""),
    ("多样化", T, "", None, ""),
    ("健全有效", T, "", None, ""),
    ("健全、有效", T, "", None, ""),
    ("建立健全", T, "", None, ""),
    ("有效保障", T, "", None, ""),
    ("安全稳定", T, "", None, ""),
    ("数据安全", T, "", None, ""),
    ("无逻辑漏洞", T, "", None, ""),
    ("按文件标准", T, "", None, ""),
    ("按照下发任务", T, "", None, ""),
    ("符合政策规定", T, "", None, ""),
    ("符合政策标准", T, "", None, ""),
    ("普及社区红十字会救护意识", T, "", None, ""),
    ("每季度一次", T, "", None, ""),
    ("预算内", T, "", None, ""),
    # Deadlines and phrases that contain a number but are not an amount.
    ("每月15号前", T, "", None, ""),
    ("每月20号前", T, "", None, ""),
    ("11月前", T, "", None, ""),
    ("2小时内", T, "", None, ""),
    ("每日130份", T, "", None, ""),
    ("服务效率较2023年提升", T, "", None, ""),
]

QUANTITATIVE_SEED_VALUES = [row[0] for row in SEED_VALUES if row[1] == QUANTITATIVE]


def assert_parsed(parsed, kind, operator, number, unit):
    assert (parsed.value_type, parsed.operator, parsed.unit) == (kind, operator, unit)
    if number is None:
        assert parsed.number is None
    else:
        # str() also compares the exponent: Decimal("30.00") == Decimal("30") is True.
        assert isinstance(parsed.number, Decimal)
        assert str(parsed.number) == number


def test_seed_table_has_no_duplicates():
    texts = [row[0] for row in SEED_VALUES]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(("text", "kind", "operator", "number", "unit"), SEED_VALUES)
def test_parses_every_seed_value(text, kind, operator, number, unit):
    assert_parsed(parse_value(text), kind, operator, number, unit)


@pytest.mark.parametrize("text", QUANTITATIVE_SEED_VALUES)
def test_format_then_parse_round_trips(text):
    parsed = parse_value(text)
    again = parse_value(format_value(parsed.operator, parsed.number, parsed.unit))
    assert again == parsed
    assert str(again.number) == str(parsed.number)


@pytest.mark.parametrize(
    ("text", "operator", "number", "unit"),
    [
        # The styles listed in forms.md.
        ("=5个", "=", "5", "个"),
        (">=4期", "≥", "4", "期"),
        ("> =90%", "≥", "90", "%"),
        ("<=100%", "≤", "100", "%"),
        ("< =100%", "≤", "100", "%"),
        ("=>60%", "≥", "60", "%"),
        ("=<5%", "≤", "5", "%"),
        ("≥=90%", "≥", "90", "%"),
        ("=0", "=", "0", ""),
        (">=80万小时", "≥", "80", "万小时"),
        ("<3天", "<", "3", "天"),
        # Spaces a filer may type around the number.
        ("≥ 90 %", "≥", "90", "%"),
        ("= 100 ( % )", "=", "100", "%"),
        # Thousands separators and negative numbers.
        ("≥1,000人次", "≥", "1000", "人次"),
        ("≥12,600.00(人次)", "≥", "12600.00", "人次"),
        ("≥-5.5%", "≥", "-5.5", "%"),
        # Units with symbols.
        ("≤37.5℃", "≤", "37.5", "℃"),
        ("≤200元/人", "≤", "200", "元/人"),
    ],
)
def test_parses_operator_number_and_unit(text, operator, number, unit):
    assert_parsed(parse_value(text), QUANTITATIVE, operator, number, unit)


@pytest.mark.parametrize(
    ("text", "operator", "number", "unit"),
    [
        ("不低于90%", "≥", "90", "%"),
        ("不少于3次", "≥", "3", "次"),
        ("不小于95%", "≥", "95", "%"),
        ("大于等于85%", "≥", "85", "%"),
        ("至少2场", "≥", "2", "场"),
        ("不高于5%", "≤", "5", "%"),
        ("不超过100万元", "≤", "100", "万元"),
        ("不多于3起", "≤", "3", "起"),
        ("小于等于10%", "≤", "10", "%"),
        ("至多1次", "≤", "1", "次"),
        ("大于80%", ">", "80", "%"),
        ("高于60%", ">", "60", "%"),
        ("多于10人", ">", "10", "人"),
        ("小于5%", "<", "5", "%"),
        ("低于3%", "<", "3", "%"),
        ("少于2起", "<", "2", "起"),
        ("等于100%", "=", "100", "%"),
        ("不低于 90 (%)", "≥", "90", "%"),
        ("90%以上", "≥", "90", "%"),
        ("90%及以上", "≥", "90", "%"),
        ("5%以下", "≤", "5", "%"),
        ("5%及以下", "≤", "5", "%"),
        ("100(人次)以上", "≥", "100", "人次"),
        ("85以上", "≥", "85", ""),
    ],
)
def test_parses_chinese_operator_words(text, operator, number, unit):
    assert_parsed(parse_value(text), QUANTITATIVE, operator, number, unit)


@pytest.mark.parametrize(
    "text",
    [
        # Deadlines: 前/后/内/底/初 place a point in time, they are not units.
        "12月底前",
        "12月底",
        "3月初",
        "2小时内",
        "3个工作日内",
        "5日后",
        "次年1月后",
        "30天以内",
        # A number inside a sentence.
        "每月15号前",
        "每日130份",
        "3户，每户2人",
        "100%，及时",
        "2023年12月31日",
        # A unit longer than six characters is a phrase.
        "5个社区卫生服务中心",
        # The operator written twice: left for the filer to fix, not guessed.
        "≥90%以上",
        # An operator before words: a qualitative comparison.
        "≥良好",
        "≥上年水平",
        "提高",
    ],
)
def test_qualitative_values(text):
    assert parse_value(text) == ParsedValue(QUALITATIVE, "", None, "")


@pytest.mark.parametrize("text", ["≥", "≥ %", "=(个)", "> =", "≤()"])
def test_an_operator_with_nothing_to_compare_is_flagged(text):
    # Read as text (there is no number), but the checker must know a number was left out.
    assert parse_value(text) == ParsedValue(QUALITATIVE, "", None, "", NO_NUMBER)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("=16个个%%", "个个%%"), ("≥90%%", "%%"), ("=5个%", "个%"), ("≥3(人人)", "人人")],
)
def test_a_unit_typed_twice_or_mixed_is_flagged(text, unit):
    parsed = parse_value(text)
    assert (parsed.value_type, parsed.unit, parsed.defect) == (QUANTITATIVE, unit, GARBLED_UNIT)


@pytest.mark.parametrize("text", ["≥90%", "=2人·次", "≥3万元/人", "≥5个百分点", "≤2‰", "=30(户)"])
def test_sound_units_have_no_defect(text):
    assert parse_value(text).defect == ""


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "□", "$$", None])
def test_blank_value(text):
    assert parse_value(text) == ParsedValue("", "", None, "")
    assert parse_value(text).direction == ""


@pytest.mark.parametrize(
    ("operator", "direction"),
    [("≥", "positive"), (">", "positive"), ("≤", "negative"), ("<", "negative"), ("=", "")],
)
def test_direction_follows_operator(operator, direction):
    assert ParsedValue(QUANTITATIVE, operator, Decimal(1), "").direction == direction
    assert parse_value(f"{operator}1(次)").direction == direction


def test_no_operator_has_no_direction():
    assert parse_value("3户").direction == ""
    assert parse_value("及时").direction == ""


def test_every_operator_is_read_back_as_itself():
    for operator in OPERATORS:
        assert parse_value(f"{operator}7(次)").operator == operator


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        # LaTeX from the PDF extraction.
        (r"$\geq 85.00\%$", "≥85.00%"),
        (r"$\ge 90\%$", "≥90%"),
        (r"$\leq 5\%$", "≤5%"),
        (r"$\le 5$", "≤5"),
        (r"$\gt 1$", ">1"),
        (r"$\lt 1$", "<1"),
        (r"$\geqslant 60$", "≥60"),
        (r"\left(", r"\left("),
        # Check boxes.
        ("提升□", "提升"),
        ("■及时", "及时"),
        ("☐ 健全", "健全"),
        # Full-width characters.
        ("≥９０％", "≥90%"),
        ("＝１００（％）", "=100(%)"),
        ("＞１．５", ">1.5"),
        ("＜３", "<3"),
        ("≧８５％", "≥85%"),
        ("≦５％", "≤5%"),
        ("ＰＭ２．５", "PM2.5"),
        ("ａｂｃ", "abc"),
        # Whitespace.
        ("  及时 \n", "及时"),
        ("健全\u3000 有效", "健全 有效"),
        ("=100   (%)", "=100 (%)"),
        # The filer's own typing is kept.
        ("> =90%", "> =90%"),
        (">=4期", ">=4期"),
        ("<=100%", "<=100%"),
        ("健全、有效", "健全、有效"),
        ("符合政策规定，及时", "符合政策规定，及时"),
        ("", ""),
    ],
)
def test_clean_value(text, cleaned):
    assert clean_value(text) == cleaned


@pytest.mark.parametrize(
    "text",
    [row[0] for row in SEED_VALUES]
    + [r"$ \geq  85 \% $", "\\$geq 1", "□ ＞ ＝ □ ９０ ％", "\\\\geq 5", r"\ge  q", "a □ b"],
)
def test_clean_value_is_idempotent(text):
    once = clean_value(text)
    assert clean_value(once) == once


@pytest.mark.parametrize(
    ("operator", "number", "unit", "text"),
    [
        ("≥", Decimal("30.00"), "户", "≥30.00(户)"),
        ("=", Decimal("100"), "%", "=100(%)"),
        ("=", Decimal("0"), "", "=0"),
        ("", Decimal("3"), "户", "3(户)"),
        ("", Decimal("85"), "", "85"),
        ("<", Decimal("-1.5"), "℃", "<-1.5(℃)"),
        # Never scientific notation, whatever the Decimal's exponent.
        ("≥", Decimal("1E+2"), "人次", "≥100(人次)"),
        ("≤", Decimal("0.000001"), "", "≤0.000001"),
        ("=", Decimal("1E-7"), "", "=0.0000001"),
    ],
)
def test_format_value(operator, number, unit, text):
    assert format_value(operator, number, unit) == text


def test_format_value_without_number_is_blank():
    assert format_value("≥", None, "%") == ""
    assert format_value("", None, "") == ""


def test_format_value_rejects_unknown_operator():
    with pytest.raises(ValueError):
        format_value(">=", Decimal(1), "%")


def test_numbers_are_decimals_never_floats():
    for text in [*QUANTITATIVE_SEED_VALUES, "≥1,000人次", "≥-5.5%", "不低于90%", "85以上"]:
        number = parse_value(text).number
        assert isinstance(number, Decimal)
        assert not isinstance(number, float)
