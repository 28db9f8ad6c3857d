"""The refusals of a form's text field name the field, whatever its label holds."""

import pytest
from django import forms

from filings.cleaning import CleanTextMixin


class RateForm(CleanTextMixin, forms.Form):
    rate = forms.CharField(label="完成率（%）", max_length=3)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1\x00", "「完成率（%）」含有不可见的控制字符（如文字方向控制符），请删除后重新输入。"),
        ("12345", "「完成率（%）」不能超过 3 个字（现有 5 个）。"),
        ("\u200b", "这个字段是必填项。"),
    ],
)
def test_a_refused_text_names_its_field_even_with_a_percent_sign(typed, message):
    form = RateForm({"rate": typed})
    assert not form.is_valid()
    assert form.errors["rate"] == [message]
