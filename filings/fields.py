"""Which fields each of the three forms has, and where they go in the JSON format.

The one list that the model's constraints, the JSON format, the admin and the
wizard read, so that a field added to a form is added in one place. Plain data:
importable without models (the model's Meta builds its constraints from it).
"""

from dataclasses import dataclass

PROJECT = "project"  # 财政项目支出绩效目标申报表
UNIT = "unit"  # 单位整体支出绩效目标申报表
DEPARTMENT = "department"  # 部门（单位）整体支出绩效目标申报表
FORMS = (PROJECT, UNIT, DEPARTMENT)
OVERALL = (UNIT, DEPARTMENT)

# The options of 项目类别 on the district layout (printed as tick boxes).
DISTRICT_CATEGORIES = ("专项资金", "经常性项目", "一次性项目")


def default_value_heading(form, variant=""):
    """The heading of the value column when the filing names none, as each layout prints it."""
    if form == PROJECT:
        return "年度指标值" if variant == "district" else "年度(/项目)指标值"
    return "指标目标值"


@dataclass(frozen=True)
class FormField:
    """A Filing field that only some forms print.

    ``json`` is the field's path in the JSON format: a key, or a group and a key
    (amounts are grouped as the forms group them: funds, budget).
    """

    name: str
    forms: tuple
    json: tuple
    type: str  # text, date, number or money; all but text are NULL when blank
    # Written to the JSON format only when set: a field added after versions were taken
    # (the 项目库's) leaves the content, and so the hash, of every older filing unchanged.
    optional: bool = False

    @property
    def nullable(self):
        return self.type != "text"


def _fields(forms, *specs, optional=False):
    return [
        FormField(name, forms, tuple(json.split(".")), type_, optional)
        for name, json, type_ in specs
    ]


# In the order the forms print them.
FORM_FIELDS = [
    *_fields(
        (PROJECT,),
        ("variant", "variant", "text"),
        ("nature", "nature", "text"),
        ("category", "category", "text"),
        ("department", "department", "text"),
        ("implementing_unit", "implementing_unit", "text"),
        ("start_date", "start", "date"),
        ("end_date", "end", "date"),
        ("goal_start_year", "goal_start_year", "number"),
        ("goal_end_year", "goal_end_year", "number"),
        ("funds_total", "funds.total", "money"),
        ("funds_fiscal", "funds.fiscal", "money"),
        ("funds_other", "funds.other", "money"),
        ("annual_total", "funds.annual_total", "money"),
        ("annual_appropriation", "funds.appropriation", "money"),
        ("annual_carryover", "funds.carryover", "money"),
        ("annual_other", "funds.annual_other", "money"),
        ("overall_goal", "overall_goal", "text"),
    ),
    # What 一体化 budget systems keep with a project's targets (the 项目库's code, the
    # ex-ante evaluation): no printed form has a cell for them.
    *_fields(
        (PROJECT,),
        ("project_code", "library.code", "text"),
        ("ex_ante_evaluation", "library.ex_ante", "text"),
        ("ex_ante_conclusion", "library.ex_ante_conclusion", "text"),
        optional=True,
    ),
    *_fields(
        OVERALL,
        ("funding_mode", "funding_mode", "text"),
        ("duties", "duties", "text"),
        ("budget_total", "budget.total", "money"),
        ("budget_fiscal", "budget.fiscal", "money"),
        ("budget_other", "budget.other", "money"),
        ("budget_basic", "budget.basic", "money"),
        ("budget_project", "budget.project", "money"),
        ("staff_count", "staff", "number"),
        ("internal_bodies", "internal_bodies", "number"),
        ("input_note", "input_note", "text"),
    ),
    *_fields(
        (DEPARTMENT,),
        ("subordinate_units", "subordinate_units", "number"),
        ("assets_total", "assets_total", "money"),
    ),
]
# Fields every form has (besides form, year, organisation, status).
COMMON_FIELDS = ("name", "money_unit", "annual_goal", "value_heading")
# 是否公开 and why not: every form has them; saved together (content.disclosure_problems).
DISCLOSURE_FIELDS = ("disclosed", "nondisclosure_reason", "nondisclosure_note")
# The amounts of every form: bounded alike, and left blank in a copy (a new budget year).
MONEY_FIELDS = tuple(field.name for field in FORM_FIELDS if field.type == "money")


def fields_of(form):
    """Names of the form-specific fields of ``form``, in printed order."""
    return [field.name for field in FORM_FIELDS if form in field.forms]


def fields_not_of(form):
    """The form-specific fields that ``form`` does not have: they stay empty."""
    return [field.name for field in FORM_FIELDS if form not in field.forms]
