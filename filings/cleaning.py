"""The one text cleaner, and the one bound on the years and dates a filing may hold.

Every text that a person or a file puts into the database passes ``clean_text``
(through ``filings.content`` for a filing's content, through the forms' mixin
for comments, 审核表 opinions and round titles). It refuses what no field
should hold rather than changing it silently:

- control characters, DEL and the C1 controls: PostgreSQL cannot store NUL,
  an .xlsx sheet (XML 1.0) cannot hold most of them, a PDF prints boxes;
- line breaks and tabs in a single-line field (a name, a value): they break the
  printed grid, sheet names and file names; a multi-line field (a model
  ``TextField``, a ``Textarea``) keeps them, with CR LF and CR made LF so that
  the text reads back the same from every browser, sheet and JSON file;
- bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C): a
  right-to-left override turns ``项目\u202egpj.exe`` into a name that reads
  as a picture and is a program;
- lone surrogates, which no database or file can encode;
- more characters than the field holds.

``strip_invisible`` removes the same characters instead, for what is built
from stored text (file names, sheet names) and for text extracted from
published forms, where the extractor's noise is nobody's typing.

Plain functions without models: importable from models, forms, parsers and
exports alike.
"""

import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.translation import gettext as _

from filings.limits import YEARS

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
# Never in any field: C0 controls other than tab and line ends, DEL, C1 controls.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = re.compile(f"[{_CONTROL}{_BIDI}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
_STRIPPED_SINGLE = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATES}\t\n\r\u2028\u2029]+")
_STRIPPED_MULTI = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATES}]+")


class TextRefused(ValueError):
    """Text that no field may hold; the message says why, for the user, in Chinese."""


def text_problem(text, *, multiline=False, max_length=None):
    """Why ``text`` cannot be stored in such a field (a Chinese message), or ""."""
    if not isinstance(text, str):
        return _("应为文字")
    if _SURROGATE.search(text):
        return _("含有无效的 Unicode 字符（单独的代理项），请删除后重新输入")
    if _INVISIBLE.search(text):
        return _("含有不可见的控制字符（如文字方向控制符），请删除后重新输入")
    if not multiline and _LINE_BREAK.search(text):
        return _("含有换行符或制表符，请写在一行内")
    if max_length is not None:
        length = len(normalise_lines(text) if multiline else text)
        if length > max_length:
            return _("不能超过 %(limit)s 个字（现有 %(length)s 个）") % {
                "limit": max_length,
                "length": length,
            }
    return ""


def is_blank(text):
    """Whether ``text`` shows nothing: spaces, and format characters such as U+200B.

    ``str.strip`` keeps a zero-width space, which the cleaner lets through (it is
    typed in some input methods); an answer made only of them reads as empty.
    """
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def normalise_lines(text):
    """Line ends as LF: a browser posts CR LF, a sheet cell or a file may hold CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(text, *, multiline=False, max_length=None):
    """``text`` as it is stored, or TextRefused with the reason (see the module)."""
    problem = text_problem(text, multiline=multiline, max_length=max_length)
    if problem:
        raise TextRefused(problem)
    return normalise_lines(text) if multiline else text


def strip_invisible(text, *, multiline=False):
    """``text`` without the characters ``clean_text`` refuses (line breaks become spaces)."""
    if multiline:
        return _STRIPPED_MULTI.sub("", normalise_lines(text))
    text = re.sub("[\t\n\r\u2028\u2029]+", " ", text)
    return _STRIPPED_SINGLE.sub("", text)


class CleanTextMixin:
    """A form whose text inputs pass ``clean_text``: multi-line where the widget is a Textarea.

    Put it before ``forms.Form`` or ``forms.ModelForm``; a subclass's ``clean`` calls
    ``super().clean()`` first, as usual, and then sees the cleaned text.
    """

    def full_clean(self):
        # Here rather than in __init__: a subclass sets its labels after this mixin's
        # __init__, and a bound field read there would keep the label it had then.
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                _name_the_field(
                    field, field.label if field.label is not None else pretty_name(name)
                )
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if not isinstance(value, str) or not isinstance(field, forms.CharField):
                continue
            if field.required and is_blank(value):
                # Only zero-width characters: as empty as Django's own strip() would leave it.
                self.add_error(name, ValidationError(field.error_messages["required"], "required"))
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            try:
                cleaned[name] = clean_text(value, multiline=multiline, max_length=field.max_length)
            except TextRefused as exc:
                self.add_error(name, ValidationError(str(exc), code="text"))
        return cleaned


def _name_the_field(field, label):
    """Django's own refusals of a text field in this module's words, naming the field.

    A NUL is refused by Django before ``clean`` sees it, in words that read 「不允许是用空字符串」
    (an empty string is not allowed) and name no field; too long a text reads 「该变量」.
    A message a form sets itself is kept.
    """
    # Both validators fill in their params (the value, the limits): a 「%」 of the label
    # must reach the user as one, not as a format of its own.
    named = {"field": str(label).replace("%", "%%")}
    null = _("「%(field)s」含有不可见的控制字符（如文字方向控制符），请删除后重新输入。")
    field.error_messages.setdefault("null_characters_not_allowed", null % named)
    too_long = _("「%(field)s」不能超过 %%(limit_value)d 个字（现有 %%(show_value)d 个）。")
    field.error_messages.setdefault("max_length", too_long % named)


# --- Years and dates ----------------------------------------------------------------

# The one bound on every year and date of a filing (its year, 项目总目标起止年, 计划开始
# and 完成日期), the same in the wizard, the admin, import_json, published forms and
# the Excel upload: whatever one of them accepts, export_json → import_json keeps.
FIRST_YEAR, LAST_YEAR = YEARS.start, YEARS.stop - 1


def year_problem(year):
    """Why ``year`` cannot be a filing's year or a goal year (a Chinese message), or ""."""
    if year is None or FIRST_YEAR <= year <= LAST_YEAR:
        return ""
    return _("不在 %(first)s—%(last)s 年之间") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def date_problem(date):
    """Why ``date`` cannot be a filing's date (a Chinese message), or ""."""
    if date is None:
        return ""
    if not isinstance(date, datetime.date):
        return _("应为日期")
    return year_problem(date.year)
