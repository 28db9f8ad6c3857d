"""Tests for the parser of published forms (importers.published).

Pure Python: no database, no Django. The expected numbers were counted by hand
on the seed files in fixtures/published/ (printed with their tabs visible);
the noise cases of forms.md are tested on the seed line where they occur and
on small synthetic forms where the seeds lack them.
"""

from collections import Counter
from pathlib import Path

import pytest

from importers.published import PublishedFormatError, parse_published
from indicators.taxonomy import from_fixture

SEEDS = Path(__file__).resolve().parents[2] / "fixtures/published"
TAXONOMY = from_fixture()
INPUT_LEVEL2S = [
    "预算编审管理",
    "预算执行管理",
    "预算绩效管理",
    "资产管理",
    "预算透明度",
    "内部控制管理",
    "预算信息化",
]
NOTE = "根据沪财绩【2022】13号文的规定要求设置三级指标和指标值"


def parse(text, **kwargs):
    return parse_published(text, taxonomy=TAXONOMY, **kwargs)


def seed_text(prefix):
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def seed(prefix):
    return parse(seed_text(prefix))


def seed_line(prefix, number):
    """One line of a seed file (1-based), to show a test sits on the noise it names."""
    return seed_text(prefix).split("\n")[number - 1]


def per_level1(filing):
    return dict(Counter(row["level1"] for row in filing["indicators"]))


def row(filing, name):
    """level1, level2, value of the (first) indicator with this name."""
    found = next(r for r in filing["indicators"] if r["name"] == name)
    return found["level1"], found["level2"], found["value"]


def warnings(filing, code=None):
    return [(w["code"], w["line"]) for w in filing["warnings"] if code in (None, w["code"])]


def form(*rows):
    """A synthetic form: rows of cells joined by tabs, one row per line."""
    return "\n".join("\t".join(cells) if isinstance(cells, tuple) else cells for cells in rows)


PROJECT_HEAD = (
    "财政项目支出绩效目标申报表",
    "(2024年度)",
    ("项目名称", "培训项目", "项目性质", "其他经常性项目", "项目类别", "其他运转类"),
    ("", "一级指标", "二级指标", "三级指标", "年度(/项目)指标值"),
)  # the indicator rows of a test start on line 5


# --- seed 000: district project form ------------------------------------------------


def test_seed_000_is_one_district_project_form():
    [filing] = seed("000")
    assert filing["form"] == "project"
    assert filing["year"] == 2023
    assert filing["line"] == 3
    assert filing["name"] == "民生保障"
    assert filing["variant"] == "district"
    assert filing["nature"] == ""
    assert filing["category"] == "经常性项目"
    assert filing["department"] == "服务办"
    assert filing["implementing_unit"] == "服务办"
    assert (filing["start"], filing["end"]) == ("2023-01-01", "2023-12-31")
    assert (filing["goal_start_year"], filing["goal_end_year"]) == (2023, 2023)
    assert filing["value_heading"] == "年度指标值"


def test_seed_000_money_in_wan_yuan_with_blanks_kept_blank():
    [filing] = seed("000")
    assert filing["money_unit"] == "万元"
    assert filing["funds"] == {
        "total": "17594460.00",
        "fiscal": "17594460.00",
        "other": None,
        "annual_total": "17594460.00",
        "appropriation": "17594460.00",
        "carryover": None,
        "annual_other": None,
    }


def test_seed_000_goals_follow_their_columns():
    [filing] = seed("000")
    overall = filing["overall_goal"].split("\n")
    annual = filing["annual_goal"].split("\n")
    assert len(overall) == 5
    assert overall[0].startswith("1. 按照《上海市人民政府贯彻国务院")
    assert overall[4].endswith("保障老年人的长期照料护理需求。")
    assert len(annual) == 4
    assert annual[0].startswith("1. 根据区委、区政府要求为各类困难残疾人群")
    assert annual[3].endswith("积极应对人口老龄化。")


def test_seed_000_indicators():
    [filing] = seed("000")
    assert len(filing["indicators"]) == 62
    assert per_level1(filing) == {"产出指标": 31, "效益指标": 16, "满意度指标": 15}
    assert row(filing, "残疾人家庭无障碍设施改造数") == ("产出指标", "数量指标", "3户")
    assert row(filing, "特困供养人员补助及时性") == ("产出指标", "时效指标", "每季度一次")
    assert row(filing, "群体性上访事件") == ("效益指标", "可持续影响指标", "0起")
    assert row(filing, "家属满意度") == ("满意度指标", "服务对象满意度指标", "≥90%")
    # Duplicate names are kept for the checker to flag.
    names = [r["name"] for r in filing["indicators"]]
    assert names.count("补助发放足额率") == 2
    assert filing["indicators"][0] == {
        "level1": "产出指标",
        "level2": "数量指标",
        "name": "残疾人家庭无障碍设施改造数",
        "value": "3户",
        "explanation": "",
        "basis": "",
    }


def test_seed_000_labels_apply_from_their_row_downward():
    """Rows 49-53 follow the 社会效益指标 label and 65-70 the 满意度指标 label,
    though their names sound like 时效 and 可持续影响 indicators: the parser
    does not guess what the extractor displaced, it warns."""
    [filing] = seed("000")
    assert "社会效益指标" in seed_line("000", 49)
    assert row(filing, "普及培训、救护员培训及时性") == ("效益指标", "社会效益指标", "及时")
    assert row(filing, "老龄活动举办及时性") == ("效益指标", "社会效益指标", "及时")
    assert row(filing, "长效管理制度健全性") == ("满意度指标", "服务对象满意度指标", "健全")
    assert row(filing, "沟通协调机制健全性") == ("满意度指标", "服务对象满意度指标", "健全")
    # ...but the contradiction is a warning on each line, for the checker and the reviewer.
    assert warnings(filing, "timeliness_misplaced") == [
        (code, n) for code, n in SEED_000_MISPLACED[:5]
    ]
    assert [line for _code, line in warnings(filing, "satisfaction_misplaced")] == list(
        range(65, 71)
    )


# --- seed 002: unit-overall form ------------------------------------------------------


def test_seed_002_unit_form_header_and_blocks():
    [filing] = seed("002")
    assert (filing["form"], filing["year"], filing["line"]) == ("unit", 2024, 3)
    assert filing["name"] == "上海市闵行区老龄事业发展中心"
    assert filing["funding_mode"] == "全额"
    assert filing["subordinate_units"] is None
    duties = filing["duties"].split("\n")
    assert len(duties) == 23
    assert duties[0] == "上海市闵行区老龄事业发展中心其主要职能包括："
    assert duties[-1] == "(二十二) 承办区民政局交办的其他事项。"
    assert filing["annual_goal"].startswith("继续立足于固根基")
    assert "<p>" not in filing["annual_goal"]
    assert [task["name"] for task in filing["tasks"]] == [
        "优化养老服务设施供给",
        "推进认知友好社区建设",
        "强化专业养老照护工作",
    ]
    assert filing["tasks"][0]["content"].startswith("分层次、分区域合理布局")
    assert filing["budget"] == {
        "total": "28963548.68",
        "fiscal": "28963548.68",
        "other": "0.00",
        "basic": "6865942.68",
        "project": "22097606.00",
    }


def test_seed_002_staff_values_go_by_column():
    """Line 24 is ` ⇥ 0`: 年末在职人数 left blank, 内设机构数 0."""
    [filing] = seed("002")
    assert seed_line("002", 24).startswith("\t0\t")
    assert filing["staff"] is None
    assert filing["internal_bodies"] == 0
    assert filing["assets_total"] is None


def test_seed_002_indicators_with_input_management_placeholders():
    [filing] = seed("002")
    assert filing["value_heading"] == "指标目标值"
    assert len(filing["indicators"]) == 21
    assert per_level1(filing) == {"投入管理指标": 7, "产出指标": 10, "效益指标": 2, "满意度指标": 2}
    assert filing["input_note"] == NOTE
    input_rows = filing["indicators"][:7]
    assert [r["level2"] for r in input_rows] == INPUT_LEVEL2S
    assert all(r["name"] == "" and r["value"] == "" for r in input_rows)
    assert row(filing, "入户指导") == ("产出指标", "数量指标", "≥30.00(户)")
    assert row(filing, "服务对象满意度") == ("满意度指标", "服务对象满意度指标", "≥80.00(%)")


# --- seed 003: department-overall form ------------------------------------------------


def test_seed_003_department_form_header_and_blocks():
    [filing] = seed("003")
    assert (filing["form"], filing["year"], filing["line"]) == ("department", 2024, 3)
    assert filing["name"] == "上海市闵行区民政局(汇总)"
    assert filing["subordinate_units"] == 10
    assert filing["funding_mode"] == ""
    assert filing["duties"].startswith("（一）贯彻执行有关民政工作的法律")
    assert filing["budget"] == {
        "total": "476373173.65",
        "fiscal": "476373173.65",
        "other": "0.00",
        "basic": "52920036.15",
        "project": "423453137.50",
    }
    assert filing["assets_total"] == "117172292.09"
    assert (filing["staff"], filing["internal_bodies"]) == (24, 8)


def test_seed_003_tasks_survive_a_page_break_and_a_shifted_cell():
    """Line 17 comes after a blank line with its content one column to the right."""
    [filing] = seed("003")
    assert seed_line("003", 16) == ""
    assert [task["name"] for task in filing["tasks"]] == [
        "全力推动养老服务高品质发展",
        "全面助推社会救助和福利保障持续深化",
        "全面推进社区治理精细化",
        "全面深化社会组织健康可持续发展",
        "全面提升民政事务质量效能",
        "大力推动民政数字化转型",
    ]
    assert filing["tasks"][5]["content"].startswith("(一)搭建闵行区认知障碍")
    assert filing["tasks"][5]["content"].endswith("(六)提升基层智慧治理水平。")


def test_seed_003_indicators():
    [filing] = seed("003")
    assert len(filing["indicators"]) == 49
    assert per_level1(filing) == {
        "投入管理指标": 7,
        "产出指标": 26,
        "效益指标": 13,
        "满意度指标": 3,
    }
    assert filing["input_note"] == NOTE
    assert [r["level2"] for r in filing["indicators"][:7]] == INPUT_LEVEL2S
    assert row(filing, "系统服务响应及时性") == ("产出指标", "时效指标", "2小时内")
    assert row(filing, "机关食堂供餐保障情况") == ("效益指标", "社会效益指标", "每日130份")


def test_seed_003_shifted_rows_before_a_level_label_inherit_from_above():
    """Lines 56-58 are 及时性 rows printed before the 时效指标 label (line 60):
    by the convention they stay under 质量指标, each with a warning."""
    [filing] = seed("003")
    assert seed_line("003", 56).startswith("儿童福利补贴发放及时性\t\t")
    assert row(filing, "儿童福利补贴发放及时性") == ("产出指标", "质量指标", "每月20号前")
    assert row(filing, "社会组织审核完成及时性") == ("产出指标", "质量指标", "11月前")
    assert row(filing, "老年综合津贴发放及时性") == ("产出指标", "质量指标", "每月15号前")
    assert warnings(filing) == SEED_003_MISPLACED


# --- seed 004: a collection of twelve city project forms ------------------------------

SEED_004 = [
    # name, title line, indicator count, (产出, 效益, 满意度)
    ("残疾人权益保障经费", 5, 12, (8, 3, 1)),
    ("信息化运维项目", 48, 8, (5, 2, 1)),
    ("设施维护及功能改造项目", 71, 8, (5, 2, 1)),
    ("残疾人基本保障和帮扶经费", 95, 12, (8, 3, 1)),
    ("残疾人事业宣传经费", 123, 10, (5, 4, 1)),
    ("信息化建设项目", 150, 14, (6, 7, 1)),
    ("残疾人事业综合保障经费", 180, 15, (11, 3, 1)),
    ("残疾人基层组织建设和助残工作经费", 211, 8, (5, 2, 1)),
    ("市残联八代会筹备及会议经费", 235, 7, (4, 2, 1)),
    ("残疾预防与康复经费", 260, 15, (10, 3, 2)),
    ("残疾人事业统计、监测和政策研究经费", 291, 9, (6, 2, 1)),
    ("残疾人教育和就业经费", 316, 13, (9, 3, 1)),
]


def test_seed_004_holds_twelve_city_project_forms():
    filings = seed("004")
    assert [(f["name"], f["line"]) for f in filings] == [(n, line) for n, line, _, _ in SEED_004]
    for filing, (_name, _line, count, (output, benefit, satisfaction)) in zip(
        filings, SEED_004, strict=True
    ):
        assert (filing["form"], filing["year"], filing["variant"]) == ("project", 2023, "city")
        assert filing["money_unit"] == "元"
        assert filing["value_heading"] == "年度(/项目)指标值"
        assert filing["department"] == filing["implementing_unit"] == "上海市残疾人联合会"
        assert len(filing["indicators"]) == count, filing["name"]
        assert per_level1(filing) == {
            "产出指标": output,
            "效益指标": benefit,
            "满意度指标": satisfaction,
        }, filing["name"]


def test_seed_004_header_values():
    filings = seed("004")
    assert [(f["nature"], f["category"]) for f in filings[:3]] == [
        ("经常性专项业务费", "特定目标类"),
        ("其他经常性项目", "其他运转类"),
        ("其他一次性项目", "特定目标类"),
    ]
    assert all((f["start"], f["end"]) == ("2023-01-01", "2023-12-31") for f in filings)


def test_seed_004_money_blank_cells_stay_none():
    filings = seed("004")
    assert filings[0]["funds"] == {
        "total": None,
        "fiscal": None,
        "other": None,
        "annual_total": "2013200.00",
        "appropriation": "2013200.00",
        "carryover": "0.00",
        "annual_other": "0.00",
    }
    assert filings[2]["funds"] == {
        "total": "1820000.00",
        "fiscal": "1820000.00",
        "other": "0.00",
        "annual_total": "1821977.00",
        "appropriation": "1821977.00",
        "carryover": "0.00",
        "annual_other": "0.00",
    }
    # Line 190: the right-hand 其他资金 carries the amount.
    assert filings[6]["funds"]["other"] is None
    assert filings[6]["funds"]["annual_other"] == "240000.00"
    assert filings[6]["funds"]["appropriation"] == "6621884.00"


def test_seed_004_goals_by_column_and_span():
    filings = seed("004")
    # Line 60: one text, in the 年度总体目标 column.
    assert filings[1]["overall_goal"] == ""
    assert filings[1]["annual_goal"].startswith("完成各业务系统的运行保障")
    # Line 82: 项目总目标 (2023年 -2023年); line 83 fills both columns.
    assert (filings[2]["goal_start_year"], filings[2]["goal_end_year"]) == (2023, 2023)
    assert filings[2]["overall_goal"].startswith("按计划对市残联办公场所")
    assert filings[2]["annual_goal"].split("\n")[1].startswith("(2) 档案库房项目")
    # Lines 247-248: labels and texts in columns 1 and 2.
    assert filings[8]["overall_goal"].startswith("开展八代会前期工作")
    assert filings[8]["annual_goal"].startswith("根据《中国残疾人联合会章程》")
    assert filings[3]["goal_start_year"] is None


def test_goal_labels_without_columns_put_text_in_annual_goal():
    """Seed 004 lines 17-32: labels on lines of their own, fragments 项目/绩效/目标
    of the vertical label, then untabbed paragraphs."""
    filing = seed("004")[0]
    assert seed_line("004", 22) == "绩效"
    assert filing["overall_goal"] == ""
    paragraphs = filing["annual_goal"].split("\n")
    assert paragraphs[0] == "1、残疾人法律援助救助工作"
    assert paragraphs[-1].startswith("完成无障碍督导工作")
    assert len(paragraphs) == 6
    assert "绩效" not in paragraphs
    assert warnings(filing) == [("goal_column_guessed", 25)]


# --- every seed -------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_no_seed_filing_has_an_unplaced_warning(prefix):
    for filing in seed(prefix):
        assert warnings(filing, "unplaced") == [], filing["name"]


SEED_000_MISPLACED = [("timeliness_misplaced", line) for line in range(49, 54)] + [
    ("satisfaction_misplaced", line) for line in range(65, 71)
]
SEED_003_MISPLACED = [("timeliness_misplaced", line) for line in range(55, 59)]


def test_seed_warnings_are_exactly_the_known_noise():
    assert [warnings(f) for f in seed("000") + seed("002") + seed("003")] == [
        SEED_000_MISPLACED,
        [],
        SEED_003_MISPLACED,
    ]
    assert [warnings(f) for f in seed("004")] == [
        [("goal_column_guessed", 25)],
        [],
        [("level1_noise", 92)],
        [],
        # 残疾人事业宣传经费 prints 项目总目标 inside its 年度总体目标 cell (line 135).
        [("heading_in_value", 135), ("level1_noise", 146)],
        [],
        [],
        [],
        [("level1_noise", 257)],
        [],
        [("level1_noise", 313), ("level2_noise", 313)],
        [],
    ]


# --- extraction noise (forms.md) ---------------------------------------------------------


def test_ocr_broken_level1_maps_to_benefit():
    filings = seed("004")
    assert seed_line("004", 92).startswith("\t双星指标\t可持续影响指标")
    assert row(filings[2], "长效管理制度健全性") == ("效益指标", "可持续影响指标", "健全")
    assert "双基指标" in seed_line("004", 257)
    assert row(filings[8], "残疾人事业发展战略、工作方针和任务的确定情况") == (
        "效益指标",
        "可持续影响指标",
        "确定",
    )


def test_ocr_broken_label_in_level2_position_keeps_current_level2():
    filing = seed("004")[10]
    assert seed_line("004", 313).startswith("\t双盲指标\t任意双盲指标\t")
    assert row(filing, "对残疾人生活状况掌握程度") == ("效益指标", "社会效益指标", "提高")
    assert ("level2_noise", 313) in warnings(filing)


def test_ocr_broken_label_in_level2_position_without_level2_is_unplaced():
    text = form(
        *PROJECT_HEAD,
        ("", "产出指标", "数量指标", "培训人次", "≥200人次"),
        ("", "双星指标", "任意双盲指标", "服务能力", "提高"),
    )
    [filing] = parse(text)
    assert len(filing["indicators"]) == 1
    assert ("unplaced", 6) in warnings(filing)
    assert "服务能力" in filing["warnings"][-1]["message"]


def test_cells_shifted_left_keep_name_and_value():
    filings = seed("004")
    # Line 90: the row starts one column early; line 143: name in column 0.
    assert seed_line("004", 90).startswith("效益指标\t社会效益指标\t保障残联机关正常运行")
    assert row(filings[2], "保障残联机关正常运行") == ("效益指标", "社会效益指标", "良好")
    assert seed_line("004", 143).startswith("宣传地区覆盖率\t\t\t=100.00(%)")
    assert row(filings[4], "宣传地区覆盖率") == ("效益指标", "社会效益指标", "=100.00(%)")
    [district] = seed("000")
    assert seed_line("000", 70).startswith("沟通协调机制健全性\t健全")
    assert row(district, "沟通协调机制健全性")[2] == "健全"


def test_cells_shifted_right_keep_name_and_value():
    filings = seed("004")
    assert seed_line("004", 141).endswith("\t\t及时\t")
    assert row(filings[4], "微信、微博、抖音、网站、杂志等融媒体平台，信息发布出版发行及时性") == (
        "产出指标",
        "时效指标",
        "及时",
    )
    assert row(filings[5], "项目预算控制数") == ("产出指标", "成本指标", "预算内")
    assert row(filings[9], "残疾人健康体检补贴标准执行准确率")[2] == "=100.00(%)"


def test_level2_without_level1_takes_the_level1_that_owns_it():
    [district] = seed("000")
    assert seed_line("000", 17).startswith("\t\t数量指标\t")
    assert row(district, "补贴残疾人次") == ("产出指标", "数量指标", "2450人次")
    filings = seed("004")
    # Line 170: only the section label and 社会效益指标 are printed.
    assert row(filings[5], "残疾人业务办理便捷程度") == ("效益指标", "社会效益指标", "提高")


def test_missing_level_names_inherit_from_above():
    filings = seed("004")
    # Line 199: 一级 printed again without its 二级: the current 数量指标 stays.
    assert seed_line("004", 199).startswith("绩效 指标\t产出指标\t\t年报审计单位计划完成率")
    assert row(filings[6], "年报审计单位计划完成率") == ("产出指标", "数量指标", "=100 (%)")
    # Line 144 holds only a label; the rows after it keep their levels.
    assert seed_line("004", 144) == "\t效益指标\t\t\t\t"
    assert row(filings[4], "部门沟通协调机制健全性") == ("效益指标", "可持续影响指标", "健全")


def test_spaced_vertical_labels_are_read_without_spaces():
    filings = seed("004")
    assert seed_line("004", 330).startswith("产出 指标\t\t数量 指标\t")
    assert row(filings[11], "参加教育就业会议计划完成率") == ("产出指标", "数量指标", "=100.00(%)")
    assert seed_line("004", 164).startswith("产出 指标\t")
    assert row(filings[5], "平台建设完成率") == ("产出指标", "数量指标", "=100(%)")


def test_cost_indicator_is_level2_under_output_and_level1_otherwise():
    text = form(
        *PROJECT_HEAD,
        ("", "产出指标", "成本指标", "单位成本", "≤100元"),
        ("", "成本指标", "经济成本指标", "人均成本", "≤50元"),
        ("", "", "社会成本指标", "噪声投诉", "=0件"),
    )
    [filing] = parse(text)
    assert row(filing, "单位成本") == ("产出指标", "成本指标", "≤100元")
    assert row(filing, "人均成本") == ("成本指标", "经济成本指标", "≤50元")
    assert row(filing, "噪声投诉") == ("成本指标", "社会成本指标", "=0件")
    assert warnings(filing) == []


def test_level1_without_level2_leaves_rows_unplaced_until_a_level2_comes():
    text = form(
        *PROJECT_HEAD,
        ("", "产出指标", "数量指标", "培训人次", "≥200人次"),
        ("", "效益指标", "", "服务能力", "提高"),
        ("", "", "社会效益指标", "服务质量", "提升"),
    )
    [filing] = parse(text)
    assert [r["name"] for r in filing["indicators"]] == ["培训人次", "服务质量"]
    assert warnings(filing) == [("unplaced", 6)]
    assert "服务能力" in filing["warnings"][0]["message"]


def test_word_split_across_two_rows_is_joined():
    text = form(
        *PROJECT_HEAD,
        ("绩效指标", "产出指标", "质量指标", "制定培训计划，提高培训质", "=100(%)"),
        ("", "", "", "量", ""),
    )
    [filing] = parse(text)
    assert [r["name"] for r in filing["indicators"]] == ["制定培训计划，提高培训质量"]
    assert row(filing, "制定培训计划，提高培训质量") == ("产出指标", "质量指标", "=100(%)")
    assert warnings(filing) == [("joined_split_word", 6)]


def test_lone_cell_in_value_column_is_the_previous_value():
    text = form(
        *PROJECT_HEAD,
        ("", "产出指标", "数量指标", "培训人次", "≥200人次"),
        ("", "", "", "培训完成率", ""),
        ("", "", "", "", "≥95(%)"),
    )
    [filing] = parse(text)
    assert row(filing, "培训完成率") == ("产出指标", "数量指标", "≥95(%)")
    assert warnings(filing) == []


def test_lone_long_cell_is_an_indicator_without_value():
    text = form(
        *PROJECT_HEAD,
        ("", "产出指标", "数量指标", "培训人次", "≥200人次"),
        ("", "", "", "培训资料按计划印制并发放", ""),
    )
    [filing] = parse(text)
    assert row(filing, "培训资料按计划印制并发放") == ("产出指标", "数量指标", "")
    assert warnings(filing) == [("value_missing", 6)]


def test_cells_between_name_and_value_are_reported():
    text = form(*PROJECT_HEAD, ("", "产出指标", "数量指标", "培训人次", "约", "≥200人次"))
    [filing] = parse(text)
    assert row(filing, "培训人次") == ("产出指标", "数量指标", "≥200人次")
    assert warnings(filing) == [("unplaced", 5)]
    assert "「约」" in filing["warnings"][0]["message"]


def test_html_paragraphs_become_lines():
    [filing] = seed("000")
    assert seed_line("000", 15).count("<p>") == 9
    assert "<" not in filing["overall_goal"] + filing["annual_goal"]
    text = form(
        "财政项目支出绩效目标申报表",
        "(2024年度)",
        ("项目绩效目标", "项目总目标", "", "年度总体目标"),
        ("", "<p>甲&amp;乙</p> <p>第二&nbsp;&nbsp;段  文字</p>", "", "<P>年度<br>目标</P>"),
    )
    [filing] = parse(text)
    assert filing["overall_goal"] == "甲&乙\n第二 段 文字"
    assert filing["annual_goal"] == "年度\n目标"


def test_check_box_glyphs_are_removed():
    [filing] = seed("003")
    assert seed_line("003", 11).startswith("全力推动养老服务高品质发展□\t")
    assert filing["tasks"][0]["name"] == "全力推动养老服务高品质发展"
    assert "□" not in filing["tasks"][0]["content"] + filing["annual_goal"]
    assert "\t提升□" in seed_line("003", 72)
    assert row(filing, "社会组织参与社会治理积极性提升情况")[2] == "提升"
    assert row(filing, "有责投诉处置率")[2] == "=100.00(%)"


def test_tick_boxes_give_the_ticked_option():
    for boxes, expected in [
        ("专项资金□ 经常性项目√ 一次性项目□", "经常性项目"),
        ("专项资金☐ 经常性项目☐ 一次性项目☑", "一次性项目"),
        ("专项资金■ 经常性项目□ 一次性项目□", "专项资金"),
    ]:
        [filing] = parse(form("财政项目支出绩效目标申报表(2024年度)", ("项目类别", boxes)))
        assert filing["category"] == expected
        assert filing["variant"] == "district"
    [filing] = parse(form("财政项目支出绩效目标申报表(2024年度)", ("项目类别", "专项资金□ 其他□")))
    assert filing["category"] == ""
    assert warnings(filing) == [("choice_unclear", 2)]


MARKDOWN_UNIT = """单位整体支出绩效目标申报表
（2025年度）
| 单位名称 | 某区养老服务指导中心 |
|--|---|
| 财政资金拨款方式 | 差额 |
| 单位职责 | 负责养老服务的指导。 |
| 年度履职目标 | 完成年度养老服务指导任务。 |
| 年度重点任务 | |
| 任务名称 | 主要内容（重点工作计划） |
| --- | :---: |
| 护理员培训 | 全年培训护理员200人次。 |
| 预算情况 | |
| 内容 | 预算情况 |
| 部门整体预算总额(元) | 1,000.00 |
| 1、资金来源：(1)财政拨款 | 800.00 |
| (2)其他资金 | 200.00 |
| 2、资金结构:(1)基本支出 | 600.00 |
| (2)项目支出 | 400.00 |
| 年末在职人数 | 内设机构数 |
| 12 | 3 |
| 绩效指标 | | | |
| 一级目标 | 二级目标 | 三级目标 | 指标目标值 |
|--|--|--|--|
| 投入管理指标 | 预算编审管理 | | |
| | 预算执行管理 | | |
| | 预算绩效管理 | | |
| | 资产管理 | | |
| | 预算透明度 | | |
| | 内部控制管理 | | |
| | 预算信息化 | | |
| 产出指标 | 数量指标 | 培训人次 | ≥200人次 |
| | 质量指标 | 培训合格率 | $\\geq 90\\%$ |
| 效益指标 | 社会效益指标 | 服务能力 | 提高 |
| 满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% |
"""


def test_markdown_rows_and_separators_are_read_like_tabs():
    [filing] = parse(MARKDOWN_UNIT)
    assert warnings(filing) == []
    assert (filing["form"], filing["year"]) == ("unit", 2025)
    assert filing["name"] == "某区养老服务指导中心"
    assert filing["funding_mode"] == "差额"
    assert filing["duties"] == "负责养老服务的指导。"
    assert filing["tasks"] == [{"name": "护理员培训", "content": "全年培训护理员200人次。"}]
    assert filing["budget"] == {
        "total": "1000.00",
        "fiscal": "800.00",
        "other": "200.00",
        "basic": "600.00",
        "project": "400.00",
    }
    assert (filing["staff"], filing["internal_bodies"]) == (12, 3)
    assert filing["value_heading"] == "指标目标值"
    assert len(filing["indicators"]) == 11
    assert row(filing, "培训合格率") == ("产出指标", "质量指标", "≥90%")


def test_input_management_rows_without_note_become_placeholders():
    [filing] = parse(MARKDOWN_UNIT)
    assert filing["input_note"] == ""
    assert [r["level2"] for r in filing["indicators"][:7]] == INPUT_LEVEL2S
    assert all(r["name"] == r["value"] == "" for r in filing["indicators"][:7])


def test_latex_operator_in_value_is_repaired():
    filing = seed("004")[4]
    assert seed_line("004", 148).endswith("$\\geq 85.00\\%$")
    assert row(filing, "微信公众号满意度") == ("满意度指标", "服务对象满意度指标", "≥85.00%")


def test_full_and_half_width_punctuation_read_alike():
    """Seed 002 line 19 prints 资金来源：(1)财政拨款, seed 003 line 21 资金来源:(1)财政拨款."""
    assert seed_line("002", 19).startswith("1、资金来源：(1)财政拨款\t")
    assert seed_line("003", 21).startswith("1、资金来源:(1)财政拨款\t")
    assert seed("002")[0]["budget"]["fiscal"] == "28963548.68"
    assert seed("003")[0]["budget"]["fiscal"] == "476373173.65"
    text = form(
        "财政项目支出绩效目标申报表",
        "（2024年度）",
        ("项目资金（元）", "项目资金总额", "10.00", "年度资金申请总额", "10.00"),
        ("", "其中:财政资金", "10.00", "其中：当年财政拨款", "10.00"),
        ("项目绩效目标", "项目总目标（2024年－2024年）", "年度总体目标"),
    )
    [filing] = parse(text)
    assert filing["year"] == 2024
    assert (filing["goal_start_year"], filing["goal_end_year"]) == (2024, 2024)
    assert filing["money_unit"] == "元"
    assert (filing["funds"]["fiscal"], filing["funds"]["appropriation"]) == ("10.00", "10.00")
    assert warnings(filing) == []


def test_goal_span_in_other_spellings():
    for label, span in [
        ("项目总目标（2024年—2025年）", (2024, 2025)),
        ("项目总目标 (2023年 -2025年)", (2023, 2025)),
        ("项目总目标(2024至2026年)", (2024, 2026)),
    ]:
        [filing] = parse(form("财政项目支出绩效目标申报表（2024年度）", (label, "年度总体目标")))
        assert (filing["goal_start_year"], filing["goal_end_year"]) == span
        assert warnings(filing) == []


def test_unreadable_goal_span_is_a_warning():
    text = form("财政项目支出绩效目标申报表（2024年度）", ("项目总目标（长期）", "年度总体目标"))
    [filing] = parse(text)
    assert filing["goal_start_year"] is None
    assert warnings(filing) == [("bad_goal_span", 2)]


# --- unknown content, bad values, years -------------------------------------------------


def test_unknown_content_is_unplaced_with_its_line_number():
    text = form(
        "附件3",
        "",
        "财政项目支出绩效目标申报表",
        "(2024年度)",
        ("项目名称", "培训项目", "项目类别", "经常性项目√"),
        ("备注", "本表金额含税"),
        ("主管部门", "某局", "实施单位", "某中心", "联系人"),
    )
    [filing] = parse(text)
    assert warnings(filing) == [("unplaced", 1), ("unplaced", 6), ("unplaced", 7)]
    messages = [w["message"] for w in filing["warnings"]]
    assert "附件3" in messages[0]
    assert "备注 | 本表金额含税" in messages[1]
    assert "联系人" in messages[2]
    assert filing["implementing_unit"] == "某中心"


def test_file_without_any_form_raises():
    with pytest.raises(PublishedFormatError) as error:
        parse("\n\n项目名称\t培训项目\n")
    assert error.value.line == 3
    with pytest.raises(PublishedFormatError):
        parse("")


def test_bad_date_and_bad_amount_are_warnings():
    text = form(
        "财政项目支出绩效目标申报表",
        "(2024年度)",
        ("计划开始日期", "2024年13月1日", "计划完成日期", "年底"),
        ("项目资金 (元)", "项目资金总额", "一百万", "年度资金申请总额", "1,000,000.00"),
    )
    [filing] = parse(text)
    assert (filing["start"], filing["end"]) == (None, None)
    assert filing["funds"]["total"] is None
    assert filing["funds"]["annual_total"] == "1000000.00"
    assert warnings(filing) == [("bad_date", 3), ("bad_date", 3), ("bad_amount", 4)]


def test_year_argument_wins_over_the_printed_year():
    [filing] = parse(seed_text("000"), year=2024)
    assert filing["year"] == 2024
    assert warnings(filing) == [("year_override", 3), *SEED_000_MISPLACED]
    [filing] = parse(seed_text("000"), year=2023)
    assert warnings(filing) == SEED_000_MISPLACED


def test_missing_year_is_a_warning():
    [filing] = parse(form("单位整体支出绩效目标申报表", ("单位名称", "某中心")))
    assert filing["year"] is None
    assert warnings(filing) == [("year_missing", 1)]


def test_summary_title_year_stands_in_for_forms_without_one():
    text = form(
        "上海市某局2025年度项目绩效目标汇总表",
        "财政项目支出绩效目标申报表",
        ("项目名称", "甲项目"),
        "财政项目支出绩效目标申报表",
        "(2026年度)",
        ("项目名称", "乙项目"),
    )
    filings = parse(text)
    assert [(f["name"], f["year"], f["line"]) for f in filings] == [
        ("甲项目", 2025, 2),
        ("乙项目", 2026, 4),
    ]
    assert [warnings(f) for f in filings] == [[], []]


# --- a form of a kind the seeds do not show ---------------------------------------------

UNSEEN_PROJECT = form(
    "财政项目支出绩效目标申报表",
    "（2024年度）",
    ("项目名称", "老旧小区微更新", "项目类别", "专项资金☐ 经常性项目☐ 一次性项目☑", ""),
    ("主管部门", "浦东新区建设和交通委员会", "实施单位", "浦东新区城市更新中心", ""),
    ("计划开始日期", "2024/3/1", "计划完成日期", "2026.12.31", ""),
    ("项目资金（元）", "项目资金总额", "3,600,000.00", "年度资金申请总额", "1,200,000.00"),
    ("", "其中:财政资金", "3,600,000.00", "其中:当年财政拨款", ""),
    ("", "", "", "上年结转资金", ""),
    ("", "其他资金", "", "其他资金", "1,200,000.00"),
    ("项目绩效目标", "项目总目标（2024年 - 2026年）", "", "年度总体目标", ""),
    ("", "三年内完成50个小区的微更新。", "", "完成首批20个小区的方案设计与施工。", ""),
    "",
    ("", "<p>每年汇报一次进度。</p>", "", "", ""),
    ("", "一级指标", "二级指标", "三级指标", "指标目标值"),
    ("绩效指标", "产出指标", "数量指标", "完成改造小区数", "≥20个"),
    ("", "", "质量指标", "验收合格率", "=100%"),
    ("", "", "时效指标", "方案设计完成时间", "2024年9月底前"),
    ("", "", "成本指标", "每小区改造成本", "≤60万元"),
    ("", "效益指标", "社会效益指标", "居民出行便利程度", "提高"),
    ("", "", "可持续影响指标", "长效管护机制健全性", "健全"),
    ("", "满意度指标", "服务对象满意度指标", "居民满意度", "≥90%"),
)


def test_unseen_district_project_form_parses():
    [filing] = parse(UNSEEN_PROJECT, source="pudong.txt")
    assert warnings(filing) == []
    assert filing["year"] == 2024
    assert filing["variant"] == "district"
    assert filing["name"] == "老旧小区微更新"
    assert filing["category"] == "一次性项目"
    assert (filing["department"], filing["implementing_unit"]) == (
        "浦东新区建设和交通委员会",
        "浦东新区城市更新中心",
    )
    assert (filing["start"], filing["end"]) == ("2024-03-01", "2026-12-31")
    assert (filing["goal_start_year"], filing["goal_end_year"]) == (2024, 2026)
    assert filing["money_unit"] == "元"
    assert filing["funds"] == {
        "total": "3600000.00",
        "fiscal": "3600000.00",
        "other": None,
        "annual_total": "1200000.00",
        "appropriation": None,
        "carryover": None,
        "annual_other": "1200000.00",
    }
    assert filing["overall_goal"] == "三年内完成50个小区的微更新。\n每年汇报一次进度。"
    assert filing["annual_goal"] == "完成首批20个小区的方案设计与施工。"
    assert filing["value_heading"] == "指标目标值"
    assert per_level1(filing) == {"产出指标": 4, "效益指标": 2, "满意度指标": 1}
    assert row(filing, "每小区改造成本") == ("产出指标", "成本指标", "≤60万元")


# --- other layouts the format allows ----------------------------------------------------


def test_page_markers_and_a_lone_section_label_do_not_become_content():
    text = form(
        "财政项目支出绩效目标申报表",
        "(2024年度)",
        ("项目绩效目标", "项目总目标", "", "年度总体目标"),
        ("", "总目标文字", "", "年度目标文字"),
        "- 1 -",
        "",
        "绩效指标",
        ("", "一级指标", "二级指标", "三级指标", "指标目标值"),
        ("", "产出指标", "数量指标", "培训人次", "≥200人次"),
        "第 2 页",
        ("", "", "", "培训完成率", "=100%"),
    )
    [filing] = parse(text)
    assert (filing["overall_goal"], filing["annual_goal"]) == ("总目标文字", "年度目标文字")
    assert [r["name"] for r in filing["indicators"]] == ["培训人次", "培训完成率"]
    assert warnings(filing) == [("page_marker", 5), ("page_marker", 10)]


def test_first_value_pushed_to_the_next_row_finds_the_value_heading_column():
    text = form(
        *PROJECT_HEAD,
        ("", "产出指标", "数量指标", "培训人次", ""),
        ("", "", "", "", "≥200人次"),
    )
    [filing] = parse(text)
    assert row(filing, "培训人次") == ("产出指标", "数量指标", "≥200人次")
    assert warnings(filing) == []


def test_input_note_printed_mid_span_is_still_the_note():
    text = form(
        "单位整体支出绩效目标申报表",
        "(2024年度)",
        ("一级目标", "二级目标", "三级目标", "指标目标值"),
        ("投入管理指标", "预算编审管理", "", ""),
        ("", "预算执行管理", "", ""),
        ("", "预算绩效管理", "按规定设置三级指标", ""),
        ("", "资产管理", "", ""),
    )
    [filing] = parse(text)
    assert filing["input_note"] == "按规定设置三级指标"
    assert [r["level2"] for r in filing["indicators"]] == INPUT_LEVEL2S[:4]
    assert all(r["name"] == "" for r in filing["indicators"])
    assert warnings(filing) == []


def test_lone_other_funds_label_goes_by_its_column():
    text = form(
        "财政项目支出绩效目标申报表",
        "(2024年度)",
        ("项目资金(元)", "项目资金总额", "150.00", "年度资金申请总额", "50.00"),
        ("", "其他资金", "100.00", "", ""),
        ("", "", "", "其他资金", "50.00"),
    )
    [filing] = parse(text)
    assert (filing["funds"]["other"], filing["funds"]["annual_other"]) == ("100.00", "50.00")


def test_titles_in_either_width_give_the_kind():
    text = form(
        "部门(单位)整体支出绩效目标申报表",
        "（2024年度）",
        ("部门名称", "某区民政局(汇总)", "下属预算单位个数", ""),
        "单位整体支出绩效目标申报表（2024年度）",
        ("单位名称", "某区养老中心"),
    )
    filings = parse(text)
    assert [(f["form"], f["name"], f["year"]) for f in filings] == [
        ("department", "某区民政局(汇总)", 2024),
        ("unit", "某区养老中心", 2024),
    ]
    assert filings[0]["subordinate_units"] is None


def test_level2_of_another_level1_follows_its_own_level1_with_a_warning():
    text = form(*PROJECT_HEAD, ("", "效益指标", "数量指标", "培训人次", "≥200人次"))
    [filing] = parse(text)
    assert row(filing, "培训人次") == ("产出指标", "数量指标", "≥200人次")
    assert warnings(filing) == [("level_mismatch", 5)]


# --- goal headings of every edition (issue 17) -------------------------------------------


@pytest.mark.parametrize(
    ("overall", "annual"),
    [
        ("项目总体目标", "年度总目标"),
        ("中期目标", "年度目标"),
        ("项目中长期目标", "项目年度目标"),
        ("长期目标", "年度总体绩效目标"),
    ],
)
def test_goal_headings_of_every_edition_are_headings_not_goal_text(overall, annual):
    text = form(
        "财政项目支出绩效目标申报表（2024年度）",
        ("项目绩效目标", overall, "", annual),
        ("", "总目标文字", "", "年度目标文字"),
        # Prose about goals is no heading: no warning.
        ("", "确保实现总体目标。", "", "完成年度目标任务。"),
    )
    [filing] = parse(text)
    assert filing["overall_goal"] == "总目标文字\n确保实现总体目标。"
    assert filing["annual_goal"] == "年度目标文字\n完成年度目标任务。"
    assert warnings(filing) == []


def test_a_span_on_a_line_of_its_own_is_the_goals_span():
    text = form(
        "财政项目支出绩效目标申报表（2024年度）",
        ("项目绩效目标", "项目总目标", "", "年度总体目标"),
        ("", "（2024年-2026年）"),
        ("", "总目标文字", "", "年度目标文字"),
    )
    [filing] = parse(text)
    assert (filing["goal_start_year"], filing["goal_end_year"]) == (2024, 2026)
    assert filing["overall_goal"] == "总目标文字"
    assert warnings(filing) == []


def test_a_span_in_a_cell_of_its_own_beside_the_heading_is_the_span():
    text = form(
        "财政项目支出绩效目标申报表（2024年度）",
        ("项目绩效目标", "中期目标", "(2024年-2025年)", "年度目标"),
        ("", "总目标文字", "", "年度目标文字"),
    )
    [filing] = parse(text)
    assert (filing["goal_start_year"], filing["goal_end_year"]) == (2024, 2025)
    assert warnings(filing) == []


@pytest.mark.parametrize("heading", ["近期目标", "三年目标（2024年-2026年）", "年度工作目标"])
def test_heading_words_inside_a_goal_are_a_warning_naming_them(heading):
    text = form(
        "财政项目支出绩效目标申报表（2024年度）",
        ("项目绩效目标", "项目总目标", "", "年度总体目标"),
        ("", "总目标文字", "", heading),
        ("", "", "", "年度目标文字"),
    )
    [filing] = parse(text)
    assert warnings(filing) == [("heading_in_value", 3)]
    assert f"「年度总体目标」中出现了标题文字「{heading}」" in filing["warnings"][0]["message"]


def test_a_long_name_cut_with_a_longer_tail_is_joined_too():
    text = form(
        *PROJECT_HEAD,
        ("绩效指标", "满意度指标", "服务对象满意度指标", "社区居家养老服务对象及其家属"),
        ("", "", "", "满意度", "≥90%"),
        # A short name without a value filled no cell: the row after it is a row.
        ("", "", "", "培训课程开发"),
        ("", "", "", "覆盖率", "=100%"),
    )
    [filing] = parse(text)
    names = [r["name"] for r in filing["indicators"]]
    assert names == ["社区居家养老服务对象及其家属满意度", "培训课程开发", "覆盖率"]
