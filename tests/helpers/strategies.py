"""Hostile input for the property tests (tests/*/test_properties_*.py).

What filers paste, extraction leaves behind, a broken client sends or an attacker
tries: amounts too big, negative, in exponent notation or full-width; text far
longer than a column, with control characters, bidi overrides, emoji and astral
characters; JSON with the wrong types; indicator tables far too long. Each
strategy draws from a list of known-bad values as well as from generated ones,
so that the worst cases come up within the few examples a run has.
"""

import string

from hypothesis import strategies as st

# Characters that break things: NUL (PostgreSQL refuses it in text), vertical tab,
# the bidi override that turns text around on screen, a zero-width joiner, the
# byte order mark, emoji and an astral ideograph (four bytes in UTF-8).
CONTROL = ["\x00", "\x0b", "\x1f", "\x7f", "\u202e", "\u200d", "\ufeff"]
ASTRAL = ["😀", "👨‍👩‍👧", "𠮷", "\U0010fffd"]
ODD = [*CONTROL, *ASTRAL, "\n", "\r\n", "\t", "　", "<script>", "'", '"', "\\", "%", "{{", "=cmd|"]

odd_characters = st.sampled_from(ODD)

# Text as a filer might type it, with the odd characters mixed in.
plain_text = st.lists(
    st.one_of(
        st.sampled_from("项目资金培训人数满意度≥≤%（）()元万 "),
        st.sampled_from(string.ascii_letters + string.digits),
        odd_characters,
    ),
    max_size=40,
).map("".join)

# Longer than any column: names are 200, values 200, a task name 200.
long_text = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["测", "a", "😀", " ", "\x00"]),
    st.sampled_from([201, 2001, 10_000]),
)

hostile_text = st.one_of(plain_text, long_text, st.just(""), st.just("\x00"))

# Text a user could type into a form: Unicode without lone surrogates (a browser
# always sends valid UTF-8).
form_text = hostile_text


def _amount_texts():
    known = [
        "1e+29",
        "1E3",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "sNaN",
        "-0",
        "-1",
        "-0.01",
        "9" * 30,
        "1" + "0" * 29,
        "123456789012345678901234567890.12",
        "9999999999999.99",
        "10000000000000",
        "0.0000001",
        "1.123456789",
        "１２３４５．６７",
        "1,234,567.89",
        "1,2,3",
        "12,34",
        "1.2.3",
        "1 234",
        "0x10",
        "١٢٣",  # Arabic-Indic digits: str.isdigit says yes, Decimal says yes
        "²",  # a superscript: isdigit() says yes, int() says no
        "½",
        "1_000",
        "+5",
        "5-",
        "¥100",
        "100元",
        "=1+1",
        "=cmd|' /C calc'!A0",
        "2024-01-01",
        "45292",  # a date as Excel stores it
        " ",
        "—",
        "\x00",
        "1\x00",
        "9" * 5000,
    ]
    generated = st.decimals(allow_nan=True, allow_infinity=True).map(str)
    huge = st.integers(min_value=10**12, max_value=10**40).map(str)
    negative = st.integers(max_value=-1).map(str)
    precise = st.decimals(min_value=0, max_value=10**13, places=8).map(str)
    return st.one_of(st.sampled_from(known), generated, huge, negative, precise)


amount_text = _amount_texts()


def _value_texts():
    """Indicator target values: the parser's input."""
    operators = st.sampled_from(["", "=", "≥", "≤", ">", "<", ">=", "不低于", "＞＝", "\\geq "])
    units = st.sampled_from(["", "%", "(人)", "（户）", "人次", "万元/人", "😀", "\x00", "(" * 3])
    numbers = st.one_of(amount_text, st.decimals(allow_nan=False).map(str))
    composed = st.builds(lambda o, n, u: f"{o}{n}{u}", operators, numbers, units)
    return st.one_of(
        composed, hostile_text, st.sampled_from(["≥90%以上", "11月前", "$\\geq$90\\%"])
    )


value_text = _value_texts()

# JSON values of the wrong type for a place that wants a string (or a string amount).
wrong_json_type = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
json_scalar = st.one_of(wrong_json_type, hostile_text, amount_text)

# A lone surrogate, as JSON can carry it ("\ud800"); json.loads gives a str that
# cannot be encoded as UTF-8.
LONE_SURROGATE = "\ud800"
