"""The forms of the wizard's steps: one ModelForm per step, plus the 年度重点任务 rows.

Required-ness is the checker's business (a draft may be saved half filled), so
every field is optional here; what these forms refuse is input that cannot be
stored at all, such as letters in an amount. Labels are the labels printed on
the official form.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from filings import cleaning, content
from filings import fields as form_fields
from filings.cleaning import CleanTextMixin
from filings.limits import MAX_TASKS
from filings.models import Filing, Task
from filings.money import AmountError, check_amount, format_amount, parse_amount

# The type of each form-specific field, from the one list of them.
FIELD_TYPES = {field.name: field.type for field in form_fields.FORM_FIELDS}

# 项目性质 and 项目类别 as printed by the city and the district layouts. Other
# districts use other words, so these are suggestions (a datalist), not a choice.
CITY_NATURES = ("经常性专项业务费", "其他经常性项目", "其他一次性项目")
CITY_CATEGORIES = ("特定目标类", "其他运转类")
# 事前绩效评估: whether one was made, and the conclusions bureaus write (suggestions only).
EX_ANTE_CHOICES = [("是", _("是")), ("否", _("否"))]
EX_ANTE_CONCLUSIONS = ("通过", "部分通过", "不通过")

INPUT_NOTE_DEFAULT = "根据沪财绩【2022】13号文的规定要求设置三级指标和指标值"

# Amounts are stored with 20 digits, 6 of them decimals.


class MoneyField(forms.Field):
    """An amount typed as the forms print it: ``2,013,200.00``, full-width digits allowed.

    Decimal all the way (``filings.money``); a blank input is None, not 0.
    """

    widget = forms.TextInput
    is_money = True  # templates print the unit after the label

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"inputmode": "decimal", "data-money": "", "autocomplete": "off", "class": "money"}
        )
        return attrs

    def to_python(self, value):
        # filings.money holds the one bound on amounts (sign, size, decimals) for the
        # forms and both importers alike; its message says what is wrong with the input.
        try:
            return parse_amount(value, Filing.MoneyUnit.WAN_YUAN)
        except AmountError as exc:
            if exc.code == "invalid":
                message = _("请输入金额（数字，可带千分位逗号和小数点，如 2,013,200.00）")
            else:
                message = str(exc)
            raise ValidationError(message, code=exc.code) from None

    def prepare_value(self, value):
        # A Decimal from the database is shown with separators; text the user
        # typed (possibly invalid) is shown back exactly as typed.
        if isinstance(value, Decimal):
            return format_amount(value)
        return value


def _field_for(model_field, **kwargs):
    """Form fields of the steps: amounts, dates and long texts as the forms need them."""
    kind = FIELD_TYPES.get(model_field.name)
    if kind == "money":
        return MoneyField(label=model_field.verbose_name)
    if kind == "date":
        return forms.DateField(
            label=model_field.verbose_name,
            required=False,
            widget=forms.DateInput(
                attrs={
                    "type": "date",
                    "min": f"{cleaning.FIRST_YEAR}-01-01",
                    "max": f"{cleaning.LAST_YEAR}-12-31",
                },
                format="%Y-%m-%d",
            ),
            input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"],
            validators=[_within_years(cleaning.date_problem)],
        )
    return model_field.formfield(**kwargs)


def _within_years(problem_of):
    # The one bound of filings.cleaning, the same in import_json and the Excel upload.
    def validate(value):
        problem = problem_of(value)
        if problem:
            raise ValidationError(problem, code="out_of_range")

    return validate


class StepForm(CleanTextMixin, forms.ModelForm):
    """A step of the wizard: every field optional, errors linked to their inputs."""

    # Labels printed on the form where they differ from the model's verbose names.
    labels = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            # The model's help texts are notes for developers ("项目：…；整体支出：…"), not
            # for the filer; a step that needs one sets its own after this.
            field.help_text = ""
            if name in self.labels:
                field.label = self.labels[name]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.RadioSelect):
                css = "form-check-input"
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 7
            field.widget.attrs.setdefault("class", "")
            field.widget.attrs["class"] = f"{field.widget.attrs['class']} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                described = f"error_{name}"
                if field.help_text:
                    described += f" {self[name].auto_id}_helptext"
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": described})

    def named_errors(self):
        """``{field: ["「label」message", …]}``: every message names its field."""
        return {
            name: [f"「{self[name].label}」{message}" for message in messages]
            for name, messages in self.errors.items()
            if name in self.fields
        }


class DisclosureFields(StepForm):
    """是否公开 and why not, at the end of each form's 基本信息 (the filing's header).

    The rule is the content service's (``content.disclosure_problems``), asked
    here so that the message stands beside the field it names.
    """

    disclosed = forms.TypedChoiceField(
        label=_("是否公开"),
        choices=(("True", _("随预算公开")), ("False", _("不公开"))),
        coerce=lambda value: value == "True",
        empty_value=True,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nondisclosure_reason"].widget = forms.RadioSelect(
            choices=Filing.NondisclosureReason.choices, attrs={"class": "form-check-input"}
        )
        self.fields["nondisclosure_note"].help_text = _("原因为「其他」时必填")

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in form_fields.DISCLOSURE_FIELDS):
            return cleaned
        trial = Filing(
            disclosed=cleaned.get("disclosed", True),
            nondisclosure_reason=cleaned.get("nondisclosure_reason") or "",
            nondisclosure_note=cleaned.get("nondisclosure_note") or "",
        )
        for problem in content.disclosure_problems(trial):
            self.add_error(problem.field, problem.reason)
        return cleaned


class ProjectBasicForm(DisclosureFields):
    labels = {"name": _("项目名称")}

    class Meta:
        model = Filing
        fields = [
            "name",
            "project_code",
            "variant",
            "nature",
            "category",
            "department",
            "implementing_unit",
            "start_date",
            "end_date",
            *form_fields.DISCLOSURE_FIELDS,
            "ex_ante_evaluation",
            "ex_ante_conclusion",
        ]
        formfield_callback = _field_for
        widgets = {"variant": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].choices = Filing.Variant.choices
        self.fields["nature"].widget.attrs["list"] = "natures-city"
        variant = self["variant"].value() or Filing.Variant.CITY
        self.fields["category"].widget.attrs["list"] = f"categories-{variant}"
        self.fields["category"].help_text = _("可从建议中选择，也可按本区的口径填写")
        self.fields["project_code"].help_text = _(
            "预算管理一体化系统项目库中的编码，从项目库新建时已填好"
        )
        self.fields["ex_ante_evaluation"].choices = [("", _("未填写")), *EX_ANTE_CHOICES]
        self.fields["ex_ante_conclusion"].widget.attrs["list"] = "ex-ante-conclusions"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        filing = self.instance
        if not name:
            # The name is what the filer finds the draft by: keep the old one.
            return filing.name
        trial = Filing(
            pk=filing.pk,
            organisation_id=filing.organisation_id,
            year=filing.year,
            form=filing.form,
            name=name,
        )
        duplicate = content.duplicate_problem(trial)
        if duplicate:
            raise ValidationError(duplicate.reason, code="duplicate")
        return name


class ProjectFundsForm(StepForm):
    labels = {"annual_other": _("其他资金")}

    class Meta:
        model = Filing
        fields = [
            "money_unit",
            "funds_total",
            "funds_fiscal",
            "funds_other",
            "annual_total",
            "annual_appropriation",
            "annual_carryover",
            "annual_other",
        ]
        formfield_callback = _field_for
        widgets = {"money_unit": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["money_unit"].choices = Filing.MoneyUnit.choices
        self.fields["money_unit"].label = _("金额单位")

    def clean_money_unit(self):
        return self.cleaned_data["money_unit"] or self.instance.money_unit

    def clean(self):
        # The decimals an amount may have depend on the unit chosen on this same step.
        cleaned = super().clean()
        unit = cleaned.get("money_unit") or self.instance.money_unit
        for name, field in self.fields.items():
            amount = cleaned.get(name)
            if isinstance(field, MoneyField) and amount is not None:
                try:
                    check_amount(amount, unit, shown=self.data.get(self.add_prefix(name)))
                except AmountError as exc:
                    self.add_error(name, ValidationError(str(exc), code=exc.code))
        return cleaned


class ProjectGoalsForm(StepForm):
    labels = {"annual_goal": _("年度总体目标")}

    class Meta:
        model = Filing
        fields = ["goal_start_year", "goal_end_year", "overall_goal", "annual_goal"]
        formfield_callback = _field_for

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("goal_start_year", "goal_end_year"):
            field = self.fields[name]
            field.widget.attrs.update(
                {"min": cleaning.FIRST_YEAR, "max": cleaning.LAST_YEAR, "inputmode": "numeric"}
            )
            field.validators.append(_within_years(cleaning.year_problem))


class OverallBasicForm(DisclosureFields):
    labels = {"name": _("单位名称")}

    class Meta:
        model = Filing
        fields = ["name", "funding_mode", *form_fields.DISCLOSURE_FIELDS]
        formfield_callback = _field_for
        widgets = {"funding_mode": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding_mode"].choices = Filing.FundingMode.choices

    def clean_name(self):
        return self.cleaned_data["name"].strip() or self.instance.name


class DepartmentBasicForm(OverallBasicForm):
    labels = {"name": _("部门名称")}

    class Meta(OverallBasicForm.Meta):
        fields = ["name", "funding_mode", "subordinate_units", *form_fields.DISCLOSURE_FIELDS]


class OverallDutiesForm(StepForm):
    labels = {"duties": _("单位职责"), "annual_goal": _("年度履职目标")}

    class Meta:
        model = Filing
        fields = ["duties", "annual_goal"]
        formfield_callback = _field_for

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_department:
            self.fields["duties"].label = _("部门职责")
        self.fields["annual_goal"].help_text = ""
        self.fields["duties"].help_text = ""


class OverallBudgetForm(StepForm):
    labels = {
        "budget_total": _("部门整体预算总额"),
        "budget_fiscal": _("资金来源：财政拨款"),
        "budget_other": _("资金来源：其他资金"),
        "budget_basic": _("资金结构：基本支出"),
        "budget_project": _("资金结构：项目支出"),
        "input_note": _("投入管理指标说明"),
    }

    class Meta:
        model = Filing
        fields = [
            "budget_total",
            "budget_fiscal",
            "budget_other",
            "budget_basic",
            "budget_project",
            "staff_count",
            "internal_bodies",
            "input_note",
        ]
        formfield_callback = _field_for

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["input_note"].help_text = _(
            "打印在绩效指标表“投入管理指标”七个二级指标旁的合并单元格中"
        )


class DepartmentBudgetForm(OverallBudgetForm):
    labels = {**OverallBudgetForm.labels, "assets_total": _("年末资产总额")}

    class Meta(OverallBudgetForm.Meta):
        fields = [
            *OverallBudgetForm.Meta.fields[:5],
            "assets_total",
            *OverallBudgetForm.Meta.fields[5:],
        ]


class NavigationForm(forms.Form):
    """The steps without Filing fields (绩效指标, 检查): only the version and the buttons."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance

    def named_errors(self):
        return {}


# 年度重点任务: rows posted as parallel lists (task-key, task-name, task-content),
# so that the page can add and remove rows without renumbering anything.
_TASK_NAME_MAX = Task._meta.get_field("name").max_length


class TaskRowsForm:
    """The 年度重点任务 rows of an overall filing, keyed by ``Task.key``.

    ``rows`` is what the page shows back (what was posted, or the saved rows);
    ``errors`` maps a row position to its messages. A row whose name and content
    are both empty is dropped; a key that is not one of this filing's rows makes
    a new row (a fresh key), so a posted key can never reach another filing.
    """

    def __init__(self, data=None, *, instance):
        self.instance = instance
        self.is_bound = data is not None
        self.errors = {}
        if data is None:
            self.rows = [
                {"key": str(task.key), "name": task.name, "content": task.content}
                for task in instance.tasks.all()
            ]
            return
        keys = data.getlist("task-key")
        names = data.getlist("task-name")
        contents = data.getlist("task-content")
        self.rows = [
            {"key": key, "name": name.strip(), "content": content.strip()}
            for key, name, content in zip(keys, names, contents, strict=False)
            if name.strip() or content.strip()
        ]
        self.errors = {}
        if len(self.rows) > MAX_TASKS:
            self.errors[0] = [
                _("「年度重点任务」最多 %(max)s 项，请合并部分任务") % {"max": MAX_TASKS}
            ]
        for number, row in enumerate(self.rows, start=1):
            for part, label, multiline, limit in (
                ("name", _("任务名称"), False, _TASK_NAME_MAX),
                ("content", _("主要内容"), True, None),
            ):
                # The one cleaner: control characters, line breaks in the name, length.
                problem = cleaning.text_problem(row[part], multiline=multiline, max_length=limit)
                if problem:
                    self.errors.setdefault(number, []).append(
                        _("「第 %(n)s 项 %(label)s」") % {"n": number, "label": label} + problem
                    )
                elif multiline:
                    row[part] = cleaning.normalise_lines(row[part])

    def is_valid(self):
        return self.is_bound and not self.errors

    def has_changed(self):
        saved = [(str(t.key), t.name, t.content) for t in self.instance.tasks.all()]
        return [(r["key"], r["name"], r["content"]) for r in self.rows] != saved

    def named_errors(self):
        return {"tasks": [message for messages in self.errors.values() for message in messages]}

    def save(self, seen_version):
        """Replace the filing's rows through the content service; raises StaleEdit."""
        tasks = content.save_tasks(self.instance, seen_version, self.rows)
        for row, task in zip(self.rows, tasks, strict=True):
            row["key"] = str(task.key)


class CreateForm(CleanTextMixin, forms.Form):
    """新建申报: the year and the name of a new filing of one form."""

    year = forms.IntegerField(
        label=_("年度"), min_value=cleaning.FIRST_YEAR, max_value=cleaning.LAST_YEAR
    )
    name = forms.CharField(label=_("名称"), max_length=200, required=False)

    def __init__(self, *args, form, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = form
        self.organisation = organisation
        self.fields["name"].label = {
            Filing.Form.PROJECT: _("项目名称"),
            Filing.Form.UNIT: _("单位名称"),
            Filing.Form.DEPARTMENT: _("部门名称"),
        }[form]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        year, name = data.get("year"), (data.get("name") or "").strip()
        if year is None:
            return data
        org = self.organisation
        if self.form == Filing.Form.PROJECT:
            if not name:
                self.add_error("name", _("请填写项目名称"))
            elif Filing.objects.filter(
                organisation=org, year=year, form=self.form, name=name
            ).exists():
                self.add_error("name", _("本单位%(year)s年度已有同名项目") % {"year": year})
        elif Filing.objects.filter(organisation=org, year=year, form=self.form).exists():
            self.add_error(
                "year",
                _("本单位%(year)s年度已有一份《%(form)s》，请在「我的申报」中继续填写")
                % {"year": year, "form": Filing.Form(self.form).label},
            )
        data["name"] = name
        return data

    def named_errors(self):
        return [
            f"「{self[name].label}」{message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]


class CopyForm(forms.Form):
    """从以往年度复制: the year of the new filing."""

    year = forms.IntegerField(
        label=_("新年度"), min_value=cleaning.FIRST_YEAR, max_value=cleaning.LAST_YEAR
    )
