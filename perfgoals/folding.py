"""Full-width folding: the one place where text in either width is made alike.

Chinese input methods type digits, letters and brackets in full width (９０％,
（人）), and the PDFs of published forms mix both widths and break labels with
spaces. Each function here says what it folds and why; a caller that needs
other behaviour gets a named function here, never a translation table of its
own. Cleaning what users send (control and direction characters) is another
job, done by the one cleaner of the filings app.
"""

import functools
import string
import unicodedata

# Check boxes printed on the paper forms: extraction noise in a name or a value.
CHECK_BOXES = "□■☐"

# U+FF01 to U+FF5E are the full-width forms of "!" to "~", at this distance.
_FULL_WIDTH_OFFSET = 0xFEE0


def _half_width_table(characters, replace=None, delete=""):
    """A str.translate table writing the full-width forms of ``characters`` in half width."""
    table = {chr(ord(character) + _FULL_WIDTH_OFFSET): character for character in characters}
    table.update(replace or {})
    table.update(dict.fromkeys(delete))
    return str.maketrans(table)


_EVERY_SIGN = _half_width_table(
    string.digits + string.ascii_letters + string.punctuation, replace={"\u3000": " "}
)
_VALUE_SIGNS = _half_width_table(
    string.digits + string.ascii_letters + "%()=><.",
    replace={"≧": "≥", "≦": "≤"},
    delete=CHECK_BOXES + "$",
)
_LABEL_SIGNS = _half_width_table("():")
_NO_CHECK_BOXES = str.maketrans(dict.fromkeys(CHECK_BOXES))


def fold_width(text):
    """``text`` with every full-width ASCII form and the ideographic space in half width.

    For text that is read, never kept as typed: an amount typed with an input
    method (１２，０００．５０ is 12,000.50).
    """
    return text.translate(_EVERY_SIGN)


def fold_value(text):
    """A target value's digits, letters, operators and brackets in half width.

    ≥９０％ and ＝１００（％） are what filers and extractors write for ≥90% and
    =100(%); ≧ and ≦ are ≥ and ≤. Check boxes (□■☐) and LaTeX's ``$`` are
    extraction noise and go. Chinese punctuation (，；：、) is the filer's own
    prose in a qualitative value and stays: values are stored as folded here.
    """
    return text.translate(_VALUE_SIGNS)


@functools.lru_cache(maxsize=8192)
def compact_label(text):
    """A printed label as compared: without any whitespace, brackets and colon half width.

    The PDFs break vertical labels into 产出 指标 and mix （） with () and ： with
    :, so a label is found by this form and never shown in it. Cached: level
    names and headings repeat on every row of a long table.
    """
    return "".join(text.split()).translate(_LABEL_SIGNS)


def name_key(text):
    """The form of an indicator's name (or value) that spellings of the same one share.

    NFKC folds every width and compatibility form (服务对象满意度（％） and
    服务对象满意度(%) group together); whitespace and check boxes are extraction
    noise or typing habit, and case never tells two indicators apart. The
    library groups and finds entries by it, and the checker compares names by
    it (two rows of one name, a value that repeats its name). Never shown.
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_NO_CHECK_BOXES)
    return "".join(text.split()).casefold()
