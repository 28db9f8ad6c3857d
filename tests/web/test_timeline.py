"""The filing page's versions and timeline, and the filer's view of the reviewers' comments."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.models import Filing
from review import workflow
from review.models import Comment, Reply, Review, Transition
from tests.conftest import make_filing
from tests.factories import bring_to, returned, take_version

SUBMITTABLE = {
    "start_date": datetime.date(2024, 1, 1),
    "end_date": datetime.date(2024, 12, 31),
    "goal_start_year": 2024,
    "goal_end_year": 2024,
    "funds_total": Decimal("100000"),
    "funds_fiscal": Decimal("100000"),
    "funds_other": Decimal("0"),
    "annual_total": Decimal("100000"),
    "annual_appropriation": Decimal("100000"),
    "annual_carryover": Decimal("0"),
    "annual_other": Decimal("0"),
    "overall_goal": "提升养老服务水平",
    "annual_goal": "完成年度养老服务",
    "department": "上海市闵行区民政局",
    "implementing_unit": "上海市闵行区老龄事业发展中心",
    "variant": "city",
    "nature": "新增项目",
    "category": "其他",
}


def comment(filing, body, *, part=Comment.Part.GENERAL, row_key=None, internal=False, **extra):
    return Comment.objects.create(
        filing=filing,
        body=body,
        part=part,
        row_key=row_key,
        internal=internal,
        author_name="民政局审核人",
        **extra,
    )


@pytest.fixture
def filing(orgs):
    return make_filing(orgs.elderly_centre, name="养老服务项目", **SUBMITTABLE)


def _detail(client, filing):
    return client.get(reverse("filings:detail", args=[filing.pk]))


def _step(client, filing, step):
    return client.get(reverse("filings:wizard", args=[filing.pk, step]))


def _resolve(filing, comment_):
    return reverse("review:resolve_comment", args=[filing.pk, comment_.pk])


# --- versions and timeline on the filing page ----------------------------------------


def test_versions_are_listed_newest_first_with_the_approved_one_marked(client, personas, filing):
    v1 = take_version(filing, personas.filer)
    take_version(filing)  # by nobody any more: the author's account was deleted
    Filing.objects.filter(pk=filing.pk).update(approved_version=v1)
    Review.objects.create(
        filing=filing,
        version=v1,
        stage=Review.Stage.FINANCE,
        decision=Review.Decision.APPROVE,
        grade="良",
        decided_at=timezone.now(),
    )
    client.force_login(personas.department_reviewer)
    response = _detail(client, filing)
    entries = response.context["versions"]
    assert [entry.version.number for entry in entries] == [2, 1]
    assert [entry.is_approved for entry in entries] == [False, True]
    text = response.content.decode()
    assert "批复版本" in text and "财政审核" in text and "良" in text
    diff_url = reverse("review:diff", args=[filing.pk]) + "?from=1&amp;to=2"
    assert diff_url in text


def test_a_draft_without_versions_says_so(client, personas, filing):
    client.force_login(personas.filer)
    text = _detail(client, filing).content.decode()
    assert "尚未提交过" in text and "还没有提交、审核或意见记录" in text


def test_timeline_interleaves_transitions_and_comments_in_order(client, personas, filing):
    version = take_version(filing, personas.filer)
    now = timezone.now()
    Transition.objects.create(
        filing=filing,
        action=Transition.Action.SUBMIT,
        from_status="draft",
        to_status="department_review",
        actor_name="填报人甲",
        at=now - datetime.timedelta(hours=2),
        version=version,
    )
    comment(filing, "满意度指标请写成百分比", version=version)
    returned(filing, version, personas.department_reviewer)
    Transition.objects.filter(action=Transition.Action.DEPARTMENT_RETURN).update(
        at=now + datetime.timedelta(seconds=1)
    )
    client.force_login(personas.filer)
    response = _detail(client, filing)
    kinds = [
        (entry.kind, getattr(entry.item, "action", "")) for entry in response.context["timeline"]
    ]
    assert kinds == [
        ("transition", "submit"),
        ("comment", ""),
        ("transition", "department_return"),
    ]
    text = response.content.decode()
    assert (
        text.index("提交") < text.index("满意度指标请写成百分比") < text.index("主管部门退回修改")
    )


def test_internal_comments_are_for_reviewers_only(client, personas, filing):
    comment(filing, "内部：预算偏高，需财政把关", internal=True)
    comment(filing, "请补充指标解释")
    client.force_login(personas.filer)
    text = _detail(client, filing).content.decode()
    assert "请补充指标解释" in text and "预算偏高" not in text
    # The bureau: the department does not see a unit's draft until it is submitted.
    client.force_login(personas.finance_reviewer)
    text = _detail(client, filing).content.decode()
    assert "预算偏高" in text and "内部意见" in text
    # Admins are not reviewers: they see the filing, not the reviewers' internal remarks.
    client.force_login(personas.admin)
    assert "预算偏高" not in _detail(client, filing).content.decode()


def test_row_comment_names_its_row_and_a_deleted_row(client, personas, filing):
    row = filing.indicators.get(name="服务覆盖率")
    comment(filing, "覆盖率口径不清", part=Comment.Part.INDICATORS, row_key=row.key)
    gone = filing.indicators.get(name="培训人数")
    comment(filing, "培训人数偏少", part=Comment.Part.INDICATORS, row_key=gone.key)
    gone.delete()
    client.force_login(personas.filer)
    text = _detail(client, filing).content.decode()
    assert "指标第 1 行「服务覆盖率」" in text
    assert "该行已删除" in text


def test_detail_page_queries_do_not_grow_with_history(client, personas, filing, orgs):
    other = make_filing(orgs.elderly_centre, name="另一个项目")
    version = take_version(other, personas.filer)
    returned(other, version, personas.department_reviewer)
    Review.objects.create(filing=other, version=version, stage=Review.Stage.DEPARTMENT)
    comment(other, "一条意见", row_key=other.indicators.first().key, version=version)
    client.force_login(personas.department_reviewer)
    _detail(client, other)
    with CaptureQueriesContext(connection) as few:
        _detail(client, other)
    for _ in range(4):
        version = take_version(filing, personas.filer)
        returned(filing, version, personas.department_reviewer)
        Review.objects.create(filing=filing, version=version, stage=Review.Stage.DEPARTMENT)
        for row in filing.indicators.all():
            comment(filing, f"第{version.number}版意见", row_key=row.key, version=version)
    with CaptureQueriesContext(connection) as many:
        response = _detail(client, filing)
    assert len(response.context["timeline"]) == 4 + 4 * 3
    assert len(many) == len(few)


# --- the filer's comments in the wizard ------------------------------------------------


def test_each_step_shows_the_comments_for_its_part(client, personas, filing):
    comment(filing, "资金来源请拆分", part=Comment.Part.FUNDS)
    comment(filing, "项目名称请写全称", part=Comment.Part.BASIC)
    comment(filing, "内部：不要告诉填报人", part=Comment.Part.FUNDS, internal=True)
    client.force_login(personas.filer)
    funds = _step(client, filing, "funds").content.decode()
    assert "资金来源请拆分" in funds and "项目名称请写全称" not in funds
    assert "不要告诉填报人" not in funds
    basic = _step(client, filing, "basic").content.decode()
    assert "项目名称请写全称" in basic and "资金来源请拆分" not in basic
    # The last step gathers everything still open.
    review = _step(client, filing, "review").content.decode()
    assert "资金来源请拆分" in review and "项目名称请写全称" in review
    assert "不要告诉填报人" not in review


def test_a_step_without_comments_shows_no_comment_box(client, personas, filing):
    client.force_login(personas.filer)
    assert 'data-testid="step-comments"' not in _step(client, filing, "goals").content.decode()


def test_row_comments_are_handed_to_the_editor_by_row_key(client, personas, filing):
    row = filing.indicators.get(name="服务对象满意度")
    comment(filing, "满意度目标值偏低", part=Comment.Part.INDICATORS, row_key=row.key)
    client.force_login(personas.filer)
    response = _step(client, filing, "indicators")
    text = response.content.decode()
    assert 'id="row-comments-data"' in text and str(row.key) in text
    assert "满意度目标值偏低" in text and "指标第 3 行「服务对象满意度」" in text
    assert "js/row-comments.js" in text


def test_the_returned_review_says_what_to_fix_on_its_steps(client, personas, filing):
    version = take_version(filing, personas.filer)
    Review.objects.create(
        filing=filing,
        version=version,
        stage=Review.Stage.DEPARTMENT,
        decision=Review.Decision.RETURN,
        opinion_funds="资金测算依据不足",
        to_improve="补充资金测算明细",
        decided_at=timezone.now(),
    )
    Filing.objects.filter(pk=filing.pk).update(status=Filing.Status.RETURNED)
    client.force_login(personas.filer)
    funds = _step(client, filing, "funds").content.decode()
    assert "资金测算依据不足" in funds and "补充资金测算明细" not in funds
    assert "补充资金测算明细" in _step(client, filing, "basic").content.decode()


# --- marking a comment resolved -------------------------------------------------------


def test_filer_marks_a_comment_resolved_once_answered_and_returns_to_the_step(
    client, personas, filing
):
    remark = comment(filing, "资金来源请拆分", part=Comment.Part.FUNDS)
    client.force_login(personas.filer)
    back = reverse("filings:wizard", args=[filing.pk, "funds"])
    # 已处理 says how: without a reply the mark is refused, with a message.
    refused = client.post(_resolve(filing, remark), {"next": back}, follow=True)
    assert "请先在这条审核意见下回复" in refused.content.decode()
    remark.refresh_from_db()
    assert remark.resolved_at is None
    Reply.objects.create(comment=remark, body="已拆分为财政拨款和其他资金", author=personas.filer)
    response = client.post(_resolve(filing, remark), {"next": back})
    assert response.status_code == 302 and response.url == f"{back}#comment-{remark.pk}"
    remark.refresh_from_db()
    assert remark.resolved_at is not None
    first = remark.resolved_at
    # A second click keeps the first time.
    client.post(_resolve(filing, remark))
    remark.refresh_from_db()
    assert remark.resolved_at == first
    page = _step(client, filing, "funds").content.decode()
    assert "已处理的意见 1 条" in page


def test_reopen_and_a_foreign_next_goes_to_the_filing(client, personas, filing):
    remark = comment(filing, "请修改", resolved_at=timezone.now())
    client.force_login(personas.finance_reviewer)  # the department does not see the draft
    response = client.post(
        _resolve(filing, remark), {"reopen": "1", "next": "https://evil.example/"}
    )
    assert response.url == reverse("filings:detail", args=[filing.pk])
    remark.refresh_from_db()
    assert remark.resolved_at is None


def test_resolve_outsider_gets_404(client, personas, filing):
    remark = comment(filing, "请修改")
    client.force_login(personas.outsider)
    assert client.post(_resolve(filing, remark)).status_code == 404


def test_resolve_filer_cannot_reach_an_internal_comment(client, personas, filing):
    remark = comment(filing, "内部", internal=True)
    client.force_login(personas.filer)
    assert client.post(_resolve(filing, remark)).status_code == 404


def test_resolve_wrong_role_gets_403(client, personas, filing):
    remark = comment(filing, "请修改")
    client.force_login(personas.admin)
    response = client.post(_resolve(filing, remark))
    assert response.status_code == 403
    assert "填报人" in response.content.decode()


def test_resolve_on_an_approved_filing_is_refused(client, personas, filing):
    remark = comment(filing, "请修改")
    bring_to("approved", filing, personas.filer, personas)
    client.force_login(personas.filer)
    response = client.post(_resolve(filing, remark))
    assert response.status_code == 403
    assert "已批复" in response.content.decode()


def test_resolve_get_is_405(client, personas, filing):
    remark = comment(filing, "请修改")
    client.force_login(personas.filer)
    assert client.get(_resolve(filing, remark)).status_code == 405


def test_resolve_a_comment_of_another_filing_is_404(client, personas, filing, orgs):
    other = make_filing(orgs.elderly_centre, name="另一个项目")
    remark = comment(other, "请修改")
    client.force_login(personas.filer)
    assert client.post(_resolve(filing, remark)).status_code == 404


# --- the whole loop, through the workflow ---------------------------------------------


def test_return_fix_resubmit_and_see_the_diff(client, personas, filing):
    filer, reviewer = personas.filer, personas.department_reviewer
    workflow.submit(filing, filer, seen_version=filing.lock_version)
    filing.refresh_from_db()
    workflow.open_review(filing, reviewer)
    row = filing.indicators.get(name="服务对象满意度")
    comment(
        filing,
        "满意度目标值应不低于95%",
        part=Comment.Part.INDICATORS,
        row_key=row.key,
        author=reviewer,
        version=filing.versions.get(),
    )
    workflow.decide(
        filing,
        reviewer,
        seen_version=filing.lock_version,
        decision="return",
        sheet={"grade": "中", "to_improve": "满意度指标需调整"},
    )
    filing.refresh_from_db()
    assert filing.status == Filing.Status.RETURNED

    client.force_login(filer)
    page = _step(client, filing, "indicators").content.decode()
    assert "满意度目标值应不低于95%" in page and str(row.key) in page

    row.set_value("≥95%")
    row.save()
    filing.refresh_from_db()
    workflow.submit(filing, filer, seen_version=filing.lock_version)

    client.force_login(reviewer)
    response = client.get(reverse("review:diff", args=[filing.pk]))
    assert (response.context["old_number"], response.context["new_number"]) == (1, 2)
    changed = [r for r in response.context["diff"].indicators if r.status == "changed"]
    assert [(r.old["value"], r.new["value"]) for r in changed] == [("≥90%", "≥95%")]
    entries = [e for e in _detail(client, filing).context["timeline"] if e.kind == "transition"]
    assert [e.item.action for e in entries] == ["submit", "department_return", "submit"]
    # The return carries its 审核表: what to fix is on the filing page too.
    assert entries[1].review.to_improve == "满意度指标需调整"
    client.force_login(filer)
    assert "需补充完善事项：满意度指标需调整" in _detail(client, filing).content.decode()
