"""The grade decides (88号 第二十五条) and whoever approves the budget approves the targets
(第二十七条): every grade at every stage, for every form and project level, under every
final-approver setting of the round, gives the expected next state.

The expected states are written out here from the regulation, not read from
``review.workflow``'s table, so that a change of the table shows up as a failure.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from filings import integrity
from filings.models import Filing
from review import workflow
from review.models import Notification, Review, Round, Transition
from tests.factories import YEAR, do, fresh, full_sheet, overall_filing, ready_filing

# Whose approval is final, by the round's setting, for a unit's filing of each kind
# (a department's own 部门整体 filing always goes to the bureau).
FINAL = {
    "88号默认": {"单位整体": "department", "一级项目": "finance", "二级项目": "department"},
    "全部财政批复": {"单位整体": "finance", "一级项目": "finance", "二级项目": "finance"},
    "全部主管部门批复": {
        "单位整体": "department",
        "一级项目": "department",
        "二级项目": "department",
    },
}
SETTINGS = {
    "88号默认": None,  # no round: the defaults
    "全部财政批复": {
        "final_unit_overall": "finance",
        "final_second_level_project": "finance",
        "final_first_level_project": "finance",
    },
    "全部主管部门批复": {
        "final_unit_overall": "department",
        "final_second_level_project": "department",
        "final_first_level_project": "department",
    },
}
KINDS = ("单位整体", "一级项目", "二级项目", "部门整体")
BUTTON = {"优": "approve", "良": "return", "中": "return", "差": "reject"}


def _final(setting, kind):
    return "finance" if kind == "部门整体" else FINAL[setting][kind]


def _expected(grade, stage, kind, setting):
    """The status after ``grade`` at ``stage``, by the regulation."""
    if grade == "差":
        return "not_approved"
    if grade in ("良", "中"):
        return "returned"
    if stage == _final(setting, kind):
        return "approved"
    return "finance_review"


def _cases():
    for setting in FINAL:
        for kind in KINDS:
            stages = ["finance"] if kind == "部门整体" else ["department"]
            if kind != "部门整体" and _final(setting, kind) == "finance":
                stages.append("finance")  # reachable only when the department is not final
            for stage in stages:
                for grade in BUTTON:
                    yield pytest.param(
                        grade, stage, kind, setting, id=f"{grade}-{stage}-{kind}-{setting}"
                    )


def _filing_of(kind, orgs):
    if kind == "单位整体":
        return overall_filing(orgs.elderly_centre, Filing.Form.UNIT)
    if kind == "部门整体":
        return overall_filing(orgs.civil_affairs, Filing.Form.DEPARTMENT)
    filing = ready_filing(orgs.elderly_centre, name=kind)
    level = Filing.ProjectLevel.SECOND if kind == "二级项目" else Filing.ProjectLevel.FIRST
    Filing.objects.filter(pk=filing.pk).update(project_level=level, year=YEAR)
    return fresh(filing)


def _round(orgs, setting):
    if SETTINGS[setting] is not None:
        Round.objects.create(
            bureau=orgs.minhang_bureau,
            year=YEAR,
            opens_on="2024-01-01",
            deadline="2024-12-31",
            **SETTINGS[setting],
        )


def _sheet(grade):
    return full_sheet(grade=grade, to_improve="请细化满意度指标。" if grade != "优" else "")


def _decide(filing, user, grade):
    filing = fresh(filing)
    return workflow.decide(
        filing, user, seen_version=filing.lock_version, decision=BUTTON[grade], sheet=_sheet(grade)
    )


def _filer(kind, personas):
    return personas.department_filer if kind == "部门整体" else personas.filer


def _reviewer(stage, personas):
    return personas.department_reviewer if stage == "department" else personas.finance_reviewer


@pytest.mark.parametrize(("grade", "stage", "kind", "setting"), list(_cases()))
def test_the_grade_and_the_final_approver_decide_the_next_state(
    personas, orgs, grade, stage, kind, setting
):
    _round(orgs, setting)
    filing = _filing_of(kind, orgs)
    version = do("submit", filing, _filer(kind, personas))
    if stage == "finance" and kind != "部门整体":
        _decide(filing, personas.department_reviewer, "优")
    assert fresh(filing).status == f"{stage}_review"

    review = _decide(filing, _reviewer(stage, personas), grade)

    expected = _expected(grade, stage, kind, setting)
    filing = fresh(filing)
    assert filing.status == expected
    assert review.grade == grade
    # An approval that is final makes the version official, whoever gives it.
    assert (filing.approved_version_id == version.pk) == (expected == "approved")
    if expected == "approved" and stage == "department":
        assert filing.transitions.last().action == "department_final_approve"
    if grade == "良":
        # Resubmitted, it goes back to the same stage, which confirms the amendments ...
        amended = do("submit", filing, _filer(kind, personas))
        assert fresh(filing).status == f"{stage}_review"
        confirmation = workflow.open_review(fresh(filing), _reviewer(stage, personas))
        assert confirmation.confirms == review and confirmation.grade == "良"
        # It starts from the 良 sheet's opinions and grades; what was asked is shown apart.
        assert confirmation.opinion_goals == "总体目标明确。" and confirmation.to_improve == ""
        confirmed = fresh(filing)
        workflow.decide(
            confirmed,
            _reviewer(stage, personas),
            seen_version=confirmed.lock_version,
            decision="approve",
            sheet=_sheet("良"),
        )
        # ... and it goes on as 优 would have.
        filing = fresh(filing)
        assert filing.status == _expected("优", stage, kind, setting)
        assert Review.objects.get(version=amended, stage=stage).decision == "confirm"
    if grade == "中":
        # A full new review, from the first stage.
        do("submit", filing, _filer(kind, personas))
        first = "finance" if kind == "部门整体" else "department"
        assert fresh(filing).status == f"{first}_review"
        assert workflow.open_review(fresh(filing), _reviewer(first, personas)).confirms is None
    assert not integrity.check(Filing.objects.filter(pk=filing.pk)).problems


# --- 差: 不予通过 is final; no path approves it ----------------------------------------


@pytest.fixture
def rejected(personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="不予通过的项目")
    do("submit", filing, personas.filer)
    do("reject", filing, personas.department_reviewer)
    filing = fresh(filing)
    assert filing.status == "not_approved"
    return filing


@pytest.mark.parametrize("who", ["filer", "department_reviewer", "finance_reviewer"])
@pytest.mark.parametrize("action", ["submit", "approve", "confirm", "return", "adjust"])
def test_a_rejected_filing_cannot_move_on_through_the_workflow(personas, rejected, who, action):
    with pytest.raises(workflow.TransitionRefused):
        do(action, rejected, getattr(personas, who))
    assert fresh(rejected).status == "not_approved"
    assert fresh(rejected).approved_version_id is None


@pytest.mark.parametrize("who", ["filer", "department_reviewer", "finance_reviewer"])
def test_a_rejected_filing_cannot_be_approved_through_the_pages(client, personas, rejected, who):
    client.force_login(getattr(personas, who))
    for name, data in (
        ("review:decide", {"decision": "approve", **full_sheet()}),
        ("review:submit", {"lock_version": rejected.lock_version}),
    ):
        data["seen_version"] = rejected.lock_version
        response = client.post(reverse(name, args=[rejected.pk]), data)
        assert response.status_code in (302, 403, 409)
    assert fresh(rejected).status == "not_approved"


def test_the_admin_site_cannot_approve_a_rejected_filing(client, personas, rejected):
    client.force_login(personas.admin)
    url = reverse("admin:filings_filing_change", args=[rejected.pk])
    page = client.get(url)
    assert page.status_code == 200
    client.post(url, {"status": "approved", "name": rejected.name})
    assert fresh(rejected).status == "not_approved"
    review = Review.objects.get(filing=rejected)
    response = client.post(
        reverse("admin:review_review_change", args=[review.pk]),
        {"decision": "approve", "grade": "优"},
    )
    assert response.status_code in (302, 403)
    review.refresh_from_db()
    assert (review.decision, review.grade) == ("reject", "差")


def test_import_json_cannot_bring_a_rejected_filing_back_approved(personas, rejected, tmp_path):
    exported = tmp_path / "out.json"
    call_command("export_json", "--org", rejected.organisation.name, "-o", str(exported))
    items = [
        item for item in json.loads(exported.read_text("utf-8")) if item["name"] == rejected.name
    ]
    items[0]["status"] = "approved"
    path = tmp_path / "back.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_json", str(path), stdout=io.StringIO())
    assert list(Filing.objects.filter(name=rejected.name).values_list("status", flat=True)) == [
        "not_approved"
    ]


def test_the_bureau_reopens_a_rejected_filing_with_a_reason(client, personas, rejected):
    client.force_login(personas.department_reviewer)
    assert (
        client.post(reverse("review:reopen", args=[rejected.pk]), {"reason": "x"}).status_code
        == 403
    )
    client.force_login(personas.finance_reviewer)
    page = client.get(reverse("review:review", args=[rejected.pk])).content.decode()
    assert 'data-testid="reopen"' in page
    refused = client.post(
        reverse("review:reopen", args=[rejected.pk]), {"reason": " "}, follow=True
    )
    assert "请填写「理由」" in refused.content.decode()
    assert fresh(rejected).status == "not_approved"
    client.post(reverse("review:reopen", args=[rejected.pk]), {"reason": "单位提供了新的依据。"})
    filing = fresh(rejected)
    assert filing.status == "returned"
    assert filing.transitions.last().comment == "单位提供了新的依据。"
    # Resubmitted, it has a full new review.
    do("submit", filing, personas.filer)
    assert fresh(filing).status == "department_review"


# --- check_integrity: every official version's grade allows it ------------------------


def test_check_integrity_finds_an_official_version_whose_grade_does_not_allow_it(personas, orgs):
    filing = ready_filing(orgs.elderly_centre)
    do("submit", filing, personas.filer)
    do("approve", filing, personas.department_reviewer)
    do("approve", filing, personas.finance_reviewer)
    assert not integrity.check(Filing.objects.filter(pk=filing.pk)).problems
    Review.objects.filter(filing=filing, stage="finance").update(grade="差")  # behind the app
    problems = [str(p) for p in integrity.check(Filing.objects.filter(pk=filing.pk)).problems]
    assert any("审核等级" in problem and "差" in problem for problem in problems), problems
    # Decided before the grade decided: the approval stands as it was made.
    Review.objects.filter(filing=filing, stage="finance").update(before_grade_rules=True)
    assert not integrity.check(Filing.objects.filter(pk=filing.pk)).problems


# --- who approves, shown -------------------------------------------------------------


def test_each_filing_says_who_approves_it(client, personas, orgs):
    unit = overall_filing(orgs.elderly_centre, Filing.Form.UNIT)
    project = ready_filing(orgs.elderly_centre, name="一级项目")
    client.force_login(personas.filer)
    page = client.get(reverse("filings:detail", args=[unit.pk])).content.decode()
    assert "由 上海市闵行区民政局 批复" in page
    page = client.get(reverse("filings:detail", args=[project.pk])).content.decode()
    assert f"由 {orgs.minhang_bureau.name} 批复" in page


def test_the_round_page_shows_and_sets_who_approves(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    response = client.post(
        reverse("review:rounds"),
        {
            "year": YEAR,
            "title": "年度绩效目标申报",
            "opens_on": "2024-01-01",
            "deadline": "2024-12-31",
            "final_unit_overall": "finance",
            "final_second_level_project": "department",
            "final_first_level_project": "finance",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "所属单位的单位整体支出——财政局批复" in html
    assert "所属单位的二级项目——主管部门批复" in html
    assert "主管部门的部门（单位）整体支出——财政局批复" in html
    assert Round.objects.get().final_unit_overall == "finance"


# --- item 7: confirmations, landings, drafts, the second round's sheet ---------------


def test_each_decision_button_asks_first_saying_what_happens_and_to_whom(client, personas, orgs):
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT)
    do("submit", filing, personas.filer)
    client.force_login(personas.department_reviewer)
    html = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    assert "js/confirm.js" in html
    approve = 'data-confirm="审核通过（审核等级：{field:grade}）：《整体支出》'
    assert approve + "将由 上海市闵行区民政局 批复" in html
    assert "将退回 上海市闵行区老龄事业发展中心 的填报人修改" in html
    assert 'value="reject"' in html and "不得进入下一步预算安排" in html


def test_a_reviewer_lands_on_the_queue_and_the_filer_on_the_filing(client, personas, orgs):
    filing = ready_filing(orgs.elderly_centre)
    client.force_login(personas.filer)
    submitted = client.post(
        reverse("review:submit", args=[filing.pk]),
        {"lock_version": fresh(filing).lock_version},
        follow=True,
    )
    assert submitted.redirect_chain[-1][0] == reverse("filings:detail", args=[filing.pk])
    assert submitted.status_code == 200 and "已提交第 1 版" in submitted.content.decode()
    client.force_login(personas.department_reviewer)
    client.get(reverse("review:review", args=[filing.pk]))
    decided = client.post(
        reverse("review:decide", args=[filing.pk]),
        {"seen_version": fresh(filing).lock_version, "decision": "return", **_sheet("良")},
        follow=True,
    )
    assert decided.redirect_chain[-1][0] == reverse("review:queue")
    assert "重新提交后由本环节确认修改" in decided.content.decode()


def test_a_department_reviewer_does_not_see_a_units_draft_until_it_is_submitted(
    client, personas, orgs
):
    filing = ready_filing(orgs.elderly_centre, name="尚未提交的项目")
    client.force_login(personas.department_reviewer)
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 404
    assert "尚未提交的项目" not in client.get(reverse("filings:list")).content.decode()
    do("submit", filing, personas.filer)
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 200
    do("withdraw", filing, personas.filer)  # a draft again, but submitted once
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 200


def test_the_second_rounds_sheet_starts_from_the_first_rounds_opinions(personas, orgs):
    filing = ready_filing(orgs.elderly_centre)
    do("submit", filing, personas.filer)
    first = fresh(filing)
    workflow.decide(
        first,
        personas.department_reviewer,
        seen_version=first.lock_version,
        decision="return",
        sheet=full_sheet(grade="中", opinion_outputs="产出指标偏少。", to_improve="补充产出指标。"),
    )
    do("submit", filing, personas.filer)
    second = workflow.open_review(fresh(filing), personas.department_reviewer)
    assert second.opinion_outputs == "产出指标偏少。"
    assert second.to_improve == ""  # asked last round, answered by this version
    assert second.grade == "" and second.confirms is None  # judged afresh
    assert Transition.objects.filter(filing=filing, action="department_return").count() == 1


def test_the_bureau_marks_a_project_second_level_and_the_department_approves_it(
    client, personas, orgs
):
    project = ready_filing(orgs.elderly_centre, name="二级项目")
    do("submit", project, personas.filer)
    client.force_login(personas.department_reviewer)
    url = reverse("review:mark_level", args=[project.pk])
    assert client.post(url, {"project_level": "二级"}).status_code == 403
    client.force_login(personas.finance_reviewer)
    bad = client.post(url, {"project_level": "三级"}, follow=True)
    assert "只能是一级项目或二级项目" in bad.content.decode()
    done = client.post(url, {"project_level": "二级"}, follow=True)
    assert "已标注为二级项目，由 上海市闵行区民政局 批复" in done.content.decode()
    do("approve", project, personas.department_reviewer)
    project = fresh(project)
    assert project.status == "approved" and project.approved_version is not None


def test_the_queue_marks_a_filing_back_for_its_amendments_to_be_confirmed(client, personas, orgs):
    amended = ready_filing(orgs.elderly_centre, name="待确认的项目")
    fresh_one = ready_filing(orgs.elderly_centre, name="新提交的项目")
    do("submit", amended, personas.filer)
    do("amend", amended, personas.department_reviewer)
    do("submit", amended, personas.filer)
    do("submit", fresh_one, personas.filer)
    client.force_login(personas.department_reviewer)
    html = client.get(reverse("review:queue")).content.decode()
    row = html[html.index(f'data-filing="{amended.pk}"') :]
    assert 'data-testid="confirming">确认修改<' in row[: row.index("</tr>")]
    row = html[html.index(f'data-filing="{fresh_one.pk}"') :]
    assert "确认修改" not in row[: row.index("</tr>")]


def test_the_filer_is_told_of_a_rejection_and_of_a_reopening(
    personas, orgs, django_capture_on_commit_callbacks
):
    filing = ready_filing(orgs.elderly_centre, name="被告知的项目")
    do("submit", filing, personas.filer)
    with django_capture_on_commit_callbacks(execute=True):
        do("reject", filing, personas.department_reviewer)
    note = Notification.objects.get(recipient=personas.filer, kind="not_approved")
    assert "不予通过" in note.message and "绩效目标与部门职责无关" in note.message
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen(fresh(filing), personas.finance_reviewer, reason="补充了依据。")
    note = Notification.objects.filter(recipient=personas.filer).first()
    assert "重新开放" in note.message and "补充了依据" in note.message
