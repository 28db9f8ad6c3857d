"""Model rules, the JSON loader's messages and the money helpers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from accounts.models import Organisation, User
from filings.models import content_hash
from filings.money import AmountError, amount_str, format_amount, parse_amount
from filings.serialization import ImportProblem, save_filing
from perfgoals import settings as project_settings


@pytest.mark.parametrize(
    ("level", "parent_level", "ok"),
    [
        ("bureau", None, True),
        ("bureau", "bureau", False),
        ("department", "bureau", True),
        ("department", None, False),
        ("unit", "department", True),
        ("unit", "bureau", False),
    ],
)
def test_organisation_tree_shape_is_checked(db, level, parent_level, ok):
    parent = None
    if parent_level:
        grand = Organisation.objects.create(name="某区财政局", level="bureau")
        parent = (
            grand
            if parent_level == "bureau"
            else Organisation.objects.create(name="某局", level="department", parent=grand)
        )
    org = Organisation(name="新组织", level=level, parent=parent)
    if ok:
        org.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            org.full_clean()
        assert "上级" in str(exc.value)


@pytest.mark.parametrize(
    ("role", "org_attr", "ok"),
    [
        ("filer", "elderly_centre", True),
        ("filer", "civil_affairs", True),
        ("filer", "minhang_bureau", False),
        ("department_reviewer", "civil_affairs", True),
        ("department_reviewer", "elderly_centre", False),
        ("finance_reviewer", "minhang_bureau", True),
        ("finance_reviewer", "civil_affairs", False),
        ("admin", None, True),
    ],
)
def test_role_must_fit_the_organisation(orgs, role, org_attr, ok):
    user = User(username="u", role=role, organisation=getattr(orgs, org_attr) if org_attr else None)
    user.set_password("x-long-password")
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError, match="必须属于"):
            user.full_clean()


def test_organisation_path_runs_from_the_bureau(orgs):
    assert orgs.elderly_centre.path() == [
        "闵行区财政局",
        "上海市闵行区民政局",
        "上海市闵行区老龄事业发展中心",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2024-13-01"}, "「计划开始日期」的值「2024-13-01」应为 YYYY-MM-DD"),
        ({"funds": {"fiscal": "12,3a"}}, "「其中：财政资金」的值「12,3a」不是有效的金额"),
        ({"money_unit": "美元"}, "「金额单位」"),
        ({"year": None}, "「年度」"),
        ({"name": "长" * 201}, "「名称」"),
        (
            {"indicators": [{"level1": "产出指标", "level2": "社会效益指标", "name": "x"}]},
            "第 1 条三级指标：二级指标「社会效益指标」不属于一级指标「产出指标」",
        ),
        (
            {"indicators": [{"level1": "产出指标", "level2": "数量指标", "basis": "拍脑袋"}]},
            "第 1 条三级指标：「设定依据」",
        ),
        ({"form": "budget"}, "未知的表式「budget」"),
    ],
)
def test_save_filing_names_the_bad_field_in_chinese(orgs, data, message):
    base = {"form": "project", "year": 2024, "name": "项目", "indicators": []}
    with pytest.raises(ImportProblem) as exc:
        save_filing({**base, **data}, orgs.elderly_centre)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2,013,200.00", Decimal("2013200.00")),
        ("17594460", Decimal("17594460")),
        ("  0.00 ", Decimal("0.00")),
        ("", None),
        (None, None),
        ("１２３．５", Decimal("123.5")),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["12元", "1.2.3", "abc", "1,2a"])
def test_parse_amount_rejects_non_amounts(text):
    with pytest.raises(AmountError, match=text):
        parse_amount(text)


@pytest.mark.parametrize(
    ("amount", "printed", "plain"),
    [
        (Decimal("2013200"), "2,013,200.00", "2013200.00"),
        (Decimal("476373173.650000"), "476,373,173.65", "476373173.65"),
        (Decimal("12.345600"), "12.3456", "12.3456"),
        (Decimal("0"), "0.00", "0.00"),
        (None, "", None),
    ],
)
def test_amounts_print_with_separators_and_two_places(amount, printed, plain):
    assert format_amount(amount) == printed
    assert amount_str(amount) == plain


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_boolean_setting_fails_loudly(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        project_settings.env_bool("SOME_FLAG", True)


def test_boolean_setting_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "off")
    assert project_settings.env_bool("SOME_FLAG", True) is False
    monkeypatch.delenv("SOME_FLAG")
    assert project_settings.env_bool("SOME_FLAG", True) is True


@pytest.mark.parametrize(
    ("text", "unit", "code"),
    [
        ("1,2,3", None, "invalid"),
        ("12,34.00", None, "invalid"),
        ("-5.00", None, "negative"),
        ("99,999,999,999,999.999", None, "too_large"),
        ("10000000000000", "万元", "too_large"),
        ("1" * 27, None, "too_large"),
        ("1" * 41, None, "invalid"),
        ("1.005", "元", "decimals"),
        ("1.0000005", "万元", "decimals"),
    ],
)
def test_one_bound_for_every_amount(text, unit, code):
    with pytest.raises(AmountError) as error:
        parse_amount(text, unit)
    assert error.value.code == code
    assert len(str(error.value)) < 80  # the echo of a long input is cut short


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("9,999,999,999,999.99", "元", Decimal("9999999999999.99")),
        ("1.000000", "元", Decimal("1.000000")),  # trailing zeros: still whole 分
        ("12.345678", "万元", Decimal("12.345678")),
        (1200, None, Decimal(1200)),
    ],
)
def test_amounts_inside_the_bound_are_kept_exactly(text, unit, expected):
    assert parse_amount(text, unit) == expected


def test_save_filing_refuses_what_the_database_could_not_read_back(orgs):
    data = {"form": "project", "year": 2024, "name": "项目", "funds": {"total": "1" * 20}}
    with pytest.raises(ImportProblem, match="超出上限"):
        save_filing(data, orgs.elderly_centre)
    with pytest.raises(ImportProblem, match="应为文字或整数，却是小数"):
        save_filing({**data, "funds": {"total": 1.5}}, orgs.elderly_centre)


# --- the content hash ----------------------------------------------------------------

SNAPSHOT = {
    "name": "培训项目",
    "status": "draft",
    "year": 2024,
    "indicators": [{"value": "≥30(人)"}],
}


def test_the_content_hash_is_the_rule_stored_versions_were_hashed_by():
    # Pinned: every stored FilingVersion must keep verifying under check_integrity.
    digest = "57cb68350e90f598089c76212f70e9d271b5c80108396896ab0ba86413eaefb6"
    assert content_hash(SNAPSHOT) == digest


def test_the_content_hash_ignores_the_status_and_nothing_else():
    assert content_hash({**SNAPSHOT, "status": "approved"}) == content_hash(SNAPSHOT)
    assert content_hash({**SNAPSHOT, "source": "导入"}) != content_hash(SNAPSHOT)
    assert content_hash({**SNAPSHOT, "name": "培训项目 "}) != content_hash(SNAPSHOT)


# --- a user's display name ------------------------------------------------------------


@pytest.mark.parametrize(
    "first, last, shown",
    [
        ("王填报", "", "王填报"),  # the demo's accounts: the whole name in one field
        ("三", "张", "张三"),  # family name first, no space, as Chinese writes it
        ("John", "Smith", "John Smith"),  # a Latin name keeps its own order
        ("", "", "login_name"),  # no name given: the login name
    ],
)
def test_a_users_display_name(first, last, shown):
    user = User(username="login_name", first_name=first, last_name=last)
    assert user.display_name == shown
