"""Published forms of other editions, districts and provinces (issue 8).

Each sample in tests/samples/ is written by hand for one family of variants;
none copies a seed. Pure parser tests first, then the import into the database.
"""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation
from filings.models import Filing
from importers.loader import import_file
from importers.published import parse_published
from indicators.models import Indicator
from indicators.taxonomy import from_fixture

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TAXONOMY = from_fixture()


def parse(text, **kwargs):
    return parse_published(text, taxonomy=TAXONOMY, **kwargs)


def sample(name, **kwargs):
    return parse((SAMPLES / name).read_text(encoding="utf-8"), **kwargs)


def codes(filing, code=None):
    return [(w["code"], w["line"]) for w in filing["warnings"] if code in (None, w["code"])]


def row(filing, name):
    found = next(r for r in filing["indicators"] if r["name"] == name)
    return found["level1"], found["level2"], found["value"]


def form(*rows):
    return "\n".join("\t".join(cells) if isinstance(cells, tuple) else cells for cells in rows)


HEAD = ("财政项目支出绩效目标申报表", "(2026年度)", ("项目名称", "示例项目"))


# --- other columns: mapped from the header row -------------------------------------------


def test_extra_columns_never_become_the_value():
    [filing] = sample("edition_2021_project.txt")
    assert row(filing, "改建道路长度") == ("产出指标", "数量指标", "≥1.2公里")
    assert row(filing, "每公里改建成本") == ("成本指标", "经济成本指标", "≤85万元")
    first = filing["indicators"][0]
    assert (first["basis"], first["explanation"]) == ("历史标准", "按决算计")
    # A basis that names no kind is the basis's text (the checker asks for the kind).
    benefit = next(i for i in filing["indicators"] if i["name"] == "沿河居民出行便利程度")
    assert (benefit["basis"], benefit["basis_text"]) == ("", "根据区政府工作报告")
    # 评（扣）分标准 has no field: it is kept in the warnings, with its line.
    assert ("extra_column", 15) in codes(filing)
    messages = " ".join(w["message"] for w in filing["warnings"])
    assert "超出不得分" in messages and "根据区政府工作报告" not in messages
    assert filing["value_heading"] == "指标值"


@pytest.mark.parametrize(
    "heading",
    ["目标值", "年度指标值", "年度(/项目)指标值", "当年预期实现值", "2026年指标值"],
)
def test_value_column_is_found_by_its_heading_wherever_it_stands(heading):
    text = form(
        *HEAD,
        ("一级指标", "二级指标", "三级指标", "指标方向性", heading, "权重"),
        ("产出指标", "数量指标", "培训人次", "正向", "≥200人次", "10"),
    )
    [filing] = parse(text)
    assert row(filing, "培训人次") == ("产出指标", "数量指标", "≥200人次")
    assert filing["value_heading"] == heading
    # 指标方向性 and 权重 land in the row's fields (财预〔2021〕101号), not in the warnings.
    [indicator] = filing["indicators"]
    assert (indicator["direction"], indicator["weight"]) == ("positive", "10.00")
    assert codes(filing) == []


@pytest.mark.parametrize(
    ("cells", "fields", "left"),
    [
        (
            ("计划标准：年度工作计划", "20分", "正向", "是", "≥600人次"),
            {
                "basis": "计划标准",
                "basis_text": "年度工作计划",
                "weight": "20.00",
                "direction": "positive",
                "core": True,
                "period_value": "≥600人次",
            },
            [],
        ),
        (
            ("行业", "5", "越小越好", "", ""),
            {
                "basis": "行业标准",
                "weight": "5.00",
                "direction": "negative",
            },
            [],
        ),
        (
            ("预算编制说明", "120", "向上", "否", ""),
            {
                "basis": "",
                "basis_text": "预算编制说明",
            },
            ["120", "向上"],
        ),
    ],
)
def test_the_2021_columns_land_in_their_fields_or_stay_in_the_warnings(cells, fields, left):
    text = form(
        *HEAD,
        (
            "一级指标",
            "二级指标",
            "三级指标",
            "指标值",
            "设定依据",
            "权重",
            "指标方向性",
            "核心指标",
            "中长期指标值",
        ),
        ("产出指标", "数量指标", "培训人次", "≥200人次", *cells),
    )
    [filing] = parse(text)
    [indicator] = filing["indicators"]
    assert {key: indicator.get(key) for key in fields} == fields
    assert not indicator.get("core") or cells[3] == "是"
    messages = [w["message"] for w in filing["warnings"]]
    assert len(messages) == len(left)
    for cell, message in zip(left, messages, strict=True):
        assert cell in message and "未读入" in message


# --- labels of other editions ----------------------------------------------------------


def test_labels_of_other_editions_are_known():
    [filing] = sample("edition_2021_project.txt")
    assert filing["year"] == 2026
    assert (filing["goal_start_year"], filing["goal_end_year"]) == (2025, 2027)
    assert filing["overall_goal"] == "三年内完成滨河路全线改建。"
    assert filing["annual_goal"] == "完成北段1.2公里改建。"
    assert filing["money_unit"] == "万元"  # 金额单位：万元 above the table
    assert filing["funds"]["annual_total"] == "120.50"  # 年度资金总额
    assert filing["funds"]["appropriation"] == "100.50"  # 其中：财政拨款
    assert filing["funds"]["annual_other"] == "20.00"
    assert (filing["department"], filing["department_code"]) == ("某某区水务局", "201003")
    assert (filing["start"], filing["end"]) == ("2026-01-01", "2026-12-31")
    assert codes(filing, "unplaced") == []


def test_text_wrapped_inside_a_cell_is_joined_with_a_warning():
    [filing] = sample("edition_2021_project.txt")
    assert filing["name"] == "滨河路改建工程"
    assert filing["category"] == "经常性项目"
    assert codes(filing, "joined_wrapped_text") == [("joined_wrapped_text", 4)] * 2
    [spaced] = parse(
        form(
            *HEAD[:2],
            ("一级指标", "二级指标", "三级指标", "指标值"),
            ("产出指标", "质量指标", "合格率", "> =90%"),
        )
    )
    assert row(spaced, "合格率")[2] == "> =90%"  # the value parser's business


# --- levels ------------------------------------------------------------------------------


def test_unknown_level1_is_inferred_from_the_following_level2():
    [filing] = sample("edition_2021_project.txt")
    assert row(filing, "沿河居民出行便利程度") == ("效益指标", "社会效益指标", "提高")
    assert ("level1_noise", 20) in codes(filing)


def test_blank_level1_takes_the_parent_of_its_level2_cost_first():
    [filing] = sample("edition_2021_project.txt")
    assert filing["indicators"][0]["level1"] == "成本指标"
    assert row(filing, "改建道路长度")[0] == "产出指标"


def test_vertical_label_pieces_and_separator_rows_are_not_indicators():
    [filing] = sample("edition_2021_project.txt")
    names = [r["name"] for r in filing["indicators"]]
    assert len(names) == 6
    assert not {"绩", "效指标", "---"} & set(names)
    text = form(
        *HEAD,
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出指标", "数量指标", "培训人次", "≥200人次"),
        "+----+----+",
        ("", "", "培训完成率", "=100%"),
        "绩",
        "效",
        ("", "", "结业率", "≥95%"),
    )
    [filing] = parse(text)
    assert [r["name"] for r in filing["indicators"]] == ["培训人次", "培训完成率", "结业率"]


def test_word_split_across_rows_with_the_value_on_the_second_row_is_joined():
    [filing] = sample("edition_2021_project.txt")
    assert row(filing, "工程验收合格率，按国家标准分部分项验收") == (
        "产出指标",
        "质量指标",
        "=100%",
    )
    assert ("joined_split_word", 19) in codes(filing)


def test_misplaced_merged_labels_are_kept_with_a_warning():
    [filing] = sample("edition_2021_project.txt")
    assert row(filing, "河道巡查及时率")[:2] == ("产出指标", "数量指标")
    assert ("timeliness_misplaced", 17) in codes(filing)
    text = form(
        *HEAD,
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("效益指标", "社会效益指标", "群众满意度", "≥90%"),
    )
    [filing] = parse(text)
    assert codes(filing) == [("satisfaction_misplaced", 5)]


# --- money unit --------------------------------------------------------------------------


def test_project_form_without_money_unit_warns_and_money_unit_option_says_it():
    text = form(*HEAD, ("项目资金", "年度资金申请总额", "35.5"))
    [filing] = parse(text)
    assert filing["money_unit"] == "元"
    assert codes(filing) == [("money_unit_missing", 1)]
    [filing] = parse(text, money_unit="万元")
    assert (filing["money_unit"], codes(filing)) == ("万元", [])
    [filing] = parse(form(*HEAD, ("项目资金(元)", "年度资金申请总额", "35.5")), money_unit="万元")
    assert codes(filing) == [("money_unit_override", 1)]


# --- flat tables -------------------------------------------------------------------------


def test_flat_table_becomes_one_filing_per_project():
    first, second = sample("province_flat.txt")
    assert [f["name"] for f in (first, second)] == ["背街小巷保洁", "老年助餐补贴"]
    assert {f["year"] for f in (first, second)} == {2026}
    assert (first["implementing_unit"], first["implementing_unit_code"]) == (
        "某某街道办事处",
        "510001",
    )
    assert second["implementing_unit_code"] == "510001"
    assert (first["money_unit"], first["funds"]["annual_total"]) == ("万元", "36.00")
    assert second["funds"]["annual_total"] == "12.50"
    assert first["annual_goal"] == "全年保洁背街小巷42条。"
    assert [r["value"] for r in first["indicators"]] == [
        "≥42条",
        "≥95%",
        "≤24小时",
        "明显改善",
        "≥90%",
    ]
    assert row(first, "垃圾清运时限")[:2] == ("产出指标", "时效指标")
    assert row(second, "用餐老人满意度") == ("满意度指标", "服务对象满意度指标", "≥85%")
    assert ("subtotal", 11) in codes(second)
    assert codes(first, "unplaced") == codes(second, "unplaced") == []


# --- bad input ---------------------------------------------------------------------------


def test_bad_amounts_are_refused_with_their_line_never_changed():
    [filing] = sample("bad_amounts_unit.txt")
    assert filing["budget"] == dict.fromkeys(["total", "fiscal", "other", "basic", "project"])
    assert [line for code, line in codes(filing) if code == "bad_amount"] == [8, 9, 10, 11, 12]
    messages = [w["message"] for w in filing["warnings"]]
    assert any("为负数" in m for m in messages)
    assert any("超出上限" in m for m in messages)
    assert any("小数超过 2 位" in m for m in messages)
    assert all(len(m) < 120 for m in messages)  # a 27-digit echo is cut short


def test_entities_are_decoded_before_tags_are_stripped_and_control_chars_go():
    [filing] = sample("bad_amounts_unit.txt")
    assert "<" not in filing["duties"]
    assert filing["duties"] == "负责辖区alert(1)市容管理。"
    assert row(filing, "巡查次数") == ("产出指标", "数量指标", "≥12次")
    assert (filing["name"], filing["code"]) == ("某某街道办事处", "510001")


def test_absurd_years_are_not_taken():
    [filing] = parse(form("财政项目支出绩效目标申报表", "(0202年度)", ("项目名称", "甲")))
    assert filing["year"] is None
    assert codes(filing) == [("bad_year", 1), ("year_missing", 1)]
    text = form(*HEAD, ("项目绩效目标", "项目总目标(2026年-9999年)", "年度总体目标"))
    [filing] = parse(text)
    assert filing["goal_end_year"] is None
    assert codes(filing) == [("bad_goal_span", 4)]


# --- into the database -------------------------------------------------------------------


@pytest.fixture
def two_trees(db):
    """Two bureaus, each with a 某某街道办事处 under a department: names repeat."""
    made = {}
    for bureau_name, code in (("甲区财政局", "510001"), ("乙区财政局", "620001")):
        bureau = Organisation.objects.create(name=bureau_name, level="bureau")
        department = Organisation.objects.create(
            name="某某区水务局", level="department", parent=bureau
        )
        unit = Organisation.objects.create(
            name="某某街道办事处", level="unit", parent=department, code=code
        )
        made[bureau_name] = (bureau, department, unit)
    return made


def test_unit_resolves_by_its_printed_code(two_trees):
    report = import_file(SAMPLES / "province_flat.txt")
    assert report.error == ""
    _bureau, _department, unit = two_trees["甲区财政局"]
    assert set(Filing.objects.values_list("organisation", flat=True)) == {unit.pk}
    assert Filing.objects.get(name="背街小巷保洁").annual_total == 36


def test_repeated_name_needs_a_bureau(two_trees, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text(
        form(*HEAD, ("主管部门", "某某区水务局", "实施单位", "某某区水务局")), encoding="utf-8"
    )
    report = import_file(path)
    assert "有多个名为「某某区水务局」的组织" in report.error
    bureau, department, _unit = two_trees["乙区财政局"]
    report = import_file(path, bureau=bureau)
    assert report.error == ""
    assert Filing.objects.get().organisation == department


def test_command_takes_bureau_and_money_unit(two_trees, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text(
        form(*HEAD, ("实施单位", "某某区水务局"), ("项目资金", "年度资金申请总额", "35.5")),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_published", str(path), bureau="乙区财政局", money_unit="万元", stdout=out)
    filing = Filing.objects.get()
    assert filing.money_unit == "万元"
    assert filing.organisation.parent.name == "乙区财政局"
    with pytest.raises(CommandError, match="找不到财政局"):
        call_command("import_published", str(path), bureau="没有这个局", stdout=io.StringIO())


def test_too_many_indicators_are_refused(two_trees, tmp_path):
    rows = [("产出指标", "数量指标", f"指标{n}", "≥1个") for n in range(501)]
    path = tmp_path / "big.txt"
    path.write_text(
        form(
            *HEAD,
            ("实施单位", "某某区水务局"),
            ("一级指标", "二级指标", "三级指标", "指标值"),
            *rows,
        ),
        encoding="utf-8",
    )
    bureau = two_trees["甲区财政局"][0]
    report = import_file(path, bureau=bureau)
    assert "三级指标超过上限 500 条" in report.error
    assert not Indicator.objects.exists()


def test_money_unit_printed_above_the_title_belongs_to_the_next_form():
    text = form(
        "（金额单位：万元）",
        *HEAD,
        ("项目资金", "年度资金申请总额", "35.5"),
        "财政项目支出绩效目标申报表",
        ("项目名称", "另一项目"),
        ("项目资金(元)", "年度资金申请总额", "35.5"),
    )
    first, second = parse(text)
    assert (first["money_unit"], second["money_unit"]) == ("万元", "元")
    assert codes(first) == []


def test_unit_code_printed_in_its_own_box_on_an_overall_form():
    text = form(
        "单位整体支出绩效目标申报表",
        "(2026年度)",
        ("单位名称", "某某街道办事处", "单位编码", "510001"),
    )
    [filing] = parse(text)
    assert (filing["name"], filing["code"]) == ("某某街道办事处", "510001")
    assert codes(filing) == []


def test_a_huge_table_is_not_read_past_the_limit():
    rows = [("产出指标", "数量指标", f"指标{n}", "≥1个") for n in range(2000)]
    [filing] = parse(form(*HEAD, ("一级指标", "二级指标", "三级指标", "指标值"), *rows))
    assert len(filing["indicators"]) == 501  # one over: the save refuses it with a message
    assert codes(filing, "too_many_indicators") == [("too_many_indicators", 505)]


def test_value_in_three_columns_inside_a_form_is_assembled():
    text = form(
        *HEAD,
        ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"),
        ("产出指标", "数量指标", "培训人次", "≥", "200", "人次"),
        ("", "质量指标", "培训效果", "定性", "良好", ""),
        ("", "", "合格率", "约", "95", "%"),
    )
    [filing] = parse(text)
    assert [r["value"] for r in filing["indicators"]] == ["≥200人次", "良好", "95%"]
    assert codes(filing) == [("value_nature", 7)]


def test_a_table_with_cost_as_a_first_level_keeps_the_2021_edition():
    [edition_2021] = sample("edition_2021_project.txt")
    assert edition_2021["framework"] == "2021"
    classic = parse(
        form(
            *HEAD,
            ("一级指标", "二级指标", "三级指标", "指标值"),
            ("产出指标", "成本指标", "人均成本", "≤85元"),
        )
    )[0]
    assert "framework" not in classic
