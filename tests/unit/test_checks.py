"""The checker: every rule fails a defective filing and passes a sound one.

Most cases check a filing held in memory (as the wizard does before saving);
the seeds are imported and checked as a careful reviewer would.
"""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from filings import checks, demo
from filings.checks import ERROR, WARNING, Hit, has_errors, registry, rule, run_checks
from filings.checks.profiles import Profile
from filings.models import Filing, Task
from importers.loader import import_file
from indicators.models import Framework, Indicator, Level2
from projects.models import Project
from tests.conftest import PUBLISHED

D = Decimal
PROJECT, UNIT, DEPARTMENT = Filing.Form.PROJECT, Filing.Form.UNIT, Filing.Form.DEPARTMENT

SOUND_ROWS = [
    ("产出指标", "数量指标", "培训人数", "≥30(人)"),
    ("产出指标", "质量指标", "培训考核合格率", "≥95(%)"),
    ("产出指标", "时效指标", "培训完成及时性", "及时"),
    ("效益指标", "社会效益指标", "服务覆盖率", "=100(%)"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"),
]
INPUT_BLOCK = ["预算编审管理", "预算执行管理", "预算绩效管理", "资产管理"]
INPUT_BLOCK += ["预算透明度", "内部控制管理", "预算信息化"]
PLACEHOLDERS = [("投入管理指标", name, "", "") for name in INPUT_BLOCK]

SOUND_PROJECT = {
    "name": "社区助老服务项目",
    "department": "上海市闵行区民政局",
    "implementing_unit": "上海市闵行区老龄事业发展中心",
    "start_date": date(2024, 1, 1),
    "end_date": date(2024, 12, 31),
    "goal_start_year": 2024,
    "goal_end_year": 2024,
    "money_unit": "元",
    "funds_total": D("2013200.00"),
    "funds_fiscal": D("2013200.00"),
    "funds_other": None,  # printed blank: there is no other money
    "annual_total": D("2013200.00"),
    "annual_appropriation": D("2013200.00"),
    "annual_carryover": None,
    "annual_other": None,
    "overall_goal": "为老年人提供助餐、助浴服务。",
    "annual_goal": "全年服务老年人不少于 3000 人次。",
}
SOUND_OVERALL = {
    "name": "上海市闵行区老龄事业发展中心",
    "funding_mode": "全额",
    "duties": "负责老年综合津贴发放工作。",
    "annual_goal": "推进养老服务，进一步提升服务质量。",
    "budget_total": D("28963548.68"),
    "budget_fiscal": D("28963548.68"),
    "budget_other": D("0.00"),
    "budget_basic": D("6865942.68"),
    "budget_project": D("22097606.00"),
}


@pytest.fixture
def level2s(db):
    return {(l2.level1.name, l2.name): l2 for l2 in Level2.objects.select_related("level1")}


@pytest.fixture
def check(level2s):
    """Check a filing held in memory: the sound one with ``changes`` applied."""

    def run(form=PROJECT, rows=None, tasks=None, explanations=None, profile=None, **changes):
        if isinstance(changes.get("framework"), str):
            changes["framework"] = Framework.objects.get(code=changes["framework"])
        fields = dict(SOUND_PROJECT if form == PROJECT else SOUND_OVERALL, **changes)
        filing = Filing(form=form, year=2024, **fields)
        if rows is None:
            rows = SOUND_ROWS if form == PROJECT else PLACEHOLDERS + SOUND_ROWS
        indicators = []
        for order, (level1, level2, name, value, *extra) in enumerate(rows, start=1):
            indicator = Indicator(level2=level2s[level1, level2], order=order, name=name)
            indicator.set_value(value)
            indicator.explanation = (explanations or {}).get(name, "")
            # A sound row says what its value rests on (财预〔2021〕101号); extra sets the rest.
            indicator.basis = Indicator.Basis.PLAN if name else ""
            for attribute, setting in (extra[0] if extra else {}).items():
                setattr(indicator, attribute, setting)
            indicators.append(indicator)
        if tasks is None:
            tasks = [("优化养老服务设施供给", "分层次、分区域合理布局社区养老服务设施。")]
        task_rows = [Task(order=i, name=n, content=c) for i, (n, c) in enumerate(tasks, 1)]
        return run_checks(filing, indicators, [] if form == PROJECT else task_rows, profile=profile)

    return run


def codes(findings):
    return [finding.code for finding in findings]


def with_rows(*extra, without=()):
    """The sound project rows plus ``extra``, minus rows named in ``without``."""
    return [row for row in SOUND_ROWS if row[2] not in without] + list(extra)


def overall_rows(*extra, without=()):
    return [row for row in PLACEHOLDERS if row[1] not in without] + SOUND_ROWS + list(extra)


# 财预〔2021〕101号: cost as a 一级 of its own.
COST_ROW = ("成本指标", "经济成本指标", "人均培训成本", "≤500(元)")
# Rules that read other filings: tests/unit/test_department_summary.py has their cases.
SUMMARY_CODES = ["SUMMARY_BUDGET", "SUMMARY_UNIT_COUNT"]


def _library(code, amount, unit="万元"):
    """A 项目库 project held in memory, as a filing started from it holds it."""
    return Project(code=code, money_unit=unit, funds_total=amount, annual_total=amount)


# (code, changes that make the filing fail, changes of a sound filing close to failing)
CASES = [
    (
        "STRUCTURE_REQUIRED_FIELD",
        {"implementing_unit": ""},
        {"annual_goal": "", "overall_goal": "两栏合一，写在项目总目标中。"},
    ),
    (
        "STRUCTURE_DATE_ORDER",
        {"start_date": date(2024, 12, 31), "end_date": date(2024, 1, 1)},
        {"start_date": date(2024, 6, 1), "end_date": date(2024, 6, 1)},
    ),
    (
        "STRUCTURE_GOAL_SPAN",
        {"goal_start_year": 2026, "goal_end_year": 2024},
        {"goal_start_year": 2024, "goal_end_year": 2026, "annual_total": D("2013200")},
    ),
    (
        "STRUCTURE_DATE_SPAN",
        {"end_date": date(2025, 3, 31)},
        {"end_date": date(2025, 3, 31), "goal_end_year": 2025},
    ),
    (
        "STRUCTURE_NO_TASKS",
        {"form": UNIT, "tasks": []},
        {"form": UNIT},
    ),
    (
        "STRUCTURE_TASK_INCOMPLETE",
        {"form": DEPARTMENT, "tasks": [("推进认知友好社区建设", "")]},
        {"form": DEPARTMENT, "tasks": [("推进认知友好社区建设", "稳步推进试点。")]},
    ),
    (
        "STRUCTURE_LEVEL1_MISSING",
        {"rows": with_rows(without=("服务对象满意度",))},
        # 财预〔2021〕101号 templates add 成本指标 as a 一级: still complete.
        {"rows": with_rows(("成本指标", "经济成本指标", "人均培训成本", "≤500(元)"))},
    ),
    (
        "STRUCTURE_INPUT_BLOCK",
        {"form": UNIT, "rows": overall_rows(without=("预算信息化",))},
        {"form": UNIT, "rows": overall_rows()},
    ),
    (
        "STRUCTURE_LEVEL_SCOPE",
        {"rows": with_rows(("投入管理指标", "预算执行管理", "预算执行率", "≥90(%)"))},
        {"form": UNIT, "rows": overall_rows(("投入管理指标", "资产管理", "资产盘点率", "=100%"))},
    ),
    (
        "STRUCTURE_DUPLICATE_NAME",
        {"rows": with_rows(("效益指标", "社会效益指标", "服务覆盖率 □", "=100(%)"))},
        {"rows": with_rows(("效益指标", "可持续影响指标", "服务覆盖街镇率", "=100(%)"))},
    ),
    (
        "STRUCTURE_EDITION",
        # Cost split over the classic 产出/成本指标 and the 2021 一级 成本指标.
        {"framework": "2021", "rows": with_rows(("产出指标", "成本指标", "场地租金", "≤2(万元)"))}
        | {"rows": with_rows(("产出指标", "成本指标", "场地租金", "≤2(万元)"), COST_ROW)},
        {"framework": "2021", "rows": with_rows(COST_ROW)},
    ),
    (
        "STRUCTURE_COST_REQUIRED",
        {"framework": "2021"},
        {"framework": "2021", "rows": with_rows(COST_ROW)},
    ),
    (
        "STRUCTURE_NAME_BLANK",
        {"rows": with_rows(("产出指标", "数量指标", "", "≥3(个)"))},
        {"rows": with_rows(("成本指标", "经济成本指标", "", ""))},
    ),
    (
        "FUNDS_PROJECT_TOTAL",
        {"funds_fiscal": D("2000000")},
        {"funds_fiscal": D("2000000"), "funds_other": D("13200.00")},
    ),
    (
        "FUNDS_ANNUAL_TOTAL",
        {"annual_appropriation": D("2000000"), "annual_carryover": D("0")},
        {"annual_appropriation": D("2000000"), "annual_carryover": D("13200.004")},
    ),
    (
        "FUNDS_ANNUAL_EXCEEDS_TOTAL",
        {"annual_total": D("2013300"), "annual_appropriation": D("2013300")},
        # 阶段性项目 (2024年-2026年): this year's request is below the project total.
        {"goal_end_year": 2026, "annual_total": D("700000"), "annual_appropriation": D("700000")},
    ),
    (
        "FUNDS_ONE_YEAR_TOTAL",
        {"annual_total": D("700000"), "annual_appropriation": D("700000")},
        {"goal_start_year": None, "goal_end_year": None, "annual_total": D("700000")}
        | {"annual_appropriation": D("700000")},
    ),
    (
        "FUNDS_BUDGET_SOURCES",
        {"form": UNIT, "budget_fiscal": D("28000000.00")},
        {"form": UNIT, "budget_fiscal": D("28000000.00"), "budget_other": D("963548.68")},
    ),
    (
        "FUNDS_BUDGET_STRUCTURE",
        {"form": DEPARTMENT, "budget_basic": D("6865942.00")},
        {"form": DEPARTMENT, "budget_basic": D("6865942.68")},
    ),
    (
        "FUNDS_NEGATIVE",
        {"funds_fiscal": D("2013300"), "funds_other": D("-100")},
        {"funds_fiscal": D("2013200"), "funds_other": D("0")},
    ),
    (
        "FUNDS_MAGNITUDE",
        {"money_unit": "万元"}
        | {f: D("17594460") for f in ("funds_total", "funds_fiscal")}
        | {f: D("17594460") for f in ("annual_total", "annual_appropriation")},
        {"money_unit": "元"}
        | {f: D("17594460") for f in ("funds_total", "funds_fiscal")}
        | {f: D("17594460") for f in ("annual_total", "annual_appropriation")},
    ),
    (
        "VALUE_BLANK",
        {"rows": with_rows(("产出指标", "数量指标", "助餐服务人次", ""))},
        {"form": UNIT, "rows": overall_rows()},  # the seven empty 投入管理指标 rows
    ),
    (
        "VALUE_NO_NUMBER",
        {"rows": with_rows(("产出指标", "数量指标", "助餐服务人次", "≥"))},
        {"rows": with_rows(("产出指标", "数量指标", "助餐服务人次", "≥2450(人次)"))},
    ),
    (
        "VALUE_GARBLED_UNIT",
        {"rows": with_rows(("产出指标", "数量指标", "新建助餐点", "=16个个%%"))},
        {"rows": with_rows(("产出指标", "数量指标", "新建助餐点", "=16(个)"))},
    ),
    (
        "VALUE_NOT_GRADED",
        {"rows": with_rows(("效益指标", "可持续影响指标", "会议召开情况", "顺利"))},
        {"rows": with_rows(("效益指标", "可持续影响指标", "会议召开情况", "达到预期"))},
    ),
    (
        "VALUE_SATISFACTION_LOW",
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "≥80.00(%)"))},
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "≥85.00(%)"))},
    ),
    (
        "VALUE_BENEFIT_REPEATS_OUTPUT",
        {"rows": with_rows(("效益指标", "社会效益指标", "培训人数情况", "≥30(人)"))},
        {"rows": with_rows(("效益指标", "社会效益指标", "学员就业率", "≥60(%)"))},
    ),
    (
        "VALUE_ANNUAL_OVER_PERIOD",
        {
            "rows": with_rows(
                ("产出指标", "数量指标", "新建助餐点", "=12(个)", {"period_value": "=10(个)"})
            )
        },
        {
            "rows": with_rows(
                ("产出指标", "数量指标", "新建助餐点", "=12(个)", {"period_value": "=30(个)"})
            )
        },
    ),
    (
        "VALUE_WEIGHTS_TOTAL",
        # 产出 is worth 50: a row of 60 leaves the others nothing and the total at 110.
        {"framework": "classic", "rows": [(*SOUND_ROWS[0], {"weight": D("60")}), *SOUND_ROWS[1:]]},
        {"framework": "classic", "rows": [(*SOUND_ROWS[0], {"weight": D("20")}), *SOUND_ROWS[1:]]},
    ),
    (
        "VALUE_BASIS_MISSING",
        {"rows": with_rows(("产出指标", "数量指标", "助餐服务人次", "≥2450(人次)", {"basis": ""}))},
        {
            "rows": with_rows(
                ("产出指标", "数量指标", "助餐服务人次", "≥2450(人次)", {"basis": "历史标准"})
            )
        },
    ),
    (
        "VALUE_SATISFACTION_NOT_PERCENT",
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "85"))},
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "不低于85%"))},
    ),
    (
        "VALUE_SATISFACTION_FORMAT",
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "≥90分"))},
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "≥90.00(%)"))},
    ),
    (
        "VALUE_QUANT_INCOMPLETE",
        {"rows": with_rows(("产出指标", "数量指标", "助餐服务人次", "2450人次"))},
        {"rows": with_rows(("产出指标", "数量指标", "助餐服务人次", "≥2450(人次)"))},
    ),
    (
        "VALUE_RATE_OVER_100",
        {"rows": with_rows(("产出指标", "数量指标", "课题计划完成率", ">100(%)"))},
        {"rows": with_rows(("产出指标", "数量指标", "课题计划完成率", "≥100(%)"))},
    ),
    (
        "VALUE_QUANTITY_NOT_COUNT",
        {"rows": with_rows(("产出指标", "数量指标", "无障碍设施改造合格率", "=100%"))},
        {"rows": with_rows(("产出指标", "数量指标", "培训计划完成率", "=100(%)"))},
    ),
    (
        "VALUE_TIMELINESS_NOT_TIME",
        {"rows": with_rows(("产出指标", "时效指标", "宣传覆盖面", "广泛"))},
        {"rows": with_rows(("产出指标", "时效指标", "津贴发放时间", "每月15号前"))},
    ),
    (
        "VALUE_TIMELINESS_MISPLACED",
        {"rows": with_rows(("效益指标", "社会效益指标", "上门服务及时性", "及时"))},
        {"rows": with_rows(("产出指标", "时效指标", "上门服务及时性", "及时"))},
    ),
    (
        "VALUE_SATISFACTION_MISPLACED",
        {"rows": with_rows(("满意度指标", "服务对象满意度指标", "长效管理制度健全性", "健全"))},
        {"rows": with_rows(("效益指标", "可持续影响指标", "长效管理制度健全性", "健全"))},
    ),
    (
        "VALUE_DIRECTION",
        {"rows": with_rows(("产出指标", "数量指标", "社区养老设施增加数量", "≤25.00(家)"))},
        {"rows": with_rows(("效益指标", "社会效益指标", "有责投诉数量", "≤2(件)"))},
    ),
    (
        "VALUE_VAGUE",
        {"rows": with_rows(("效益指标", "社会效益指标", "残疾人生活质量", "有所提高"))},
        {
            "rows": with_rows(("效益指标", "社会效益指标", "残疾人生活质量", "有所提高")),
            "explanations": {"残疾人生活质量": "以年度抽样调查的生活质量评分较上年提高为准"},
        },
    ),
    (
        "LIBRARY_CODE_UNKNOWN",
        {"project_code": "310112202700000000009"},
        {"project_code": ""},
    ),
    (
        "LIBRARY_FUNDS_DIFFER",
        {"project_code": "P1", "library_project": _library("P1", D("200"))},
        # 2,013,200.00 元 is 201.32 万元: equal once converted.
        {"project_code": "P1", "library_project": _library("P1", D("201.32"))},
    ),
    (
        "LIBRARY_COST_ABOVE_ANNUAL",
        {"rows": with_rows(("成本指标", "经济成本指标", "项目总成本", "≤300(万元)"))},
        {"rows": with_rows(("成本指标", "经济成本指标", "项目总成本", "≤201.32(万元)"))},
    ),
    (
        "VALUE_REPEATS_NAME",
        {"rows": with_rows(("效益指标", "可持续影响指标", "普及救护意识", "普及救护意识"))},
        {"rows": with_rows(("效益指标", "可持续影响指标", "普及救护意识", "≥90(%)"))},
    ),
]


def test_every_rule_has_a_failing_and_a_passing_case():
    cased = [code for code, _, _ in CASES] + SUMMARY_CODES
    assert sorted(cased) == sorted(r.code for r in checks.rules())


@pytest.mark.parametrize(("code", "failing", "passing"), CASES, ids=[c[0] for c in CASES])
def test_rule_fails_the_defect_and_passes_the_sound_variant(check, code, failing, passing):
    found = check(**failing)
    assert code in codes(found)
    finding = next(f for f in found if f.code == code)
    assert finding.message and finding.basis
    assert finding.severity == {r.code: r.severity for r in checks.rules()}[code]
    assert code not in codes(check(**passing))


@pytest.mark.parametrize("form", [PROJECT, UNIT, DEPARTMENT])
def test_a_sound_filing_of_each_form_has_no_finding_at_all(check, form):
    assert check(form=form) == []


def test_sound_filings_as_real_forms_write_them_raise_no_error(check):
    rows = with_rows(
        # 财预〔2021〕101号: 成本指标 as a 一级 with its three 二级.
        ("成本指标", "经济成本指标", "人均培训成本", "≤500(元)"),
        ("成本指标", "社会成本指标", "对周边居民生活的影响", "无明显影响"),
        ("成本指标", "生态环境成本指标", "施工扬尘控制", "符合环保要求"),
        # Qualitative values that are legitimate outside satisfaction.
        ("产出指标", "质量指标", "补贴资金发放准确性", "符合政策规定"),
        ("产出指标", "时效指标", "老年综合津贴发放及时性", "每月15号前"),
        ("产出指标", "时效指标", "系统服务响应及时性", "2小时内"),
        ("效益指标", "社会效益指标", "重大群体性事件控制情况", "有效"),
    )
    found = check(
        rows=rows,
        framework="2021",
        goal_start_year=2023,
        goal_end_year=2025,  # 项目总目标 (2023年-2025年): a 阶段性项目
        funds_total=D("9000000"),
        funds_fiscal=D("9000000"),
        annual_total=D("3000000"),
        annual_appropriation=D("3000000"),
    )
    assert not has_errors(found), [f.message for f in found]


def test_a_blank_name_or_a_blank_value_is_an_error_that_blocks_submission(check):
    # The printed form would show an empty cell: a filer must not submit it.
    rows = with_rows(
        ("产出指标", "数量指标", "", "≥3(个)"), ("产出指标", "数量指标", "助餐人次", "")
    )
    found = {(f.code, f.severity) for f in check(rows=rows)}
    assert {("STRUCTURE_NAME_BLANK", ERROR), ("VALUE_BLANK", ERROR)} <= found


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("≥", "VALUE_NO_NUMBER"),
        ("≥%", "VALUE_NO_NUMBER"),
        ("=16个个%%", "VALUE_GARBLED_UNIT"),
        ("≥90%%", "VALUE_GARBLED_UNIT"),
        ("=5个%", "VALUE_GARBLED_UNIT"),
    ],
)
def test_a_number_left_out_or_a_garbled_unit_is_an_error(check, value, code):
    rows = with_rows(("产出指标", "数量指标", "新建助餐点", value))
    assert [(f.code, f.severity) for f in check(rows=rows) if f.row == 6] == [(code, ERROR)]


@pytest.mark.parametrize(
    "value", ["很好", "长期有效", "多样", "多样化", "有所提升", "较好", "进一步加强", "力争完成"]
)
def test_vague_words_are_one_list_read_anywhere_in_the_value(check, value):
    rows = with_rows(("效益指标", "社会效益指标", "社区服务质量", value))
    assert [f.code for f in check(rows=rows) if f.row == 6] == ["VALUE_VAGUE"]


def test_an_effect_that_is_a_completion_rate_is_flagged(check):
    rows = with_rows(("效益指标", "社会效益指标", "项目完成率", "=100(%)"))
    (finding,) = check(rows=rows)
    assert finding.code == "VALUE_BENEFIT_REPEATS_OUTPUT" and "完成率" in finding.message


def test_a_bureau_profile_turns_rules_off_and_changes_severities(check):
    profile = Profile("某区审核规则", {"VALUE_BASIS_MISSING": {"enabled": True, "severity": ERROR}})
    rows = with_rows(("产出指标", "数量指标", "助餐人次", "≥2(人次)", {"basis": ""}))
    (finding,) = check(rows=rows, profile=profile)
    assert (finding.severity, finding.profile) == (ERROR, "某区审核规则")
    off = Profile("某区审核规则", {"VALUE_BASIS_MISSING": {"enabled": False, "severity": ERROR}})
    assert check(rows=rows, profile=off) == []


@pytest.mark.parametrize("value", ["满意", "提升", "85", "≥90", "较满意"])
def test_satisfaction_not_written_as_a_percentage_is_an_error(check, value):
    rows = with_rows(("满意度指标", "服务对象满意度指标", "补贴对象满意度 □", value))
    found = [f for f in check(rows=rows) if f.code == "VALUE_SATISFACTION_NOT_PERCENT"]
    assert [f.severity for f in found] == [ERROR]
    assert found[0].message == (
        f"第 6 条三级指标「补贴对象满意度 □」的年度(/项目)指标值「{value}」不是百分比："
        "满意度应写成定量的百分比，如 ≥90%。"
    )
    # One finding for the row: not also "missing operator" or "vague".
    assert [f.code for f in check(rows=rows) if f.row == 6] == ["VALUE_SATISFACTION_NOT_PERCENT"]


def test_a_count_of_satisfaction_surveys_is_not_a_satisfaction_target(check):
    rows = with_rows(("产出指标", "数量指标", "满意度调查次数", "≥2(次)"))
    assert check(rows=rows) == []


def test_messages_name_the_field_the_amounts_and_the_unit(check):
    found = check(annual_total=D("2113200.00"), annual_appropriation=D("2113200.00"))
    (finding,) = found
    assert finding.code == "FUNDS_ANNUAL_EXCEEDS_TOTAL"
    assert finding.field == "annual_total"
    assert finding.indicator is None and finding.row is None
    assert finding.message == (
        "「年度资金申请总额」2,113,200.00 元 大于「项目资金总额」2,013,200.00 元，"
        "超出 100,000.00 元。"
    )


def test_amounts_in_wan_yuan_compare_within_one_fen(check):
    # 201.32 万元 = 2,013,200 元; a difference of 0.004 元 is rounding, not an error.
    assert (
        check(
            money_unit="万元",
            funds_total=D("201.32"),
            funds_fiscal=D("201.319999"),
            funds_other=D("0.000001"),
            annual_total=D("201.32"),
            annual_appropriation=D("201.32"),
        )
        == []
    )
    found = check(
        money_unit="万元",
        funds_total=D("201.32"),
        funds_fiscal=D("201.31"),
        annual_total=D("201.32"),
        annual_appropriation=D("201.32"),
    )
    (finding,) = found
    assert finding.code == "FUNDS_PROJECT_TOTAL"
    assert "201.32 万元" in finding.message and "相差 0.01 万元" in finding.message


def test_a_breakdown_left_blank_is_not_a_wrong_sum(check):
    # The city layout prints 项目资金总额 and its breakdown blank for recurring projects.
    blank = {"funds_total": None, "funds_fiscal": None, "funds_other": None}
    assert check(goal_start_year=None, goal_end_year=None, **blank) == []
    # A total written without its breakdown: nothing to compare.
    assert check(funds_fiscal=None) == []
    # A breakdown written without its total: the total is missing.
    found = check(funds_total=None)
    assert codes(found) == ["FUNDS_PROJECT_TOTAL"]
    assert found[0].message.startswith("「项目资金总额」未填写")


def test_rows_are_named_by_position_and_key(check, level2s):
    rows = with_rows(("产出指标", "质量指标", "培训人数", "≥30(人)"))
    (finding,) = check(rows=rows)
    assert finding.code == "STRUCTURE_DUPLICATE_NAME"
    assert finding.row == 6 and finding.field == "indicators"
    assert finding.message == (
        "第 6 条三级指标「培训人数」与第 1 条三级指标重名"
        "（分别在「数量指标」「质量指标」下），请删除或合并。"
    )


def test_findings_follow_the_form_from_header_to_rows(check):
    rows = with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "满意"))
    found = check(rows=rows, department="", funds_fiscal=D("1"))
    assert [(f.field, f.row) for f in found] == [
        ("department", None),
        ("funds_total", None),
        ("indicators", 6),
    ]


def test_adding_a_rule_is_one_decorated_function(check, monkeypatch):
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))

    @rule("VALUE_TEST_NO_PIGS", severity=WARNING, basis="测试", forms=(PROJECT,))
    def no_pigs(ctx):
        for row in ctx.named_rows:
            if "猪" in row.name:
                yield Hit(f"{row.label}含有猪。", row=row)

    rows = with_rows(("产出指标", "数量指标", "生猪补贴户数", "≥3(户)"))
    assert codes(check(rows=rows)) == ["VALUE_TEST_NO_PIGS"]
    assert codes(check(form=UNIT, rows=overall_rows(*rows[-1:]))) == []
    assert "VALUE_TEST_NO_PIGS" in [r.code for r in checks.rules()]


def test_registered_rules_list_code_severity_and_basis():
    listed = checks.rules()
    assert len({r.code for r in listed}) == len(listed)
    assert all(r.basis and r.severity in (ERROR, WARNING) for r in listed)
    severities = {r.code: r.severity for r in listed}
    assert severities["VALUE_SATISFACTION_NOT_PERCENT"] == ERROR
    assert severities["FUNDS_MAGNITUDE"] == WARNING
    assert {r.family for r in listed} == {
        "structure",
        "funds",
        "values",
        "targets",
        "summary",
        "library",
    }


# Saved filings, imported seeds and the command


def _saved(org, form=PROJECT, rows=None, **changes):
    fields = dict(SOUND_PROJECT if form == PROJECT else SOUND_OVERALL, **changes)
    if form != PROJECT:
        fields["name"] = org.name
    filing = Filing.objects.create(organisation=org, form=form, year=2024, **fields)
    for order, (level1, level2, name, value) in enumerate(rows or SOUND_ROWS, start=1):
        indicator = Indicator(
            filing=filing,
            level2=Level2.objects.get(level1__name=level1, name=level2),
            order=order,
            name=name,
            basis=Indicator.Basis.PLAN if name else "",
        )
        indicator.set_value(value)
        indicator.save()
    if form != PROJECT:
        Task.objects.create(filing=filing, order=1, name="推进养老服务", content="稳步推进。")
    return filing


def test_saved_rows_are_fetched_once_and_pointed_at_by_key(orgs, django_assert_num_queries):
    rows = with_rows(("满意度指标", "服务对象满意度指标", "家属满意度", "85"))
    filing = Filing.objects.get(pk=_saved(orgs.elderly_centre, rows=rows).pk)
    with django_assert_num_queries(2):  # the rows (with their edition), the bureau's profile
        found = run_checks(filing)
    (finding,) = found
    indicator = filing.indicators.get(name="家属满意度")
    assert finding.indicator == str(indicator.key)
    assert finding.to_dict() == {
        "code": "VALUE_SATISFACTION_NOT_PERCENT",
        "severity": "error",
        "message": finding.message,
        "field": "indicators",
        "indicator": str(indicator.key),
        "basis": finding.basis,
        "profile": "默认规则",
    }


def test_overall_filing_is_checked_in_three_queries(orgs, django_assert_num_queries):
    filing = _saved(orgs.elderly_centre, form=UNIT, rows=PLACEHOLDERS + SOUND_ROWS)
    filing = Filing.objects.get(pk=filing.pk)
    with django_assert_num_queries(4):  # indicators, tasks, taxonomy, the bureau's profile
        assert run_checks(filing) == []


@pytest.fixture
def seeds(db):
    demo.load_organisations(demo.read_demo())
    for path in sorted(PUBLISHED.glob("*.txt")):
        assert import_file(path).error == ""
    return {filing.name: run_checks(filing) for filing in Filing.objects.all()}


def _at(findings, code):
    return [f.row for f in findings if f.code == code]


def test_seed_000_district_project_is_reviewed_carefully(seeds):
    found = seeds["民生保障"]
    # 补助发放足额率 is written twice under 质量指标.
    assert _at(found, "STRUCTURE_DUPLICATE_NAME") == [24]
    assert [f.message for f in found if f.is_error] == [
        "第 24 条三级指标「补助发放足额率」与第 18 条三级指标重名（同在「质量指标」下），"
        "请删除或合并。"
    ]
    # 17594460 万元 is 1,759 亿元: the figures are in 元.
    (magnitude,) = [f for f in found if f.code == "FUNDS_MAGNITUDE"]
    assert magnitude.severity == WARNING and "17,594,460.00 万元" in magnitude.message
    # A 二级 that does not fit its rows: 健全性 rows under 满意度指标, 及时性 under 社会效益指标.
    assert _at(found, "VALUE_SATISFACTION_MISPLACED") == [48, 49, 50, 51, 52, 53]
    assert _at(found, "VALUE_TIMELINESS_MISPLACED") == [32, 33, 34, 35, 36]
    assert _at(found, "VALUE_REPEATS_NAME") == [43]  # 普及社区红十字会救护意识
    assert _at(found, "VALUE_QUANTITY_NOT_COUNT") == [7, 8, 16, 17]
    assert 1 in _at(found, "VALUE_QUANT_INCOMPLETE")  # 3户 without an operator


def test_seed_004_defects_a_reviewer_would_flag(seeds):
    repair = seeds["设施维护及功能改造项目"]
    assert [(f.code, f.row) for f in repair if f.is_error] == [
        ("FUNDS_ANNUAL_EXCEEDS_TOTAL", None),
        ("VALUE_SATISFACTION_NOT_PERCENT", 8),  # 服务对象满意度 85
    ]
    assert "「年度资金申请总额」1,821,977.00 元 大于「项目资金总额」1,820,000.00 元" in (
        repair[0].message
    )
    assert _at(seeds["信息化建设项目"], "VALUE_SATISFACTION_NOT_PERCENT") == [14]  # 90
    congress = seeds["市残联八代会筹备及会议经费"]
    assert [f.code for f in congress if f.is_error] == ["FUNDS_ANNUAL_EXCEEDS_TOTAL"]
    assert _at(seeds["残疾人事业综合保障经费"], "VALUE_RATE_OVER_100") == [3]  # >100(%)


def test_sound_seed_filings_raise_no_error(seeds):
    defective = {
        "民生保障",
        "设施维护及功能改造项目",
        "信息化建设项目",
        "市残联八代会筹备及会议经费",
    }
    sound = {name: found for name, found in seeds.items() if name not in defective}
    assert len(sound) == 11  # the unit, the department and nine city projects
    assert {name: [f.message for f in found if f.is_error] for name, found in sound.items()} == {
        name: [] for name in sound
    }
    # The city layout's recurring projects print no 项目资金总额: no money finding.
    assert not [f for found in sound.values() for f in found if f.code.startswith("FUNDS_")]


def test_seed_overall_filings_keep_their_input_block_placeholders_quiet(seeds):
    for name in ("上海市闵行区老龄事业发展中心", "上海市闵行区民政局(汇总)"):
        assert not [f for f in seeds[name] if f.row is not None and f.row <= 7]


def _command(*args):
    out = io.StringIO()
    call_command("check_filings", *args, stdout=out)
    return out.getvalue()


def test_command_prints_each_filing_with_its_findings(seeds):
    text = _command("--org", "上海市残疾人联合会")
    assert "《设施维护及功能改造项目》上海市残疾人联合会：错误 2 项" in text
    # Each finding under its rule's Chinese name (Rule.title), the code after it.
    annual = "年度资金申请总额不得超过项目资金总额"
    rate = "以 % 计的比率（名称以“率”结尾）除 ≤、< 外不得超过 100"
    assert f"    错误 {annual}（FUNDS_ANNUAL_EXCEEDS_TOTAL）：「年度资金申请总额」1,821,977" in text
    assert f"    提示 {rate}（VALUE_RATE_OVER_100）：第 3 条三级指标「课题计划完成率」" in text
    assert "民生保障" not in text  # another organisation's filing
    assert "共检查 12 份申报" in text


def test_command_json_lists_findings_per_filing(seeds, tmp_path):
    target = tmp_path / "findings.json"
    _command("--year", "2023", "--json", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data) == 13  # 2024 holds the two overall filings
    assert all(set(item) == {"id", "name", "org", "findings"} for item in data)
    district = next(item for item in data if item["name"] == "民生保障")
    assert district["org"] == "服务办"
    assert district["id"] == Filing.objects.get(name="民生保障").pk
    duplicate = next(f for f in district["findings"] if f["code"] == "STRUCTURE_DUPLICATE_NAME")
    indicator = Indicator.objects.get(filing__name="民生保障", order=24)
    assert duplicate == {
        "code": "STRUCTURE_DUPLICATE_NAME",
        "severity": "error",
        "message": duplicate["message"],
        "field": "indicators",
        "indicator": str(indicator.key),
        "basis": "本系统通用审核规则 · 结构：三级指标名称不得重复",
        "profile": "默认规则",
    }


def test_command_json_to_stdout(seeds):
    data = json.loads(_command("--year", "2024", "--json", "-"))
    assert sorted(item["name"] for item in data) == [
        "上海市闵行区民政局(汇总)",
        "上海市闵行区老龄事业发展中心",
    ]


def test_command_query_count_does_not_grow_with_filings(seeds):
    with CaptureQueriesContext(connection) as two:
        _command("--year", "2024")
    with CaptureQueriesContext(connection) as all_fifteen:
        _command()
    assert len(all_fifteen) == len(two)


def test_command_rejects_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="找不到组织「无此单位」"):
        _command("--org", "无此单位")


def test_names_spelled_in_either_width_are_one_name_to_the_checker_as_to_the_library(check):
    # The library groups 服务覆盖率（％） with 服务覆盖率(%); the checker once told them apart.
    rows = with_rows(
        ("效益指标", "社会效益指标", "服务覆盖率（％）", "=100(%)"),
        ("效益指标", "社会效益指标", "服务覆盖率 (%)", "=100(%)"),
    )
    found = [f for f in check(rows=rows) if f.code == "STRUCTURE_DUPLICATE_NAME"]
    assert [f.row for f in found] == [7]
    assert "「服务覆盖率 (%)」与第 6 条三级指标重名" in found[0].message
