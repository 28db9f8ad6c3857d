"""The indicator editor: saving the table, paste from Excel, the page and its endpoints."""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.access import EDIT, filing_access
from filings.editing import StaleEdit
from filings.models import Filing
from indicators import editor
from indicators.models import Indicator, Level2
from indicators.taxonomy import Taxonomy
from tests.conftest import make_filing
from tests.factories import filing_in, take_version


@pytest.fixture
def draft(orgs):
    return make_filing(orgs.elderly_centre, name="老龄中心项目")


def _rows(filing):
    """The filing's rows as the editor sends them back unchanged."""
    return [
        {
            "key": str(ind.key),
            "level2": ind.level2_id,
            "name": ind.name,
            "value": ind.value,
            "explanation": ind.explanation,
            "basis": ind.basis,
        }
        for ind in filing.indicators.all()
    ]


def _saved(filing):
    return list(filing.indicators.values_list("name", "value", "order"))


def _level2(level1, name):
    return Level2.objects.get(level1__name=level1, name=name).pk


def _new_row(name, value, level1="产出指标", level2="数量指标", **extra):
    return {"key": "", "level2": _level2(level1, level2), "name": name, "value": value, **extra}


# --- save_rows ---------------------------------------------------------------------


def test_adding_a_row_keeps_the_keys_of_existing_rows_and_gives_the_new_one_a_key(draft):
    before = _rows(draft)
    rows = [before[0], _new_row("培训场次", "≥4场"), *before[1:]]
    result = editor.save_rows(draft, 0, rows)
    assert result.ok and result.lock_version == 1
    saved = list(draft.indicators.all())
    assert [ind.name for ind in saved] == ["培训人数", "培训场次", "服务覆盖率", "服务对象满意度"]
    assert [str(ind.key) for ind in saved[:1] + saved[2:]] == [row["key"] for row in before]
    assert saved[1].key not in {uuid.UUID(row["key"]) for row in before}
    assert (saved[1].operator, saved[1].number, saved[1].unit) == ("≥", 4, "场")
    assert [ind.order for ind in saved] == [1, 2, 3, 4]


def test_updating_a_row_keeps_the_filers_spelling_and_parses_it(draft):
    rows = _rows(draft)
    rows[0]["value"] = "不低于４０人"
    rows[0]["explanation"] = "全年参加培训的人数"
    rows[0]["basis"] = "计划标准"
    editor.save_rows(draft, 0, rows)
    row = draft.indicators.get(key=rows[0]["key"])
    assert row.value == "不低于40人"  # full-width digits repaired, wording kept
    assert (row.value_type, row.operator, row.number, row.unit) == ("quantitative", "≥", 40, "人")
    assert (row.explanation, row.basis) == ("全年参加培训的人数", "计划标准")


def test_a_row_missing_from_the_table_is_deleted(draft):
    rows = _rows(draft)
    editor.save_rows(draft, 0, [rows[0], rows[2]])
    assert [name for name, _, _ in _saved(draft)] == ["培训人数", "服务对象满意度"]


def test_reordering_moves_rows_and_keeps_their_keys(draft):
    rows = _rows(draft)
    editor.save_rows(draft, 0, [rows[2], rows[0], rows[1]])
    saved = list(draft.indicators.all())
    assert [str(ind.key) for ind in saved] == [rows[2]["key"], rows[0]["key"], rows[1]["key"]]
    assert [ind.order for ind in saved] == [1, 2, 3]


def test_a_key_of_another_filing_makes_a_new_row_and_leaves_the_other_alone(draft, orgs):
    other = make_filing(orgs.civil_affairs, name="民政局项目")
    foreign = _rows(other)[0]
    editor.save_rows(draft, 0, [*_rows(draft), foreign])
    mine = draft.indicators.get(order=4)
    assert str(mine.key) != foreign["key"]
    assert other.indicators.filter(key=foreign["key"], order=1).exists()


def test_a_stale_save_is_refused_and_changes_nothing(draft):
    rows = _rows(draft)
    editor.save_rows(draft, 0, rows)  # another tab saved: version 1
    stale = Filing.objects.get(pk=draft.pk)
    with pytest.raises(StaleEdit) as refused:
        editor.save_rows(stale, 0, [rows[0]])
    assert "已被修改" in str(refused.value)
    assert draft.indicators.count() == 3


def test_too_many_rows_are_refused_with_a_message(draft):
    rows = [_new_row(f"指标{n}", "1个") for n in range(editor.MAX_ROWS + 1)]
    result = editor.save_rows(draft, 0, rows)
    assert not result.ok
    assert f"最多 {editor.MAX_ROWS} 行" in result.errors[0]["message"]
    assert draft.indicators.count() == 3
    assert Filing.objects.get(pk=draft.pk).lock_version == 0


def test_a_bad_level2_is_refused_naming_the_row(draft):
    rows = _rows(draft)
    rows[2]["level2"] = 999999
    result = editor.save_rows(draft, 0, rows)
    assert not result.ok
    assert result.errors == [
        {"row": 3, "field": "level2", "message": "「第 3 行 二级指标」不在指标体系中，请重新选择。"}
    ]
    assert Filing.objects.get(pk=draft.pk).lock_version == 0


def test_a_too_long_name_is_refused_naming_the_row_and_field(draft):
    rows = _rows(draft)
    rows[2]["name"] = "长" * 201
    result = editor.save_rows(draft, 0, rows)
    assert result.errors[0]["message"].startswith("「第 3 行 三级指标」不能超过 200 个字")


def test_a_row_may_name_its_level2_by_names_and_an_unknown_basis_is_refused(draft):
    rows = _rows(draft)
    rows.append(
        {"key": "", "level1_name": "效益指标", "level2": "可持续影响指标", "name": "长效机制"}
    )
    rows[0]["basis"] = "领导要求"
    result = editor.save_rows(draft, 0, rows)
    assert [e["field"] for e in result.errors] == ["basis"]
    rows[0]["basis"] = ""
    assert editor.save_rows(draft, 0, rows).ok
    assert draft.indicators.get(name="长效机制").level2.name == "可持续影响指标"


def _indicators(filing, count):
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    rows = []
    for n in range(count):
        ind = Indicator(filing=filing, level2=level2, order=n + 10, name=f"指标{n}")
        ind.set_value(f"≥{n}(个)")
        rows.append(ind)
    Indicator.objects.bulk_create(rows)


@pytest.mark.parametrize("count", [5, 60])
def test_a_save_costs_the_same_number_of_queries_for_5_and_60_rows(orgs, count):
    filing = make_filing(orgs.elderly_centre, name=f"项目{count}")
    _indicators(filing, count)
    rows = _rows(filing)
    for row in rows:  # every row changes, and one is added, one removed
        row["value"] += "以上"
    rows = [*rows[1:], _new_row("新指标", "5个")]
    with CaptureQueriesContext(connection) as queries:
        assert editor.save_rows(filing, 0, rows).ok
    assert len(queries) == 8  # savepoint, taxonomy, claim, rows, delete, update, insert, release


# --- paste from Excel --------------------------------------------------------------


@pytest.fixture
def taxonomy(db):
    return Taxonomy.load()


def _pasted(text, filing, **kwargs):
    return editor.parse_pasted(text, Taxonomy.load(), filing, **kwargs)


def test_paste_of_four_columns_with_merged_cells_inherits_level1_and_level2(draft):
    text = (
        "一级指标\t二级指标\t三级指标\t指标值\n"
        "产出指标\t数量指标\t培训场次\t≥4场\n"
        "\t\t参训人次\t≥200人次\n"
        "\t质量指标\t考核合格率\t≥95%\n"
        '效益指标\t社会效益指标\t"政策知晓率\n（抽样）"\t≥80%\r\n'
    )
    result = _pasted(text, draft)
    assert result.problems == []
    assert [(r["level1_name"], r["level2_name"], r["name"], r["value"]) for r in result.rows] == [
        ("产出指标", "数量指标", "培训场次", "≥4场"),
        ("产出指标", "数量指标", "参训人次", "≥200人次"),
        ("产出指标", "质量指标", "考核合格率", "≥95%"),
        ("效益指标", "社会效益指标", "政策知晓率\n（抽样）", "≥80%"),
    ]
    assert (result.rows[1]["operator"], result.rows[1]["number"], result.rows[1]["unit"]) == (
        "≥",
        "200",
        "人次",
    )


def test_paste_of_three_columns_finds_the_level1_in_the_taxonomy(draft):
    result = _pasted("时效指标\t完成时间\t12月底前\n服务对象满意度指标\t满意度\t≥90%", draft)
    assert [(r["level1_name"], r["level2_name"]) for r in result.rows] == [
        ("产出指标", "时效指标"),
        ("满意度指标", "服务对象满意度指标"),
    ]
    assert result.rows[0]["value_type"] == "qualitative"


def test_paste_of_two_columns_goes_under_the_level2_of_the_row_or_asks(draft):
    level2 = _level2("效益指标", "社会效益指标")
    result = _pasted("受益人数\t≥500人\n", draft, level2_id=level2)
    assert [(r["level2"], r["name"]) for r in result.rows] == [(level2, "受益人数")]
    asked = _pasted("受益人数\t≥500人\n", draft)
    assert asked.rows == []
    assert "请先选择要放入的二级指标" in asked.problems[0]["message"]


def test_paste_with_explanation_and_basis_columns(draft):
    result = _pasted("产出指标\t数量指标\t培训场次\t≥4场\t全年举办场次\t历史标准", draft)
    assert (result.rows[0]["explanation"], result.rows[0]["basis"]) == ("全年举办场次", "历史标准")


def test_paste_reports_every_line_it_cannot_read_and_keeps_the_others(draft):
    text = (
        "产出指标\t数量指标\t培训场次\t≥4场\n"
        "产出指标\t社会效益指标\t错放的指标\t1个\n"
        "投入管理指标\t预算执行管理\t执行率\t≥90%\n"
        "单独一列\n"
    )
    result = _pasted(text, draft)
    assert [r["name"] for r in result.rows] == ["培训场次"]
    assert [(p["line"], p["message"]) for p in result.problems] == [
        (2, "「社会效益指标」不是「产出指标」下的二级指标。"),
        (3, "「投入管理指标」只用于整体支出表。"),
        (4, "只有一列：请同时复制「三级指标」和「指标值」两列。"),
    ]


# --- editor_context ----------------------------------------------------------------


def test_project_editor_offers_no_overall_level1_and_lists_rows_with_parsed_parts(draft, personas):
    context = editor.editor_context(draft, filing_access(personas.filer, draft.pk, EDIT))["editor"]
    # The classic edition: 成本指标 is a 二级 of 产出指标, not an 一级 of its own.
    offered = [level1["name"] for level1 in context["taxonomy"]]
    assert offered == ["产出指标", "效益指标", "满意度指标"]
    first = context["rows"][0]
    assert (first["level1_name"], first["level2_name"], first["name"]) == (
        "产出指标",
        "数量指标",
        "培训人数",
    )
    assert (first["operator"], first["number"], first["unit"], first["display"]) == (
        "≥",
        "30",
        "人",
        "≥30(人)",
    )
    assert context["lock_version"] == 0


def test_an_overall_filing_starts_with_the_input_block(orgs, personas):
    filing = make_filing(
        orgs.elderly_centre, name="老龄中心", form="unit", input_note="按沪财绩【2022】13号文设置"
    )
    access = filing_access(personas.filer, filing.pk, EDIT)
    context = editor.editor_context(filing, access)["editor"]
    block = context["rows"][:7]
    assert [row["level2_name"] for row in block] == [
        "预算编审管理",
        "预算执行管理",
        "预算绩效管理",
        "资产管理",
        "预算透明度",
        "内部控制管理",
        "预算信息化",
    ]
    assert all(row["key"] == "" and row["name"] == "" for row in block)
    assert context["input_note"] == "按沪财绩【2022】13号文设置"
    # The first autosave keeps them, and they are not offered twice.
    editor.save_rows(filing, 0, context["rows"])
    again = editor.editor_context(filing, access)["editor"]["rows"]
    assert len(again) == 10 and all(row["key"] for row in again)


# --- the views ---------------------------------------------------------------------


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_editor_page_shows_the_rows_to_the_filer(client, personas, draft):
    client.force_login(personas.filer)
    response = client.get(reverse("indicators:editor_page", args=[draft.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "从 Excel 粘贴" in page and "indicator-editor.js" in page
    data = response.content.decode().split('id="indicator-editor-data" type="application/json">')[1]
    data = json.loads(data.split("</script>")[0])
    assert [row["name"] for row in data["rows"]] == ["培训人数", "服务覆盖率", "服务对象满意度"]
    assert data["urls"]["save"] == reverse("indicators:save_rows", args=[draft.pk])


@pytest.mark.parametrize("count", [5, 60])
def test_the_editor_page_costs_the_same_number_of_queries_for_5_and_60_rows(
    client, personas, orgs, count
):
    filing = make_filing(orgs.elderly_centre, name=f"项目{count}")
    _indicators(filing, count)
    client.force_login(personas.filer)
    url = reverse("indicators:editor_page", args=[filing.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # session, user, filing, rows, taxonomy, its editions, notifications badge
    assert len(queries) == 7


def test_save_answers_the_new_version_keys_parsed_values_and_findings(client, personas, draft):
    client.force_login(personas.filer)
    rows = _rows(draft)
    rows[2]["value"] = "满意"  # a satisfaction target must be quantitative in %
    rows.append(_new_row("培训场次", "≥4场"))
    response = _post(
        client, reverse("indicators:save_rows", args=[draft.pk]), {"lock_version": 0, "rows": rows}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and data["lock_version"] == 1
    assert [row["key"] for row in data["rows"][:3]] == [row["key"] for row in rows[:3]]
    assert data["rows"][3]["key"] and data["rows"][3]["unit"] == "场"
    assert any(
        f["indicator"] == rows[2]["key"] and f["severity"] == "error" for f in data["findings"]
    )
    assert Filing.objects.get(pk=draft.pk).lock_version == 1


def test_a_stale_save_is_answered_409_with_the_reason_and_changes_nothing(client, personas, draft):
    client.force_login(personas.filer)
    url = reverse("indicators:save_rows", args=[draft.pk])
    rows = _rows(draft)
    assert _post(client, url, {"lock_version": 0, "rows": rows}).status_code == 200
    response = _post(client, url, {"lock_version": 0, "rows": rows[:1]})
    assert response.status_code == 409
    assert "已被修改" in response.json()["error"]
    assert response.json()["lock_version"] == 1
    assert draft.indicators.count() == 3


def test_invalid_rows_are_answered_400_naming_the_row(client, personas, draft):
    client.force_login(personas.filer)
    rows = _rows(draft)
    rows[1]["value"] = "9" * 201
    response = _post(
        client, reverse("indicators:save_rows", args=[draft.pk]), {"lock_version": 0, "rows": rows}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("「第 2 行 指标值」不能超过 200 个字")
    assert (
        _post(
            client,
            reverse("indicators:save_rows", args=[draft.pk]),
            {"lock_version": 0, "rows": "x"},
        ).status_code
        == 400
    )


def test_an_expired_session_gets_401_json_not_a_login_page(client, draft):
    response = _post(
        client, reverse("indicators:save_rows", args=[draft.pk]), {"lock_version": 0, "rows": []}
    )
    assert response.status_code == 401
    assert "登录已过期" in response.json()["error"]
    assert draft.indicators.count() == 3
    assert client.get(reverse("indicators:parse_value"), {"value": "1"}).status_code == 401


def test_the_value_preview_parses_as_typed(client, personas):
    client.force_login(personas.filer)
    response = client.get(reverse("indicators:parse_value"), {"value": "> =90％"})
    assert response.json() == {
        "value_type": "quantitative",
        "operator": "≥",
        "number": "90",
        "unit": "%",
        "direction": "positive",
        "display": "≥90(%)",
    }
    assert (
        client.get(reverse("indicators:parse_value"), {"value": "及时"}).json()["value_type"]
        == "qualitative"
    )


def test_paste_endpoint_answers_rows_and_problems(client, personas, draft):
    client.force_login(personas.filer)
    response = _post(
        client,
        reverse("indicators:parse_paste", args=[draft.pk]),
        {"text": "数量指标\t培训场次\t≥4场\n不存在\t某指标\t1", "level2": None},
    )
    assert response.status_code == 200
    data = response.json()
    assert [row["name"] for row in data["rows"]] == ["培训场次"]
    assert data["problems"][0]["line"] == 2
    assert draft.indicators.count() == 3  # nothing saved until the editor saves


POST_VIEWS = ["indicators:save_rows", "indicators:parse_paste"]


@pytest.mark.parametrize("name", [*POST_VIEWS, "indicators:editor_page"])
def test_outsider_gets_404(client, personas, draft, name):
    client.force_login(personas.outsider)
    url = reverse(name, args=[draft.pk])
    response = client.get(url) if name == "indicators:editor_page" else _post(client, url, {})
    assert response.status_code == 404


@pytest.mark.parametrize("name", [*POST_VIEWS, "indicators:editor_page"])
@pytest.mark.parametrize("persona", ["department_reviewer", "finance_reviewer"])
def test_reviewer_gets_403(client, personas, draft, name, persona):
    take_version(draft)  # submitted once: the department sees a unit's filing from then on
    client.force_login(getattr(personas, persona))
    url = reverse(name, args=[draft.pk])
    response = client.get(url) if name == "indicators:editor_page" else _post(client, url, {})
    assert response.status_code == 403
    assert draft.indicators.count() == 3


def test_a_submitted_filing_cannot_be_edited_by_its_filer(client, personas, orgs):
    submitted = filing_in("department_review", orgs.elderly_centre, personas)
    client.force_login(personas.filer)
    assert client.get(reverse("indicators:editor_page", args=[submitted.pk])).status_code == 403
    response = _post(
        client,
        reverse("indicators:save_rows", args=[submitted.pk]),
        {"lock_version": 0, "rows": _rows(submitted)[:1]},
    )
    assert response.status_code == 403
    assert "不能修改" in response.json()["error"]
    assert submitted.indicators.count() == 3


@pytest.mark.parametrize("name", POST_VIEWS)
def test_get_on_a_post_view_is_405(client, personas, draft, name):
    client.force_login(personas.filer)
    assert client.get(reverse(name, args=[draft.pk])).status_code == 405


def test_a_real_row_under_the_input_block_keeps_the_placeholders(orgs, personas):
    filing = make_filing(orgs.elderly_centre, name="老龄中心", form="unit")
    access = filing_access(personas.filer, filing.pk, EDIT)
    rows = editor.editor_context(filing, access)["editor"]["rows"]
    rows.insert(1, _new_row("预算编制及时率", "=100%", "投入管理指标", "预算编审管理"))
    assert editor.save_rows(filing, 0, rows).ok
    saved = list(filing.indicators.select_related("level2"))
    assert [(ind.level2.name, ind.name) for ind in saved[:3]] == [
        ("预算编审管理", ""),
        ("预算编审管理", "预算编制及时率"),
        ("预算执行管理", ""),
    ]
    assert len(saved) == 11


# --- the fields of the 2021 rules ----------------------------------------------------


def test_the_2021_fields_are_saved_and_the_weights_come_back_with_the_sum(client, personas, draft):
    client.force_login(personas.filer)
    rows = _rows(draft)
    rows[0].update(
        core=True,
        basis="计划标准",
        basis_text="《年度培训计划》",
        direction="positive",
        period_value="≥ 90 (人)",
        weight="40",
    )
    url = reverse("indicators:save_rows", args=[draft.pk])
    data = _post(client, url, {"lock_version": 0, "rows": rows}).json()
    assert data["ok"]
    first = draft.indicators.get(key=rows[0]["key"])
    assert (first.core, first.basis_text, first.direction) == (True, "《年度培训计划》", "positive")
    assert (first.period_value, first.weight) == ("≥ 90 (人)", Decimal("40.00"))
    # 产出 50: 40 set on the first row, the rest of 产出 is none; 效益 30 and 满意度 10 shared.
    weights = data["weights"]
    assert weights["rows"][rows[0]["key"]] == "40.00"
    assert weights["rows"][rows[1]["key"]] == "30.00"
    assert (weights["execution"], weights["total"]) == ("10.00", "90.00")


def test_a_page_that_posts_no_2021_fields_keeps_them(draft):
    row = draft.indicators.first()
    row.core, row.weight, row.basis_text = True, Decimal("12.5"), "行业标准文件"
    row.save()
    assert editor.save_rows(draft, 0, _rows(draft)).ok  # an older page: no such keys
    row.refresh_from_db()
    assert (row.core, row.weight, row.basis_text) == (True, Decimal("12.50"), "行业标准文件")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("weight", "120", "「第 1 行 分值」"),
        ("weight", "abc", "不是有效的分值"),
        ("direction", "up", "「第 1 行 指标方向」只能选择：正向、反向、定性"),
        ("period_value", "≥1\n2", "「第 1 行 全周期指标值」"),
    ],
)
def test_a_wrong_2021_field_is_refused_at_its_row_and_nothing_is_saved(draft, field, value, words):
    rows = _rows(draft)
    rows[0][field] = value
    result = editor.save_rows(draft, 0, rows)
    assert not result.ok
    [error] = result.errors
    assert (error["row"], error["field"]) == (1, field) and words in error["message"]
    assert Filing.objects.get(pk=draft.pk).lock_version == 0
