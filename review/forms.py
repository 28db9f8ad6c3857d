"""The reviewer's forms: a comment anchored to a part or a row, and the 绩效目标审核表."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.cleaning import CleanTextMixin
from review import workflow
from review.models import GRADES, Comment, Review
from review.replies import REPLY_MAX

# Parts a comment may be about; 年度重点任务 only on the overall forms.
PROJECT_PARTS = (
    Comment.Part.GENERAL,
    Comment.Part.BASIC,
    Comment.Part.FUNDS,
    Comment.Part.GOALS,
    Comment.Part.INDICATORS,
)
OVERALL_PARTS = (*PROJECT_PARTS[:4], Comment.Part.TASKS, Comment.Part.INDICATORS)


def indicator_label(number, indicator):
    name = indicator.name.strip() or "（空行）"
    level2 = indicator.level2
    return f"第 {number} 条三级指标「{name}」（{level2.level1.name}／{level2.name}）"


def task_label(number, task):
    return f"第 {number} 项年度重点任务「{task.name.strip()}」"


def target_choices(filing, indicators, tasks):
    """(value, label) of everything a comment may point at: parts, then rows by key."""
    parts = PROJECT_PARTS if filing.is_project else OVERALL_PARTS
    choices = [(_("部分"), [(f"part:{part.value}", part.label) for part in parts])]
    rows = [
        (f"row:{indicator.key}", indicator_label(number, indicator))
        for number, indicator in enumerate(indicators, start=1)
        if indicator.name or indicator.value  # placeholder rows only keep a 二级 printed
    ]
    if rows:
        choices.append((_("绩效指标行"), rows))
    if tasks:
        choices.append(
            (
                _("年度重点任务"),
                [(f"task:{task.key}", task_label(n, task)) for n, task in enumerate(tasks, 1)],
            )
        )
    return choices


class CommentForm(CleanTextMixin, forms.Form):
    """A remark on a part of the filing or on one of its rows, for the filer or internal."""

    target = forms.ChoiceField(label=_("针对"))
    body = forms.CharField(
        label=_("意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写「意见」。")},
    )
    internal = forms.BooleanField(
        label=_("仅审核人可见（内部意见，不发给填报单位）"), required=False
    )

    def __init__(self, *args, filing, indicators, tasks, allow_internal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices(filing, indicators, tasks)
        self.fields["target"].error_messages["invalid_choice"] = _(
            "「针对」须选择本申报的一个部分或一行指标。"
        )
        if not allow_internal:
            del self.fields["internal"]

    def anchor(self):
        """(part, row_key) of the valid form's target."""
        kind, _sep, value = self.cleaned_data["target"].partition(":")
        if kind == "row":
            return Comment.Part.INDICATORS, value
        if kind == "task":
            return Comment.Part.TASKS, value
        return value, None


class ReplyForm(CleanTextMixin, forms.Form):
    """A reply under a comment; ``resolve`` marks the comment 已处理 with it."""

    body = forms.CharField(
        label=_("回复"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("请填写「回复」：说明已如何处理这条意见。"),
            "max_length": _("「回复」最多 %(limit_value)d 字（现有 %(show_value)d 字）。"),
        },
    )
    resolve = forms.BooleanField(label=_("同时标为已处理"), required=False)


GRADE_CHOICES = [("", "—"), *GRADES]


class ReviewSheetForm(CleanTextMixin, forms.ModelForm):
    """The 绩效目标审核表; the button pressed and the grade make the decision.

    The two must agree as ``workflow.GRADE_RULES`` says (the one table): the
    form names the field that disagrees, the workflow refuses again under the lock.
    """

    class Meta:
        model = Review
        fields = Review.SHEET_FIELDS
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 2}) for name in Review.OPINION_FIELDS},
            "to_improve": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, decision=None, confirming=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.confirming = confirming
        self.outcome = None
        for name in Review.GRADE_FIELDS:
            self.fields[name].choices = GRADE_CHOICES

    def clean(self):
        cleaned = super().clean()
        if self.decision not in workflow.BUTTONS:
            raise forms.ValidationError(_("请点击「审核通过」「退回修改」或「不予通过」。"))
        try:
            self.outcome = workflow.decision_for(
                cleaned.get("grade"), self.decision, confirming=self.confirming
            )
        except workflow.TransitionRefused as refused:
            self.add_error("grade", str(refused))
            return cleaned
        if self.outcome in workflow.GOES_ON:
            for name in Review.CRITERIA_FIELDS:
                if not cleaned.get(name):
                    label = self.fields[name].label
                    self.add_error(
                        name, _("审核通过时须评定「%(field)s」（优/良/中/差）。") % {"field": label}
                    )
        elif not (cleaned.get("to_improve") or "").strip():
            if self.outcome == Review.Decision.REJECT:
                message = _("不予通过时请在「需补充完善事项」中写明理由。")
            else:
                message = _("退回修改时请填写「需补充完善事项」，告诉填报单位要改什么。")
            self.add_error("to_improve", message)
        return cleaned

    def sheet(self):
        """The dict of Review fields ``workflow.decide`` takes."""
        return {name: self.cleaned_data[name] for name in Review.SHEET_FIELDS}
