"""import_json checks its input's shape before saving, and never duplicates a filing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation
from filings.models import Filing
from filings.serialization import ImportProblem, filing_to_dict, save_filing
from tests.factories import GOOD_JSON, make_filing


def run(tmp_path, *items):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(list(items), ensure_ascii=False), encoding="utf-8")
    call_command("import_json", str(path), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": "2026"}, "「year」应为整数，却是文字「2026」"),
        ({"indicators": "产出指标"}, "「indicators」应为列表，却是文字"),
        ({"funds": "100"}, "「funds」应为对象"),
        ({"funds": {"annual_total": 100.5}}, "「funds.annual_total」应为文字或整数，却是小数"),
        ({"name": ["甲", "乙"]}, "「name」应为文字，却是列表"),
        ({"indicators": [["产出指标"]]}, "「indicators」第 1 条应为 JSON 对象"),
        ({"name": "坏\x00项目"}, "「name」含有不可见的控制字符"),
        ({"funds": {"annual_total": "99999999999999.999"}}, "超出上限"),
        ({"funds": {"annual_total": "-5.00"}}, "为负数"),
        ({"funds": {"annual_total": "1" * 27}}, "不是有效的金额"),
        ({"funds": {"annual_total": "1,2,3"}}, "不是有效的金额"),
        ({"funds": {"annual_total": "1.005"}}, "小数超过 2 位"),
        ({"year": 20260}, "「年度」的值「20260」不在 2000—2100 年之间"),
        ({"start": "1900-01-01"}, "不在 2000—2100 年之间"),
    ],
)
def test_wrong_shape_or_value_is_refused_naming_the_filing_and_key(tmp_path, db, change, message):
    with pytest.raises(CommandError) as error:
        run(tmp_path, GOOD_JSON, {**GOOD_JSON, "name": "另一项目", **change})
    assert "第 2 份" in str(error.value)
    assert message in str(error.value)
    assert len(str(error.value)) < 300  # the echo is cut short
    assert not Filing.objects.exists()


def test_string_for_the_organisation_path_is_not_split_into_characters(tmp_path, db):
    with pytest.raises(CommandError, match="应为名称列表"):
        run(tmp_path, {**GOOD_JSON, "organisation": "某区财政局"})
    assert not Organisation.objects.exists()


def test_importing_the_same_file_twice_refuses_the_duplicate_and_says_which(tmp_path, db):
    run(tmp_path, GOOD_JSON)
    with pytest.raises(CommandError, match=r"已有《好项目》.*未重复导入"):
        run(tmp_path, GOOD_JSON)
    assert Filing.objects.count() == 1


def test_whole_parent_chain_is_verified(tmp_path, db):
    """A unit named like one of another tree gets a filing in its own tree only."""
    other = Organisation.objects.create(name="别区财政局", level="bureau")
    department = Organisation.objects.create(name="某局", level="department", parent=other)
    namesake = Organisation.objects.create(name="某中心", level="unit", parent=department)
    run(tmp_path, GOOD_JSON)
    filing = Filing.objects.get()
    assert filing.organisation != namesake
    assert filing.organisation.path() == ["某区财政局", "某局", "某中心"]


def test_too_many_indicators_are_refused(tmp_path, db):
    row = GOOD_JSON["indicators"][0]
    with pytest.raises(CommandError, match="三级指标超过上限 500 条"):
        run(tmp_path, {**GOOD_JSON, "indicators": [row] * 501})


def test_not_a_list_or_not_json_is_a_message(tmp_path, db):
    path = tmp_path / "in.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_json", str(path), stdout=io.StringIO())
    path.write_text('"文字"', encoding="utf-8")
    with pytest.raises(CommandError, match="应为申报对象的数组"):
        call_command("import_json", str(path), stdout=io.StringIO())
    path.write_text('["文字"]', encoding="utf-8")
    with pytest.raises(CommandError, match="每份申报应为 JSON 对象"):
        call_command("import_json", str(path), stdout=io.StringIO())


# What a row held in the JSON format (and so in every version's hash) before the 2021 fields.
_KEYS_BEFORE_2021 = ("key", "level1", "level2", "name", "value", "explanation", "basis")


def test_the_2021_fields_and_the_edition_survive_a_json_round_trip(orgs):
    data = filing_to_dict(make_filing(orgs.elderly_centre))
    data["name"] = "2021版项目"
    data["framework"] = "2021"
    data["execution_weight"] = "10.00"
    data["indicators"][0].update(
        core=True,
        basis="计划标准",
        basis_text="《某某实施方案》",
        direction="positive",
        period_value="≥90(人)",
        weight="50.00",
    )
    saved = save_filing(data, orgs.elderly_centre)
    again = filing_to_dict(saved)
    assert again["framework"] == "2021" and again["execution_weight"] == "10.00"
    first = again["indicators"][0]
    assert (first["core"], first["basis_text"], first["direction"]) == (
        True,
        "《某某实施方案》",
        "positive",
    )
    assert (first["period_value"], first["weight"]) == ("≥90(人)", "50.00")
    # A filing that uses none of them writes none of them: its hash is what it always was.
    assert "core" not in again["indicators"][1] and "weight" not in again["indicators"][1]
    plain = filing_to_dict(make_filing(orgs.elderly_centre, name="另一个"))
    assert not {"framework", "execution_weight"} & set(plain)
    assert set(plain["indicators"][0]) == set(_KEYS_BEFORE_2021)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("weight", "120", "分值"),
        ("weight", 1.5, "weight"),
        ("core", "yes", "真假值"),
        ("direction", "up", "指标方向"),
    ],
)
def test_a_wrong_2021_field_is_refused_naming_it(orgs, key, value, message):
    data = filing_to_dict(make_filing(orgs.elderly_centre))
    data["name"] = "新项目"
    data["indicators"][0][key] = value
    with pytest.raises(ImportProblem, match=message):
        save_filing(data, orgs.elderly_centre)


def test_an_unknown_edition_is_refused_naming_the_choices(orgs):
    data = filing_to_dict(make_filing(orgs.elderly_centre))
    data["name"] = "新项目"
    data["framework"] = "2099"
    with pytest.raises(ImportProblem, match=r"未知的指标体系「2099」.*classic"):
        save_filing(data, orgs.elderly_centre)
