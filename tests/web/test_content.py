"""One content service: every write of a filing's content claims, refuses frozen filings, cleans.

Defects of issue 22 found by trying the running app, each a rule that one writer forgot:
1. the admin site added or moved rows into an approved filing;
2. an admin's fix to a row did not bump ``lock_version``: the filer's next autosave
   silently overwrote it;
6. control characters (CR, LF, DEL) in the wizard's name, comments, 审核表 opinions and
   round titles, and dates such as 0001-01-01 in the wizard, after which export_json →
   import_json refused the filing;
7. a right-to-left override kept in download, zip entry and job file names.
"""

import copy
import datetime
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exports import excel as excel_export
from exports import jobs
from filings import content, integrity
from filings.cleaning import TextRefused, clean_text, strip_invisible, text_problem
from filings.models import Filing, Task
from filings.serialization import filing_to_dict, save_filing
from filings.wizard import steps
from importers import excel as importer
from importers.xlsx_upload import ExcelProblem
from indicators.models import Indicator, Level2
from review import workflow
from review.models import Comment, Review, Round
from tests.conftest import make_filing
from tests.factories import complete_filing, full_sheet
from tests.helpers import strategies as hostile
from tests.helpers.excel import content as content_of
from tests.helpers.excel import export, find, rich_project, saved, workbook

ROOT = Path(__file__).resolve().parents[2]
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
SHEET = full_sheet()
_ready = complete_filing


def _fresh(filing):
    return Filing.objects.get(pk=filing.pk)


def _submitted(filing, personas):
    workflow.submit(filing, personas.filer, seen_version=_fresh(filing).lock_version)
    return _fresh(filing)


def _approved(filing, personas):
    """Through the workflow: submitted, approved by the department, then by the bureau."""
    _submitted(filing, personas)
    for reviewer in (personas.department_reviewer, personas.finance_reviewer):
        current = _fresh(filing)
        workflow.decide(
            current, reviewer, seen_version=current.lock_version, decision="approve", sheet=SHEET
        )
    filing = _fresh(filing)
    assert filing.status == Filing.Status.APPROVED
    return filing


@pytest.fixture
def approved(personas, orgs):
    return _approved(_ready(orgs.elderly_centre, name="已批复项目"), personas)


@pytest.fixture
def draft(orgs):
    return _ready(orgs.elderly_centre, name="草稿项目")


def _integrity_problems():
    return [str(problem) for problem in integrity.check().problems]


def _level2(level1="产出指标", name="数量指标"):
    return Level2.objects.get(level1__name=level1, name=name)


# --- The one cleaner -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\r", "\n", "\t", "\x7f", "\x00", "\x1b", "\x85", RLO])
@pytest.mark.parametrize("bidi", ["\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u202a"])
def test_one_line_text_refuses_controls_line_breaks_and_direction_marks(bad, bidi):
    for text in (f"项目{bad}名称", f"项目{bidi}名称"):
        with pytest.raises(TextRefused):
            clean_text(text)
        assert text_problem(text)


def test_multi_line_text_keeps_its_lines_as_lf_and_refuses_the_rest():
    assert (
        clean_text("一、\r\n二、\r三、\n四、\t完", multiline=True) == "一、\n二、\n三、\n四、\t完"
    )
    for bad in ("\x7f", "\x00", RLO, "\ud800"):
        with pytest.raises(TextRefused):
            clean_text(f"一、{bad}二、", multiline=True)
    assert "不能超过 5 个字" in text_problem("一二三四五六", max_length=5)


def test_strip_invisible_drops_what_clean_text_refuses():
    assert strip_invisible(f"项目{RLO}gpj.exe\x7f\r\n名") == "项目gpj.exe 名"
    assert strip_invisible(f"一\r\n二{RLO}", multiline=True) == "一\n二"


# --- Defect 7: file names ---------------------------------------------------------------


def test_file_names_drop_direction_and_control_characters():
    for built in (
        jobs.safe_name(f"项目{RLO}gpj.exe"),
        excel_export.sheet_title(f"项目{RLO}\r\n名称", set()),
    ):
        assert RLO not in built and "\r" not in built and "\n" not in built
        assert built.startswith("项目")


def test_a_stored_name_with_an_override_downloads_under_a_clean_name(client, personas, orgs):
    # A name stored before the cleaner existed (or by hand in the database).
    filing = make_filing(orgs.elderly_centre, name=f"项目{RLO}gpj.exe")
    client.force_login(personas.filer)
    response = client.get(reverse("exports:export_excel", args=[filing.pk]))
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert RLO not in disposition
    assert "项目gpj.exe" in disposition


# --- Defect 1: the admin site and frozen filings ----------------------------------------


def _admin_row_data(filing, **extra):
    return {
        "filing": filing.pk,
        "level2": _level2().pk,
        "order": 9,
        "name": "管理员加的指标",
        "value": "≥5(场)",
        "explanation": "",
        "basis": "",
        **extra,
    }


def test_admin_cannot_add_an_indicator_to_an_approved_filing(client, personas, approved):
    before = approved.indicators.count()
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:indicators_indicator_add"), _admin_row_data(approved), follow=True
    )
    assert response.status_code in (200, 403)
    assert "已提交、审核中或已批复" in response.content.decode()
    assert approved.indicators.count() == before
    assert _integrity_problems() == []


def test_admin_cannot_move_an_indicator_into_an_approved_filing(client, personas, approved, draft):
    row = draft.indicators.first()
    client.force_login(personas.admin)
    url = reverse("admin:indicators_indicator_change", args=[row.pk])
    response = client.post(url, _admin_row_data(approved, name=row.name, value=row.value))
    assert "已提交、审核中或已批复" in response.content.decode()
    row.refresh_from_db()
    assert row.filing_id == draft.pk
    assert _integrity_problems() == []


def test_admin_cannot_add_a_task_to_an_approved_filing(client, personas, approved):
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:filings_task_add"),
        {"filing": approved.pk, "order": 1, "name": "管理员加的任务", "content": ""},
    )
    assert "已提交、审核中或已批复" in response.content.decode()
    assert not Task.objects.filter(filing=approved).exists()
    assert _integrity_problems() == []


def test_admin_bulk_delete_of_rows_of_an_approved_filing_is_refused(client, personas, approved):
    rows = list(approved.indicators.values_list("pk", flat=True))
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:indicators_indicator_changelist"),
        {"action": "delete_selected", "_selected_action": rows, "post": "yes"},
    )
    assert response.status_code == 403
    assert approved.indicators.count() == len(rows)
    assert _integrity_problems() == []


# --- Defect 2: an admin's fix outdates the filer's open pages -------------------------


def _autosave_rows(client, filing, seen_version, rows):
    return client.post(
        reverse("indicators:save_rows", args=[filing.pk]),
        json.dumps({"lock_version": seen_version, "rows": rows}),
        content_type="application/json",
    )


def test_an_admin_fix_to_a_row_is_not_overwritten_by_the_filers_stale_autosave(
    client, personas, draft
):
    seen = _fresh(draft).lock_version  # the filer's editor page is open at this version
    row = draft.indicators.get(name="培训人数")
    page_rows = [
        {"key": str(r.key), "level2": r.level2_id, "name": r.name, "value": r.value}
        for r in draft.indicators.all()
    ]
    client.force_login(personas.admin)
    url = reverse("admin:indicators_indicator_change", args=[row.pk])
    data = _admin_row_data(draft, name="培训人数", value="≥50(人)", order=row.order)
    assert client.post(url, data).status_code == 302
    assert _fresh(draft).lock_version > seen

    client.force_login(personas.filer)
    response = _autosave_rows(client, draft, seen, page_rows)
    assert response.status_code == 409
    row.refresh_from_db()
    assert row.value == "≥50(人)"


def test_an_admin_fix_to_a_task_outdates_the_wizard_page(client, personas, orgs):
    filing = make_filing(orgs.civil_affairs, form="unit", name="民政局")
    task = Task.objects.create(filing=filing, order=1, name="旧任务", content="")
    seen = _fresh(filing).lock_version
    client.force_login(personas.admin)
    url = reverse("admin:filings_task_change", args=[task.pk])
    data = {"filing": filing.pk, "order": 1, "name": "管理员改的任务", "content": ""}
    assert client.post(url, data).status_code == 302
    assert _fresh(filing).lock_version > seen


# --- Defect 6: one cleaner for every text a person types --------------------------------


@pytest.mark.parametrize("bad", ["\r\n", "\x7f", RLO])
def test_wizard_refuses_control_characters_in_the_name(client, personas, draft, bad):
    client.force_login(personas.filer)
    response = client.post(
        reverse("filings:wizard", args=[draft.pk, "basic"]),
        {"lock_version": _fresh(draft).lock_version, "nav": "save", "name": f"新{bad}名称"},
    )
    assert "「项目名称」" in response.content.decode()
    assert _fresh(draft).name == "草稿项目"


@pytest.mark.parametrize("bad", ["\n", "\x7f", RLO])
def test_new_filing_refuses_control_characters_in_the_name(client, personas, bad):
    client.force_login(personas.filer)
    response = client.post(
        reverse("filings:create", args=["project"]), {"year": 2025, "name": f"项目{bad}名"}
    )
    assert response.status_code == 200
    assert "「项目名称」" in response.content.decode()
    assert not Filing.objects.exists()


def test_wizard_keeps_the_lines_of_a_goal_as_lf(client, personas, draft):
    client.force_login(personas.filer)
    client.post(
        reverse("filings:wizard", args=[draft.pk, "goals"]),
        {
            "lock_version": _fresh(draft).lock_version,
            "nav": "save",
            "overall_goal": "一、助餐。\r\n二、助浴。",
            "annual_goal": "全年。",
            "goal_start_year": 2024,
            "goal_end_year": 2024,
        },
    )
    assert _fresh(draft).overall_goal == "一、助餐。\n二、助浴。"


@pytest.mark.parametrize("bad", ["\x7f", RLO, "\x1b"])
def test_comments_refuse_control_characters(client, personas, draft, bad):
    filing = _submitted(draft, personas)
    client.force_login(personas.department_reviewer)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": "part:basic", "body": f"请补充{bad}说明"},
    )
    assert response.status_code == 400
    assert "「意见」" in response.content.decode() or "控制字符" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("bad", ["\x7f", RLO, "\x1b"])
def test_review_sheet_opinions_refuse_control_characters(client, personas, draft, bad):
    filing = _submitted(draft, personas)
    client.force_login(personas.department_reviewer)
    client.get(reverse("review:review", args=[filing.pk]))  # opens the sheet
    data = {**SHEET, "opinion_goals": f"目标{bad}明确", "seen_version": _fresh(filing).lock_version}
    response = client.post(
        reverse("review:decide", args=[filing.pk]), {**data, "decision": "approve"}
    )
    assert "控制字符" in response.content.decode()
    assert _fresh(filing).status == Filing.Status.DEPARTMENT_REVIEW
    assert not Review.objects.filter(decision="approve").exists()


def test_the_workflow_refuses_an_opinion_with_control_characters(personas, draft):
    filing = _submitted(draft, personas)
    with pytest.raises(workflow.TransitionRefused, match="「总体目标」含有不可见的控制字符"):
        workflow.decide(
            filing,
            personas.department_reviewer,
            seen_version=filing.lock_version,
            decision="approve",
            sheet={**SHEET, "opinion_goals": f"目标{RLO}明确"},
        )
    assert _fresh(filing).status == Filing.Status.DEPARTMENT_REVIEW


@pytest.mark.parametrize("bad", ["\r\n", "\x7f", RLO])
def test_round_titles_refuse_control_characters(client, personas, bad):
    client.force_login(personas.finance_reviewer)
    response = client.post(
        reverse("review:rounds"),
        {
            "year": "2025",
            "title": f"年度{bad}申报",
            "opens_on": "2025-01-02",
            "deadline": "2025-03-31",
        },
    )
    assert response.status_code == 200
    assert not Round.objects.exists()


def test_the_admin_site_cleans_round_titles_and_organisation_names(client, personas, orgs):
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:review_round_add"),
        {
            "bureau": orgs.minhang_bureau.pk,
            "year": 2025,
            "title": f"年度{RLO}申报",
            "opens_on": "2025-01-02",
            "deadline": "2025-03-31",
        },
    )
    assert response.status_code == 200 and "控制字符" in response.content.decode()
    assert not Round.objects.exists()
    response = client.post(
        reverse("admin:accounts_organisation_add"),
        {"name": "新单位\r\n名称", "level": "unit", "parent": orgs.civil_affairs.pk, "code": ""},
    )
    assert response.status_code == 200 and "换行" in response.content.decode()


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_wizard_refuses_dates_outside_the_one_bound(client, personas, draft, date):
    client.force_login(personas.filer)
    response = client.post(
        reverse("filings:wizard", args=[draft.pk, "basic"]),
        {"lock_version": _fresh(draft).lock_version, "nav": "save", "start_date": date},
    )
    assert "「计划开始日期」不在 2000—2100 年之间" in response.content.decode()
    assert _fresh(draft).start_date == datetime.date(2024, 1, 1)


def test_wizard_refuses_goal_years_import_json_would_refuse(client, personas, draft):
    client.force_login(personas.filer)
    response = client.post(
        reverse("filings:wizard", args=[draft.pk, "goals"]),
        {"lock_version": _fresh(draft).lock_version, "nav": "save", "goal_start_year": 1995},
    )
    assert "不在 2000—2100 年之间" in response.content.decode()
    assert _fresh(draft).goal_start_year == 2024


def test_what_the_wizard_accepts_comes_back_through_export_and_import_json(
    client, personas, orgs, draft, tmp_path
):
    """The edges of every bound, typed into the wizard, survive export_json → import_json."""
    client.force_login(personas.filer)
    url = lambda step: reverse("filings:wizard", args=[draft.pk, step])  # noqa: E731
    steps = {
        "basic": {
            "name": "边" * 200,
            "variant": "city",
            "nature": "其他一次性项目",
            "category": "特定目标类",
            "department": "部门",
            "implementing_unit": "单位",
            "start_date": "2000-01-01",
            "end_date": "2100-12-31",
        },
        "funds": {
            "money_unit": "元",
            "funds_total": "9,999,999,999,999.99",
            "funds_fiscal": "0.01",
            "annual_total": "0",
        },
        "goals": {
            "goal_start_year": 2000,
            "goal_end_year": 2100,
            "overall_goal": "一、\r\n二、\t三、",
            "annual_goal": "年度\r目标",
        },
    }
    for step, data in steps.items():
        response = client.post(
            url(step), {"lock_version": _fresh(draft).lock_version, "nav": "save", **data}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    rows = [
        {"key": "", "level2": _level2().pk, "name": "多行\r\n名称", "value": "≥1(场)"},
        {
            "key": "",
            "level2": _level2().pk,
            "name": "解释",
            "value": "",
            "explanation": "第一行\r\n第二行",
        },
    ]
    assert _autosave_rows(client, draft, _fresh(draft).lock_version, rows).status_code == 200
    before = filing_to_dict(_fresh(draft))

    exported = tmp_path / "filings.json"
    call_command("export_json", output=str(exported), stderr=io.StringIO())
    Filing.objects.filter(pk=draft.pk).delete()
    call_command("import_json", str(exported), stdout=io.StringIO())
    after = filing_to_dict(Filing.objects.get(name="边" * 200))
    for data in (before, after):
        data.pop("status")
    assert after == before
    assert after["indicators"][0]["name"] == "多行\n名称"


def _upload(book):
    return importer.read_workbook(importer.check_upload(io.BytesIO(saved(book))))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (datetime.date(2024, 1, 1), datetime.date(1900, 1, 1), "不在 2000—2100 年之间"),
        ("残疾预防与康复经费", f"残疾预防{RLO}与康复经费", "控制字符"),
        ("残疾预防与康复经费", "残疾预防\n与康复经费", "换行"),
    ],
)
def test_the_excel_upload_keeps_the_same_rules_as_the_wizard(orgs, old, new, message):
    filing = rich_project(orgs.elderly_centre)
    before = content_of(filing)
    book = workbook(export(filing))
    sheet = book.worksheets[0]
    row, col = find(sheet, old.isoformat() if isinstance(old, datetime.date) else old)
    sheet.cell(row, col).value = new
    with pytest.raises(ExcelProblem) as refused:
        importer.apply(_upload(book), filing=filing, seen_version=filing.lock_version)
    assert message in str(refused.value)
    assert content_of(filing) == before


class _Rollback(Exception):
    pass


def _rolled_back(check):
    try:
        with transaction.atomic():
            check()
            raise _Rollback
    except _Rollback:
        pass


_WIZARD_FIELDS = [
    (step.slug, name)
    for step in steps.steps_for(Filing.Form.PROJECT)
    if step.part == "fields"
    for name in step.fields
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(_WIZARD_FIELDS),
    text=st.one_of(hostile.form_text, hostile.amount_text),
)
@example(target=("goals", "overall_goal"), text="一、\r\n二、\r三、")
@example(target=("basic", "start_date"), text="1999-12-31")
@example(target=("goals", "goal_end_year"), text="1995")
@example(target=("basic", "name"), text="项目\u2066名称")
def test_whatever_the_wizard_accepts_import_json_accepts_unchanged(
    client, personas, orgs, target, text
):
    """Every value a wizard step saves comes back the same through the JSON format."""
    slug, name = target
    client.force_login(personas.filer)

    def check():
        filing = _ready(orgs.elderly_centre, name="往返项目")
        url = reverse("filings:wizard", args=[filing.pk, slug])
        data = {"lock_version": filing.lock_version, "nav": "save", name: text}
        client.post(url, data)
        exported = json.loads(json.dumps(filing_to_dict(_fresh(filing)), ensure_ascii=True))
        Filing.objects.filter(pk=filing.pk).delete()
        again = filing_to_dict(save_filing(copy.deepcopy(exported), orgs.elderly_centre))
        assert again == exported

    _rolled_back(check)


# --- Every writer goes through the service ---------------------------------------------

# Writes of a filing or of its rows: only the content service may make them.
_CONTENT_WRITES = re.compile(
    r"\b(Filing|Indicator|Task)\.objects\."
    r"(create|bulk_create|bulk_update|get_or_create|update_or_create)\("
    r"|\b(Indicator|Task)\.objects\.filter\(.*\)\.(delete|update)\("
    r"|\b(filing|indicator|task|row|copy|obj)\.save\("
    r"|\b(indicators|tasks)\.(create|bulk_create|update|all\(\)\.delete)\("
)


def test_only_the_content_service_writes_rows_of_a_filing():
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("tests/", "benchmarks/", ".")) or "/migrations/" in relative:
            continue
        if relative == "filings/content.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _CONTENT_WRITES.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_the_service_refuses_a_frozen_filing_for_every_kind_of_write(approved):
    indicators = [
        {
            "key": None,
            "level2": _level2(),
            "name": "新",
            "value": "",
            "explanation": "",
            "basis": "",
        }
    ]
    approved.annual_goal = "改"
    for write in (
        lambda: content.save_fields(approved, approved.lock_version, ["annual_goal"]),
        lambda: content.save_indicators(approved, approved.lock_version, indicators),
        lambda: content.save_tasks(approved, approved.lock_version, [{"name": "任务"}]),
        lambda: content.save_fields(approved, content.UNGUARDED, ["annual_goal"]),
        lambda: content.save_row(Indicator(filing=approved, level2=_level2(), name="新")),
    ):
        with pytest.raises((content.StaleEdit, content.ContentRefused)):
            write()
    assert _integrity_problems() == []
