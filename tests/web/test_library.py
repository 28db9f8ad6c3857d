"""The indicator library: seeding from approved filings, suggestions, the page, 纳入指标库."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from filings import demo
from filings.models import Filing
from importers.loader import import_file
from indicators.library import add_from_row, seed_from_filings, suggest
from indicators.models import Indicator, Level2, LibraryEntry
from perfgoals.folding import name_key
from tests.conftest import PUBLISHED, make_filing
from tests.factories import imported_filing, take_version

COMMON, OWN = LibraryEntry.Scope.COMMON, LibraryEntry.Scope.OWN
SUGGEST = reverse("indicators:library_suggest")
ADD = reverse("indicators:library_add")
PAGE = reverse("indicators:library")


@pytest.fixture
def filings(filings):
    # The centre's filing submitted once: its department sees a unit's filing from then on.
    take_version(filings["centre"])
    return filings


def level2(name):
    return Level2.objects.get(name=name)


def entry(name, level2_name="数量指标", *, organisation=None, uses=0, **extra):
    return LibraryEntry.objects.create(
        level2=level2(level2_name),
        name=name,
        scope=OWN if organisation else COMMON,
        organisation=organisation,
        uses=uses,
        **extra,
    )


def add_rows(filing, rows):
    """Append (二级, name, value) rows to ``filing``."""
    for order, (level2_name, name, value) in enumerate(rows, start=100):
        indicator = Indicator(filing=filing, level2=level2(level2_name), order=order, name=name)
        indicator.set_value(value)
        indicator.save()


@pytest.fixture
def seeds(personas):
    demo.load_organisations(demo.read_demo())
    for path in sorted(PUBLISHED.glob("*.txt")):
        assert import_file(path).error == ""


def get(name, level2_name, **filters):
    return LibraryEntry.objects.get(name=name, level2__name=level2_name, **filters)


# Seeding


def test_seeding_the_published_forms_counts_uses_units_and_scope(seeds):
    counts = seed_from_filings()

    # 服务对象满意度 is written by the 老龄中心 (≥80.00(%)) and by two filings of the
    # 残联 (≥85(%) and a bare 85): three filings, two organisations, so 共性.
    satisfaction = get("服务对象满意度", "服务对象满意度指标")
    assert (satisfaction.scope, satisfaction.organisation) == (COMMON, None)
    assert satisfaction.uses == 3
    assert satisfaction.unit == "%"
    assert satisfaction.direction == "positive"
    assert satisfaction.example_value in ("≥80.00(%)", "≥85(%)")  # never the bare "85"
    # 补贴发放及时性: 服务办 and the 老龄中心, qualitative.
    timely = get("补贴发放及时性", "时效指标")
    assert (timely.scope, timely.uses, timely.unit, timely.example_value) == (
        COMMON,
        2,
        "",
        "及时",
    )
    # 长效管理制度健全性: seven 残联 filings under 可持续影响指标, and once by 服务办
    # under 服务对象满意度指标, which is another indicator of another organisation.
    federation = Organisation.objects.get(name="上海市残疾人联合会")
    lasting = get("长效管理制度健全性", "可持续影响指标")
    assert (lasting.scope, lasting.organisation, lasting.uses) == (OWN, federation, 7)
    assert get("长效管理制度健全性", "服务对象满意度指标").organisation.name == "服务办"
    # 补助发放足额率 appears twice in 服务办's one filing: one use.
    assert get("补助发放足额率", "质量指标").uses == 1
    assert not LibraryEntry.objects.filter(name="").exists()  # placeholders are skipped
    assert counts.created == LibraryEntry.objects.count() == 232


def test_seeding_again_updates_instead_of_duplicating_and_keeps_admin_edits(seeds):
    seed_from_filings()
    total = LibraryEntry.objects.count()
    satisfaction = get("服务对象满意度", "服务对象满意度指标")
    satisfaction.explanation = "满意度调查中满意及以上的比例"  # an admin's curation
    satisfaction.unit = "%"
    satisfaction.save()

    counts = seed_from_filings()

    assert counts.created == 0
    assert counts.updated == 0
    assert LibraryEntry.objects.count() == total
    satisfaction.refresh_from_db()
    assert satisfaction.explanation == "满意度调查中满意及以上的比例"
    assert satisfaction.uses == 3


def test_a_second_organisation_turns_an_own_entry_into_a_common_one(seeds, orgs):
    seed_from_filings()
    own = get("使用人员满意度", "服务对象满意度指标")
    assert (own.scope, own.organisation, own.uses) == (OWN, orgs.disabled_federation, 2)

    filing = imported_filing(orgs.elderly_centre)
    add_rows(filing, [("服务对象满意度指标", "使用人员满意度", "≥95%")])
    counts = seed_from_filings()

    (entry,) = LibraryEntry.objects.filter(name="使用人员满意度")
    assert entry.pk == own.pk  # promoted, not duplicated
    assert (entry.scope, entry.organisation, entry.uses) == (COMMON, None, 3)
    assert counts.promoted == 1


def test_only_approved_filings_are_seeded(orgs):
    draft = make_filing(orgs.elderly_centre)
    add_rows(draft, [("数量指标", "草稿里的指标", "≥1(个)")])
    seed_from_filings()
    assert not LibraryEntry.objects.filter(name="草稿里的指标").exists()


def test_spellings_of_one_indicator_group_together_under_the_most_common(orgs):
    rows = {
        "a": "培训覆盖率（%）",
        "b": "培训覆盖率(%)",
        "c": " 培训 覆盖率(%)",
    }
    for label, name in rows.items():
        filing = imported_filing(orgs.elderly_centre, name=label)
        add_rows(filing, [("质量指标", name, "≥90(%)"), ("质量指标", "培训覆盖率(%)", "")])
    seed_from_filings()
    (entry,) = LibraryEntry.objects.filter(level2__name="质量指标")
    assert entry.name == "培训覆盖率(%)"
    assert entry.uses == 3
    assert name_key("培训覆盖率（%）") == name_key(" 培训 覆盖率(%)")


def test_seeding_costs_the_same_queries_for_more_filings(orgs):
    def seed_queries(count):
        for _ in range(count):
            number = Filing.objects.count()
            filing = imported_filing(orgs.elderly_centre, name=f"项目{number}")
            add_rows(filing, [("数量指标", f"指标{number}", "≥1(个)")])
        with CaptureQueriesContext(connection) as queries:
            seed_from_filings()
        return len(queries)

    seed_queries(1)  # from now on, each run both updates and creates entries
    assert seed_queries(2) == seed_queries(20)


def test_seed_library_command_reports_what_it_did(seeds):
    out = io.StringIO()
    call_command("seed_library", stdout=out)
    assert "新增 232 条" in out.getvalue()


# Suggestions


def test_suggestions_put_same_level2_then_own_organisation_then_uses_first(personas, orgs):
    centre = orgs.elderly_centre
    entry("培训满意度", "服务对象满意度指标", uses=50)  # another 二级
    entry("培训人数", uses=5)
    entry("培训场次", uses=9)
    entry("培训课时", organisation=centre, uses=1)  # the filer's own
    entry("讲座次数", explanation="培训及讲座的次数", uses=99)  # matches on explanation only

    names = [e.name for e in suggest(personas.filer, "培训", level2_id=level2("数量指标").pk)]

    assert names == ["培训课时", "培训场次", "培训人数", "讲座次数", "培训满意度"]


def test_suggestions_never_show_another_organisations_own_entries(personas, orgs):
    entry("残联专用指标", organisation=orgs.disabled_federation, uses=100)
    entry("老龄专用指标", organisation=orgs.elderly_centre)
    entry("共性指标")

    def visible(user):
        return {e.name for e in suggest(user, "指标", limit=50)}

    assert visible(personas.filer) == {"老龄专用指标", "共性指标"}
    assert visible(personas.outsider) == {"残联专用指标", "共性指标"}
    # Reviewers see the entries of the organisations under them.
    assert visible(personas.department_reviewer) == {"老龄专用指标", "共性指标"}
    assert visible(personas.finance_reviewer) == {"老龄专用指标", "共性指标"}
    assert visible(personas.outside_finance_reviewer) == {"残联专用指标", "共性指标"}
    assert visible(personas.admin) == {"残联专用指标", "老龄专用指标", "共性指标"}


def test_an_empty_query_lists_the_usual_entries_of_the_row_level2(personas):
    entry("培训人数", uses=5)
    entry("服务对象满意度", "服务对象满意度指标", uses=50)
    quantity = level2("数量指标").pk
    assert [e.name for e in suggest(personas.filer, "", level2_id=quantity)] == ["培训人数"]
    assert suggest(personas.filer, "") == []


def test_latin_letters_match_in_any_case(personas):
    entry("GDP增长率", uses=1)
    assert [e.name for e in suggest(personas.filer, "gdp")] == ["GDP增长率"]


def test_suggest_endpoint_answers_the_editor(client, personas, orgs):
    entry("培训人数", unit="人", direction="positive", example_value="≥30(人)", uses=4)
    client.force_login(personas.filer)

    response = client.get(SUGGEST, {"q": "培训", "level2": level2("数量指标").pk})

    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result == {
        "id": result["id"],
        "name": "培训人数",
        "level1": "产出指标",
        "level2": "数量指标",
        "level2_id": level2("数量指标").pk,
        "unit": "人",
        "direction": "positive",
        "explanation": "",
        "example_value": "≥30(人)",
        "uses": 4,
        "scope": "common",
    }


def test_suggest_for_a_filing_ranks_its_organisations_entries_first(client, personas, filings):
    entry("培训人数", uses=50)
    entry("培训人次", organisation=filings["centre"].organisation)
    client.force_login(personas.department_reviewer)
    response = client.get(SUGGEST, {"q": "培训", "filing": filings["centre"].pk})
    assert [r["name"] for r in response.json()["results"]] == ["培训人次", "培训人数"]


def test_suggest_for_an_outsiders_filing_is_404(client, personas, filings):
    client.force_login(personas.outsider)
    response = client.get(SUGGEST, {"q": "培训", "filing": filings["centre"].pk})
    assert response.status_code == 404
    assert "找不到这份申报" in response.json()["error"]


def test_anonymous_suggest_gets_401_json_not_a_redirect(client):
    response = client.get(SUGGEST, {"q": "培训"})
    assert response.status_code == 401
    assert "重新登录" in response.json()["error"]


def test_post_on_suggest_is_405(client, personas):
    client.force_login(personas.filer)
    assert client.post(SUGGEST, {"q": "培训"}).status_code == 405


def test_suggest_costs_the_same_queries_for_more_entries(client, personas, orgs):
    def queries(count):
        for number in range(count):
            entry(f"培训指标{len(LibraryEntry.objects.all())}", uses=number)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SUGGEST, {"q": "培训", "level2": level2("数量指标").pk})
        assert response.status_code == 200
        return len(captured)

    client.force_login(personas.filer)
    assert queries(2) == queries(20)


# The page


def test_page_lists_visible_entries_with_their_details(client, personas, orgs):
    entry("培训人数", unit="人", direction="positive", example_value="≥30(人)", uses=4)
    entry("残联专用指标", organisation=orgs.disabled_federation)
    client.force_login(personas.filer)

    response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("培训人数", "产出指标 / 数量指标", "≥30(人)", "正向", "共性"):
        assert text in html
    assert "残联专用指标" not in html
    assert "管理后台维护指标库" not in html  # only admins curate


def test_page_filters_by_search_level1_and_scope(client, personas, orgs):
    entry("培训人数")
    entry("受益群众满意度", "服务对象满意度指标")
    entry("本单位指标", organisation=orgs.elderly_centre)
    client.force_login(personas.filer)

    def shown(**params):
        html = client.get(PAGE, params).content.decode()
        return {name for name in ("培训人数", "受益群众满意度", "本单位指标") if name in html}

    satisfaction = level2("服务对象满意度指标")
    assert shown(q="满意") == {"受益群众满意度"}
    assert shown(level1=satisfaction.level1_id) == {"受益群众满意度"}
    assert shown(level2=level2("数量指标").pk) == {"培训人数", "本单位指标"}
    assert shown(scope="own") == {"本单位指标"}
    assert "没有符合条件的指标" in client.get(PAGE, {"q": "不存在"}).content.decode()


def test_empty_library_explains_itself(client, personas):
    client.force_login(personas.filer)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="library-empty"' in html
    assert "纳入指标库" in html


def test_admin_sees_the_link_to_edit_entries(client, personas):
    item = entry("培训人数")
    client.force_login(personas.admin)
    html = client.get(PAGE).content.decode()
    assert reverse("admin:indicators_libraryentry_change", args=[item.pk]) in html
    assert client.get(reverse("admin:indicators_libraryentry_changelist")).status_code == 200
    change = client.get(reverse("admin:indicators_libraryentry_change", args=[item.pk]))
    assert change.status_code == 200


def test_page_is_paginated_and_costs_the_same_queries_for_more_entries(client, personas):
    def queries(count):
        for number in range(count):
            entry(f"指标{LibraryEntry.objects.count()}", uses=number)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
        assert counts and all("JOIN" not in sql.upper() for sql in counts)
        return len(captured), response.context["page"]

    client.force_login(personas.filer)
    few, page = queries(5)
    many, page = queries(60)
    assert few == many
    assert len(page.object_list) == 30
    assert page.paginator.num_pages == 3


def test_anonymous_page_redirects_to_login(client):
    assert client.get(PAGE).url.startswith(reverse("login"))


# 纳入指标库


def _row(filing, name="培训人数"):
    return filing.indicators.get(name=name)


def test_filer_adds_a_row_to_their_organisations_library(client, personas, filings):
    filing = filings["centre"]
    row = _row(filing)
    row.explanation = "参加培训的人数"
    row.save()
    client.force_login(personas.filer)

    response = client.post(ADD, {"filing": filing.pk, "key": str(row.key)})

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["message"] == "已将「培训人数」纳入本单位指标库。"
    entry = LibraryEntry.objects.get(name="培训人数")
    assert (entry.scope, entry.organisation, entry.created_by) == (
        OWN,
        filing.organisation,
        personas.filer,
    )
    assert (entry.unit, entry.direction, entry.example_value) == ("人", "positive", "≥30(人)")
    assert entry.explanation == "参加培训的人数"
    # The second time nothing new is made, and the filer is told.
    again = client.post(ADD, {"filing": filing.pk, "key": str(row.key)}).json()
    assert (again["created"], again["message"]) == (False, "「培训人数」已在本单位指标库中。")
    assert LibraryEntry.objects.count() == 1


def test_adding_a_row_the_common_library_holds_says_so(client, personas, filings):
    entry("培训 人数")  # another spelling of the same indicator
    client.force_login(personas.filer)
    filing = filings["centre"]
    response = client.post(ADD, {"filing": filing.pk, "key": str(_row(filing).key)})
    assert response.json()["message"] == "「培训 人数」已是共性指标，无需重复纳入。"
    assert LibraryEntry.objects.count() == 1


def test_filer_may_add_a_row_of_an_approved_filing(client, personas, orgs):
    filing = imported_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    response = client.post(ADD, {"filing": filing.pk, "key": str(_row(filing).key)})
    assert response.json()["created"] is True


def test_outsider_adding_a_row_gets_404(client, personas, filings):
    client.force_login(personas.outsider)
    filing = filings["centre"]
    response = client.post(ADD, {"filing": filing.pk, "key": str(_row(filing).key)})
    assert response.status_code == 404
    assert not LibraryEntry.objects.exists()


@pytest.mark.parametrize("persona", ["department_reviewer", "finance_reviewer", "admin"])
def test_non_filer_adding_a_row_gets_403(client, personas, filings, persona):
    client.force_login(getattr(personas, persona))
    filing = filings["centre"]
    response = client.post(ADD, {"filing": filing.pk, "key": str(_row(filing).key)})
    assert response.status_code == 403
    assert response.json()["error"] == "只有本单位的填报人可以把指标纳入本单位的指标库。"
    assert not LibraryEntry.objects.exists()


def test_get_on_add_is_405(client, personas):
    client.force_login(personas.filer)
    assert client.get(ADD).status_code == 405


def test_anonymous_add_gets_401_json(client, filings):
    assert client.post(ADD, {"filing": filings["centre"].pk, "key": "x"}).status_code == 401


def test_add_refuses_unknown_rows_and_placeholders(client, personas, filings):
    filing = filings["centre"]
    client.force_login(personas.filer)
    unknown = client.post(ADD, {"filing": filing.pk, "key": "00000000-0000-0000-0000-000000000000"})
    assert unknown.status_code == 404
    assert "找不到这一行指标" in unknown.json()["error"]
    assert client.post(ADD, {"filing": filing.pk, "key": "not-a-key"}).status_code == 400
    placeholder = Indicator.objects.create(filing=filing, level2=level2("资产管理"), name="")
    response = client.post(ADD, {"filing": filing.pk, "key": str(placeholder.key)})
    assert response.status_code == 400
    assert "三级指标名称" in response.json()["error"]


def test_add_from_row_returns_the_existing_entry(personas, filings):
    row = _row(filings["centre"])
    first, created = add_from_row(personas.filer, row)
    second, created_again = add_from_row(personas.filer, row)
    assert (created, created_again, first.pk) == (True, False, second.pk)
