"""Filings in each state, brought there through ``review.workflow`` as users would.

No factory assigns a status: a filing reaches department review, finance review,
returned or approved only by the transitions that lead there, so each state comes with
the versions, reviews and log entries the workflow writes along the way.
"""

import datetime
from decimal import Decimal

from filings.checks import run_checks
from filings.models import Filing, FilingVersion
from filings.serialization import export_queryset, filing_to_dict
from indicators.models import Framework, Indicator, Level2
from review import adjustments, notifications, workflow
from review.models import Transition

YEAR = 2024

# A 审核表 the workflow accepts with an approval (优: the grade decides), and the least a
# return for a full new review (中), a return to amend (良) and a 不予通过 (差) need.
GRADED = {"grade": "优", "completeness": "优", "relevance": "良", "appropriateness": "良"}
RETURN_SHEET = {"grade": "中", "to_improve": "满意度指标请写明调查方式。"}
AMEND_SHEET = {"grade": "良", "to_improve": "满意度指标请写明调查方式。"}
REJECT_SHEET = {"grade": "差", "to_improve": "绩效目标与部门职责无关。"}

# One filing in the JSON format import_json reads: valid, and imported as a draft.
GOOD_JSON = {
    "form": "project",
    "year": 2026,
    "organisation": ["某区财政局", "某局", "某中心"],
    "name": "好项目",
    "money_unit": "元",
    "funds": {"annual_total": "100.00"},
    "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "场次", "value": "≥2场"}],
}


def make_filing(organisation, *, name="测试项目", form=Filing.Form.PROJECT, year=YEAR, **fields):
    """A small draft with one indicator under each of 产出/效益/满意度."""
    fields.setdefault("framework", Framework.objects.default())
    filing = Filing.objects.create(
        organisation=organisation, form=form, year=year, name=name, **fields
    )
    rows = [
        ("产出指标", "数量指标", "培训人数", "≥30(人)"),
        ("效益指标", "社会效益指标", "服务覆盖率", "=100(%)"),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"),
    ]
    for order, (level1, level2, ind_name, value) in enumerate(rows, start=1):
        indicator = Indicator(
            filing=filing,
            level2=Level2.objects.get(level1__name=level1, name=level2),
            order=order,
            name=ind_name,
        )
        indicator.set_value(value)
        indicator.save()
    return filing


def ready_filing(organisation, *, name="测试项目"):
    """A project filing the checker finds no error in: it may be submitted."""
    return make_filing(
        organisation,
        name=name,
        department="上海市闵行区民政局",
        implementing_unit=organisation.name,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        annual_total=Decimal("100000"),
        annual_appropriation=Decimal("100000"),
        annual_goal="完成年度培训任务。",
    )


def printed_project(organisation):
    """A project filing as a published form has it: header, money with a blank row, goals."""
    return make_filing(
        organisation,
        name="残疾人权益保障经费",
        nature="经常性专项业务费",
        category="特定目标类",
        department="上海市闵行区民政局",
        implementing_unit="上海市闵行区老龄事业发展中心",
        annual_total=Decimal("2013200.00"),
        annual_appropriation=Decimal("2013200"),
        annual_carryover=Decimal("0"),
        goal_start_year=2024,
        goal_end_year=2026,
        overall_goal="总目标第一段\n总目标第二段",
        annual_goal="年度目标",
    )


def complete_filing(organisation, name="社区养老服务项目", **extra):
    """A project filing with every part of the form filled in, ready to submit."""
    filing = make_filing(
        organisation,
        name=name,
        year=YEAR,
        department="上海市闵行区民政局",
        implementing_unit=organisation.name,
        start_date=datetime.date(YEAR, 1, 1),
        end_date=datetime.date(YEAR, 12, 31),
        goal_start_year=YEAR,
        goal_end_year=YEAR,
        funds_total=Decimal("100000"),
        funds_fiscal=Decimal("100000"),
        funds_other=Decimal("0"),
        annual_total=Decimal("100000"),
        annual_appropriation=Decimal("100000"),
        annual_carryover=Decimal("0"),
        annual_other=Decimal("0"),
        overall_goal="为辖区老年人提供助餐服务。",
        annual_goal="全年提供助餐服务不少于 3 万人次。",
        **extra,
    )
    assert not [f for f in run_checks(filing) if f.is_error]
    return filing


def overall_filing(organisation, form, name="整体支出", year=YEAR):
    """A 单位整体 or 部门整体 filing the checker lets through (every 投入管理 row present)."""
    filing = Filing.objects.create(
        organisation=organisation,
        form=form,
        year=year,
        name=name,
        annual_goal="完成年度履职目标。",
        duties="负责辖区养老服务。",
        budget_total=Decimal("100"),
        budget_fiscal=Decimal("100"),
        budget_basic=Decimal("60"),
        budget_project=Decimal("40"),
    )
    rows = [
        ("产出指标", "数量指标", "培训人数", "≥30(人)"),
        ("效益指标", "社会效益指标", "服务覆盖率", "=100(%)"),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"),
    ]
    rows += [
        ("投入管理指标", level2.name, f"{level2.name}情况", "=100(%)")
        for level2 in Level2.objects.filter(level1__name="投入管理指标")
    ]
    for order, (level1, level2, indicator_name, value) in enumerate(rows, start=1):
        indicator = Indicator(
            filing=filing,
            level2=Level2.objects.get(level1__name=level1, name=level2),
            order=order,
            name=indicator_name,
        )
        indicator.set_value(value)
        indicator.save()
    assert not [f for f in run_checks(filing) if f.is_error], [
        f.message for f in run_checks(filing) if f.is_error
    ]
    return filing


def full_sheet(**extra):
    """A 审核表 with every opinion and grade filled in."""
    sheet = {
        "opinion_goals": "总体目标明确。",
        "opinion_outputs": "产出指标可衡量。",
        "opinion_outcomes": "效益指标合理。",
        "opinion_satisfaction": "满意度指标规范。",
        "opinion_funds": "资金测算清楚。",
        "to_improve": "",
        "grade": "优",
        "completeness": "优",
        "relevance": "良",
        "appropriateness": "良",
        "feasibility": "中",
    }
    sheet.update(extra)
    return sheet


# --- driving a filing along the path -------------------------------------------------


def fresh(filing):
    return Filing.objects.select_related("organisation__parent").get(pk=filing.pk)


def do(action, filing, user):
    """Take ``action`` on ``filing`` as ``user`` through the workflow, from a fresh page."""
    filing = fresh(filing)
    if action == "submit":
        return workflow.submit(filing, user, seen_version=filing.lock_version)
    if action == "withdraw":
        return workflow.withdraw(filing, user)
    if action == "open_review":
        return workflow.open_review(filing, user)
    if action in SHEETS:
        button, sheet = SHEETS[action]
        return workflow.decide(
            filing, user, seen_version=filing.lock_version, decision=button, sheet=sheet
        )
    if action == "adjust":
        # As users do: the filer applies, the filing's final approver grants, the filer opens it.
        adjustments.apply(filing, user, reason="随预算调整修改绩效目标", budget_adjustment="")
        approver = notifications.final_approvers_of(filing)[0]
        adjustments.decide(fresh(filing), approver, grant=True, answer="同意调整")
        return workflow.start_adjustment(fresh(filing), user)
    raise AssertionError(action)


# The decisions ``do`` takes: (button, 审核表).
SHEETS = {
    "approve": (workflow.APPROVE, GRADED),
    "return": (workflow.RETURN, RETURN_SHEET),
    "amend": (workflow.RETURN, AMEND_SHEET),
    "confirm": (workflow.APPROVE, {**GRADED, **AMEND_SHEET}),
    "reject": (workflow.REJECT, REJECT_SHEET),
}


def _persona(personas, role, organisation):
    for user in vars(personas).values():
        if user.role == role and user.organisation_id == organisation.pk:
            return user
    raise AssertionError(f"no {role} persona of {organisation}")


def _bureau(organisation):
    while organisation.parent_id is not None:
        organisation = organisation.parent
    return organisation


def reviewer_of_stage(filing, personas):
    """The persona who decides at the stage ``filing`` waits in."""
    filing = fresh(filing)
    if filing.status == Filing.Status.DEPARTMENT_REVIEW:
        return _persona(personas, "department_reviewer", filing.organisation.parent)
    return _persona(personas, "finance_reviewer", _bureau(filing.organisation))


def filer_of(filing, personas):
    return _persona(personas, "filer", filing.organisation)


def bring_to(status, filing, filer, personas):
    """Drive ``filing`` to ``status`` the way users would."""
    if status == "draft":
        return filing
    do("submit", filing, filer)
    if status in ("department_review", "finance_review") and fresh(filing).status == status:
        return filing
    if status == "returned":
        do("return", filing, reviewer_of_stage(filing, personas))
        return filing
    do("approve", filing, reviewer_of_stage(filing, personas))  # department → finance
    if status == "finance_review":
        return filing
    if fresh(filing).status == "finance_review":
        do("approve", filing, personas.finance_reviewer)
    assert fresh(filing).status == status
    return filing


def filing_in(status, organisation, personas, *, name="测试项目", year=YEAR, **fields):
    """A project filing of ``organisation`` brought to ``status`` through the workflow.

    Its content is complete enough for the checker to let it be submitted; its filer and
    reviewers are the personas of its organisation, its department and its bureau.
    """
    filing = make_filing(
        organisation,
        name=name,
        year=year,
        department=organisation.name,
        implementing_unit=organisation.name,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        annual_total=Decimal("100000"),
        annual_appropriation=Decimal("100000"),
        annual_goal="完成年度培训任务。",
        **fields,
    )
    bring_to(status, filing, filer_of(filing, personas), personas)
    return fresh(filing)


def imported_filing(organisation, *, status=Filing.Status.APPROVED, source="测试", **fields):
    """A filing as the importers make it: published in ``status`` and logged as imported.

    A published form arrives approved; the import is its first log entry and, for an
    approved one, its official version.
    """
    filing = make_filing(organisation, status=status, **fields)
    workflow.record_import(filing, source=source)
    return fresh(filing)


def submitted(filing, filer):
    workflow.submit(filing, filer, seen_version=filing.lock_version)
    filing.refresh_from_db()
    return filing


def at_finance(filing, personas):
    """A unit's filing approved by its department, now waiting for the bureau."""
    submitted(filing, personas.filer)
    workflow.decide(
        filing,
        personas.department_reviewer,
        seen_version=filing.lock_version,
        decision="approve",
        sheet=full_sheet(),
    )
    filing.refresh_from_db()
    return filing


# --- history rows written directly ----------------------------------------------------
# The diff and timeline pages read versions with arbitrary numbers and hashes, which the
# workflow would not produce on demand; these write the rows themselves.


def take_version(filing, user=None, number=None, reason=FilingVersion.Reason.SUBMITTED):
    """A FilingVersion of ``filing`` as it is saved now, as the workflow takes it."""
    saved = export_queryset(Filing.objects.filter(pk=filing.pk)).get()
    last = filing.versions.count()
    return FilingVersion.objects.create(
        filing=filing,
        number=number or last + 1,
        reason=reason,
        snapshot=filing_to_dict(saved),
        content_hash=f"hash{last + 1}",
        created_by=user,
    )


def returned(filing, version, user):
    return Transition.objects.create(
        filing=filing,
        action=Transition.Action.DEPARTMENT_RETURN,
        from_status=Filing.Status.DEPARTMENT_REVIEW,
        to_status=Filing.Status.RETURNED,
        actor=user,
        actor_name=user.username,
        version=version,
        comment="请修改",
    )
