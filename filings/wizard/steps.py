"""The steps of the wizard of each form, as data.

A step is a slug (its URL), the title on the step bar, the form that edits it
and the Filing fields it edits (read from the form, checked against
``filings.fields`` by the tests). ``part`` says which rows a step edits
instead of fields: "tasks" (年度重点任务), "indicators" (the indicator editor)
or "review" (the checked preview).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from filings import fields as form_fields
from filings.wizard import forms


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type
    part: str = "fields"

    @property
    def fields(self):
        """The Filing fields this step edits (none for the row and review steps)."""
        if self.part != "fields":
            return ()
        return tuple(self.form_class._meta.fields)

    @property
    def finding_fields(self):
        """The ``Finding.field`` values shown on this step."""
        if self.part in ("tasks", "indicators"):
            return (self.part,)
        return self.fields


# The last step of every wizard, one name for all three forms: the filer checks and submits.
REVIEW_STEP = Step("review", _("检查与提交"), forms.NavigationForm, "review")

PROJECT_STEPS = (
    Step("basic", _("基本信息"), forms.ProjectBasicForm),
    Step("funds", _("项目资金"), forms.ProjectFundsForm),
    Step("goals", _("绩效目标"), forms.ProjectGoalsForm),
    Step("indicators", _("绩效指标"), forms.NavigationForm, "indicators"),
    REVIEW_STEP,
)


def _overall_steps(basic_form, budget_form):
    return (
        Step("basic", _("基本信息"), basic_form),
        Step("duties", _("职责与目标"), forms.OverallDutiesForm),
        Step("tasks", _("年度重点任务"), forms.TaskRowsForm, "tasks"),
        Step("budget", _("预算情况"), budget_form),
        Step("indicators", _("绩效指标"), forms.NavigationForm, "indicators"),
        REVIEW_STEP,
    )


STEPS = {
    form_fields.PROJECT: PROJECT_STEPS,
    form_fields.UNIT: _overall_steps(forms.OverallBasicForm, forms.OverallBudgetForm),
    form_fields.DEPARTMENT: _overall_steps(forms.DepartmentBasicForm, forms.DepartmentBudgetForm),
}


def steps_for(form):
    return STEPS[form]


def find_step(form, slug):
    """The step ``slug`` of ``form``'s wizard, or None."""
    return next((step for step in STEPS[form] if step.slug == slug), None)


def step_of_finding(steps, finding):
    """The step where ``finding`` is fixed: the one editing its field, else the last."""
    for step in steps:
        if finding.field and finding.field in step.finding_fields:
            return step
    return steps[-1]


def resume_step(steps, findings):
    """Where 继续填写 takes the filer: the first step with an error, else the last.

    Computed from the draft itself rather than remembered, so that it holds in
    any session and on any device: the filer lands where work remains.
    """
    positions = [steps.index(step_of_finding(steps, f)) for f in findings if f.is_error]
    return steps[min(positions)] if positions else steps[-1]
