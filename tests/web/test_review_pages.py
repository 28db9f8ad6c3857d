"""The reviewer's pages: 待我审核, the review page with findings and comments, the 审核表."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from filings.checks import run_checks
from filings.models import Filing, FilingVersion
from indicators.models import Indicator, Level2
from review import workflow
from review.forms import ReviewSheetForm
from review.models import GRADES, Comment, Reply, Review, Round, Transition
from tests.conftest import make_filing
from tests.factories import at_finance, complete_filing, full_sheet, submitted

YEAR = 2024


def _html(response):
    return response.content.decode()


def _decide(client, filing, decision, **fields):
    data = {"seen_version": filing.lock_version, "decision": decision, **fields}
    return client.post(reverse("review:decide", args=[filing.pk]), data)


# --- 待我审核 -----------------------------------------------------------------


def test_department_reviewer_sees_units_submissions_only(client, personas, orgs):
    waiting = submitted(complete_filing(orgs.elderly_centre, name="待审项目"), personas.filer)
    complete_filing(orgs.elderly_centre, name="草稿项目")
    own = submitted(
        complete_filing(orgs.civil_affairs, name="部门自己的项目"), personas.department_filer
    )
    assert own.status == Filing.Status.FINANCE_REVIEW

    client.force_login(personas.department_reviewer)
    html = _html(client.get(reverse("review:queue")))
    assert "待审项目" in html
    assert reverse("review:review", args=[waiting.pk]) in html
    assert "草稿项目" not in html
    assert "部门自己的项目" not in html  # the bureau reviews a department's own filing


def test_finance_reviewer_sees_what_waits_at_the_bureau(client, personas, orgs):
    own = submitted(
        complete_filing(orgs.civil_affairs, name="部门自己的项目"), personas.department_filer
    )
    at_finance(complete_filing(orgs.elderly_centre, name="部门已审项目"), personas)
    submitted(complete_filing(orgs.elderly_centre, name="主管部门待审项目"), personas.filer)

    client.force_login(personas.finance_reviewer)
    html = _html(client.get(reverse("review:queue")))
    assert "部门自己的项目" in html and "部门已审项目" in html
    assert "主管部门待审项目" not in html
    assert own.status == Filing.Status.FINANCE_REVIEW


def test_queue_shows_age_deadline_lateness_and_the_versions_counts(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    version = filing.versions.get()
    submitted_at = timezone.now() - datetime.timedelta(days=12)
    FilingVersion.objects.filter(pk=version.pk).update(
        created_at=submitted_at, error_count=2, warning_count=3
    )
    deadline = timezone.localdate(submitted_at) - datetime.timedelta(days=4)
    Round.objects.create(
        bureau=orgs.minhang_bureau,
        year=YEAR,
        opens_on=deadline - datetime.timedelta(days=30),
        deadline=deadline,
    )
    client.force_login(personas.department_reviewer)
    html = _html(client.get(reverse("review:queue")))
    assert "12 天" in html
    assert deadline.strftime("%Y-%m-%d") in html
    assert "逾期 4 天提交" in html
    assert "2 处错误" in html and "3 条提示" in html
    assert "第 1 版" in html


def test_queue_says_days_left_and_when_no_round_is_set(client, personas, orgs):
    submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    assert "未设申报批次" in _html(client.get(reverse("review:queue")))
    today = timezone.localdate()
    Round.objects.create(
        bureau=orgs.minhang_bureau,
        year=YEAR,
        opens_on=today - datetime.timedelta(days=1),
        deadline=today + datetime.timedelta(days=5),
    )
    assert "距截止还有 5 天" in _html(client.get(reverse("review:queue")))


def test_queue_says_who_has_opened_the_review(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    personas.department_reviewer.first_name = "王审核"
    personas.department_reviewer.save()
    workflow.open_review(filing, personas.department_reviewer)
    client.force_login(personas.department_reviewer)
    assert "王审核 已开始审核" in _html(client.get(reverse("review:queue")))


def test_queue_pages_twenty_at_a_time_longest_waiting_first(client, personas, orgs):
    filings = [
        submitted(complete_filing(orgs.elderly_centre, name=f"项目{n:02d}"), personas.filer)
        for n in range(23)
    ]
    client.force_login(personas.department_reviewer)
    first = _html(client.get(reverse("review:queue")))
    second = _html(client.get(reverse("review:queue"), {"page": "2"}))
    assert "共 23 份申报等待审核" in first
    assert [n for n in range(23) if f"项目{n:02d}" in first] == list(range(20))
    assert [n for n in range(23) if f"项目{n:02d}" in second] == [20, 21, 22]
    assert first.index("项目00") < first.index("项目01")
    assert len(filings) == 23


def test_queue_query_count_does_not_grow_with_filings(
    client, personas, orgs, django_assert_num_queries
):
    submitted(complete_filing(orgs.elderly_centre, name="项目0"), personas.filer)
    Round.objects.create(
        bureau=orgs.minhang_bureau,
        year=YEAR,
        opens_on=datetime.date(YEAR, 1, 1),
        deadline=datetime.date(YEAR, 3, 31),
    )
    client.force_login(personas.department_reviewer)
    url = reverse("review:queue")
    # session, user, subtree ids, count, page, indicator counts, versions, rounds, open
    # reviews, last decisions (a 良 to confirm), the adjustment applications waiting, the
    # notifications badge; the nav's 待我审核 reuses the page's count
    with django_assert_num_queries(12):
        client.get(url)
    for number in range(1, 8):
        filing = submitted(
            complete_filing(orgs.elderly_centre, name=f"项目{number}"), personas.filer
        )
        workflow.open_review(filing, personas.department_reviewer)
    with django_assert_num_queries(12):
        response = client.get(url)
    assert "项目7" in _html(response)


@pytest.mark.parametrize("who", ["filer", "admin", "department_filer"])
def test_who_does_not_review_gets_403_on_the_queue(client, personas, who):
    client.force_login(getattr(personas, who))
    response = client.get(reverse("review:queue"))
    assert response.status_code == 403
    assert "审核人的工作台" in _html(response)


def test_reviewer_of_another_bureau_sees_an_empty_queue(client, personas, orgs):
    submitted(complete_filing(orgs.civil_affairs, name="民政局项目"), personas.department_filer)
    client.force_login(personas.outside_finance_reviewer)
    response = client.get(reverse("review:queue"))
    assert response.status_code == 200
    assert "民政局项目" not in _html(response)
    assert "目前没有等待您审核的申报" in _html(response)


def test_nav_counts_what_waits_for_a_reviewer(client, personas, orgs):
    for number in range(2):
        submitted(complete_filing(orgs.elderly_centre, name=f"项目{number}"), personas.filer)
    client.force_login(personas.department_reviewer)
    html = _html(client.get(reverse("filings:list")))
    assert 'data-testid="nav-queue"' in html
    assert "待我审核 <span" in html and ">2</span>" in html

    client.force_login(personas.filer)
    assert 'data-testid="nav-queue"' not in _html(client.get(reverse("filings:list")))


# --- the review page --------------------------------------------------------


def test_stage_reviewer_opening_the_page_opens_the_review_and_ends_withdrawal(
    client, personas, orgs
):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    response = client.get(reverse("review:review", args=[filing.pk]))
    assert response.status_code == 200
    review = Review.objects.get(filing=filing)
    assert review.stage == Review.Stage.DEPARTMENT and review.decided_at is None
    assert review.reviewer == personas.department_reviewer
    with pytest.raises(workflow.TransitionRefused):
        workflow.withdraw(filing, personas.filer)
    # Opening again does not start a second sheet.
    client.get(reverse("review:review", args=[filing.pk]))
    assert Review.objects.filter(filing=filing).count() == 1


def test_review_page_shows_the_official_form_and_the_findings_beside_it(client, personas, orgs):
    filing = complete_filing(orgs.elderly_centre)
    row = filing.indicators.get(name="培训人数")
    row.name = "培训及时率"  # a timeliness indicator under 数量指标: a warning
    row.set_value("≥95%")
    row.save()
    findings = [f for f in run_checks(filing) if f.indicator == str(row.key)]
    assert findings
    submitted(filing, personas.filer)

    client.force_login(personas.department_reviewer)
    html = _html(client.get(reverse("review:review", args=[filing.pk])))
    assert "财政项目支出绩效目标申报表" in html  # the official form
    assert "培训及时率" in html and "≥95%" in html
    assert findings[0].message in html
    assert "第 1 条三级指标「培训及时率」" in html  # where the finding points
    assert f'data-target="row:{row.key}"' in html  # 就此行提意见
    # ... and the form's row carries the same key, for the finding and comments to attach to.
    drawn = re.search(rf'<tr data-row-key="{row.key}"[^>]*>(.*?)</tr>', html)
    assert drawn and "培训及时率" in drawn[1] and "≥95%" in drawn[1]
    assert 'name="decision" value="approve"' in html and 'name="decision" value="return"' in html


def test_reviewer_not_at_the_stage_sees_the_page_without_a_sheet(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.finance_reviewer)
    response = client.get(reverse("review:review", args=[filing.pk]))
    assert response.status_code == 200
    html = _html(response)
    assert "不在您的审核环节" in html
    assert 'name="decision"' not in html
    assert not Review.objects.filter(filing=filing).exists()  # nothing opened


@pytest.mark.parametrize("who", ["filer", "admin"])
def test_filer_and_admin_get_403_on_the_review_page(client, personas, orgs, who):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(getattr(personas, who))
    response = client.get(reverse("review:review", args=[filing.pk]))
    assert response.status_code == 403
    assert "审核人可以打开审核页面" in _html(response)


@pytest.mark.parametrize("who", ["outsider", "outside_finance_reviewer"])
def test_outsider_gets_404_on_every_review_url(client, personas, orgs, who):
    filing = submitted(complete_filing(orgs.elderly_centre, name="老龄中心项目"), personas.filer)
    review = workflow.open_review(filing, personas.department_reviewer)
    client.force_login(getattr(personas, who))
    for url in (
        reverse("review:review", args=[filing.pk]),
        reverse("review:review_sheet", args=[filing.pk, review.pk]),
    ):
        assert client.get(url).status_code == 404
    for name in ("review:add_comment", "review:decide"):
        assert client.post(reverse(name, args=[filing.pk]), {}).status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["review:add_comment", "review:decide"])
def test_get_on_a_post_action_is_405(client, personas, orgs, name):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    assert client.get(reverse(name, args=[filing.pk])).status_code == 405


def test_review_page_queries_do_not_grow_with_indicators(
    client, personas, orgs, django_assert_num_queries
):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    url = reverse("review:review", args=[filing.pk])
    client.get(url)  # opens the review once; later visits only read
    # session, user, subtree ids, filing, indicators, versions, reviews, comments, the round
    # (whose approval is final), the attachments, the nav's 待我审核 count, the notifications badge
    with django_assert_num_queries(12):
        client.get(url)
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")
    Indicator.objects.bulk_create(
        Indicator(filing=filing, level2=level2, order=100 + n, name=f"指标{n}", value="≥1(个)")
        for n in range(30)
    )
    comments = Comment.objects.bulk_create(
        Comment(filing=filing, part="general", body=f"意见{n}") for n in range(5)
    )
    Reply.objects.bulk_create(Reply(comment=c, body=f"回复{c.body}") for c in comments)
    # ... and the comments' replies: one query, however many comments and replies.
    with django_assert_num_queries(12):
        html = _html(client.get(url))
    assert "指标29" in html and "意见4" in html and "回复意见4" in html


# --- comments -----------------------------------------------------------------


def test_reviewer_comments_on_one_indicator_row_for_the_filer(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    row = filing.indicators.get(name="服务覆盖率")
    client.force_login(personas.department_reviewer)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": f"row:{row.key}", "body": "覆盖率的口径请写明。"},
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    # Back at the new comment, which stands beside its row.
    back = reverse("review:review", args=[filing.pk]) + f"#comment-{comment.pk}"
    assert response["Location"].endswith(back)
    assert comment.part == Comment.Part.INDICATORS
    assert comment.row_key == row.key
    assert comment.internal is False
    assert comment.version == filing.versions.get()
    assert comment.author == personas.department_reviewer
    html = _html(client.get(reverse("review:review", args=[filing.pk])))
    assert "覆盖率的口径请写明。" in html
    assert "第 2 条三级指标「服务覆盖率」" in html
    assert "意见已保存，填报单位可以看到" in html


def test_reviewer_comments_internally_on_a_part(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": "part:funds", "body": "资金与去年相比偏高，先内部核实。", "internal": "on"},
    )
    comment = Comment.objects.get()
    assert (comment.part, comment.row_key, comment.internal) == ("funds", None, True)


def test_comment_on_a_row_of_another_filing_is_refused_and_kept(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    other = make_filing(orgs.elderly_centre, name="另一个项目")
    foreign = other.indicators.first()
    client.force_login(personas.department_reviewer)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": f"row:{foreign.key}", "body": "这条意见要留着"},
    )
    assert response.status_code == 400
    html = _html(response)
    assert "「针对」须选择本申报的一个部分或一行指标。" in html
    assert "这条意见要留着" in html
    assert not Comment.objects.exists()


def test_empty_comment_names_the_field(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]), {"target": "part:basic", "body": " "}
    )
    assert response.status_code == 400
    assert "请填写「意见」。" in _html(response)


def test_filer_may_reply_but_never_internally(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.filer)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": "part:goals", "body": "已补充说明。", "internal": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("filings:detail", args=[filing.pk])
    assert Comment.objects.get().internal is False


def test_admin_may_not_comment(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.admin)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]), {"target": "part:basic", "body": "x"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


# --- the 审核表 and the decisions ---------------------------------------------


def test_return_without_what_to_fix_is_refused_and_the_sheet_kept(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    client.get(reverse("review:review", args=[filing.pk]))
    response = _decide(
        client, filing, "return", grade="中", opinion_outputs="产出指标偏少，写得不具体"
    )
    assert response.status_code == 400
    html = _html(response)
    assert "退回修改时请填写「需补充完善事项」" in html
    assert "产出指标偏少，写得不具体" in html
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DEPARTMENT_REVIEW


def test_approval_needs_the_grade_and_the_four_criteria(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    response = _decide(client, filing, "approve", grade="优", completeness="优")
    assert response.status_code == 400
    html = _html(response)
    for label in ("相关性", "适当性", "可行性"):
        assert f"审核通过时须评定「{label}」" in html
    assert "审核通过时须评定「完整性」" not in html
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DEPARTMENT_REVIEW


def test_department_approval_sends_it_to_the_bureau_with_the_sheet_kept(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    client.get(reverse("review:review", args=[filing.pk]))
    response = _decide(client, filing, "approve", **full_sheet())
    assert response.status_code == 302
    assert response["Location"] == reverse("review:queue")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FINANCE_REVIEW
    review = Review.objects.get(filing=filing)
    assert review.decision == "approve" and review.grade == "优"
    assert review.feasibility == "中" and review.opinion_funds == "资金测算清楚。"
    assert review.version == filing.versions.get()
    assert Transition.objects.filter(filing=filing, action="department_approve").count() == 1
    assert "已审核通过，申报已转财政局审核。" in _html(client.get(response["Location"]))


def test_finance_approval_makes_the_version_official(client, personas, orgs):
    filing = at_finance(complete_filing(orgs.elderly_centre), personas)
    client.force_login(personas.finance_reviewer)
    client.get(reverse("review:review", args=[filing.pk]))
    response = _decide(client, filing, "approve", **full_sheet(grade="优"))
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.APPROVED
    assert filing.approved_version == filing.versions.get()
    assert Review.objects.get(filing=filing, stage="finance").grade == "优"


def test_return_sends_it_back_to_the_filer_with_what_to_fix(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    response = _decide(client, filing, "return", grade="中", to_improve="请补充满意度调查方式。")
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.RETURNED
    transition = Transition.objects.get(filing=filing, action="department_return")
    assert transition.comment == "请补充满意度调查方式。"
    assert Review.objects.get(filing=filing).decision == "return"


def test_stale_decision_is_refused_with_a_message_and_the_sheet_kept(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    data = {"seen_version": filing.lock_version - 1, "decision": "return", "grade": "中"}
    response = client.post(
        reverse("review:decide", args=[filing.pk]), {**data, "to_improve": "指标需细化"}
    )
    assert response.status_code == 409
    html = _html(response)
    assert "请刷新页面" in html
    assert "指标需细化" in html
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DEPARTMENT_REVIEW


def test_a_double_click_on_approve_makes_one_transition(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.department_reviewer)
    first = _decide(client, filing, "approve", **full_sheet())
    second = _decide(client, filing, "approve", **full_sheet())  # the same seen_version
    assert first.status_code == 302
    assert second.status_code == 409
    html = _html(second)
    assert "已不在您的审核环节" in html
    assert "资金测算清楚。" in html  # what the reviewer wrote is still on the page
    assert 'name="decision"' not in html
    assert Transition.objects.filter(filing=filing, action="department_approve").count() == 1


def test_filer_may_not_decide(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(personas.filer)
    response = _decide(client, filing, "approve", **full_sheet())
    assert response.status_code == 403
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DEPARTMENT_REVIEW


# --- the printable 审核表 -----------------------------------------------------


def test_filer_reads_the_decided_sheet_of_the_version_it_judged(client, personas, orgs):
    filing = at_finance(complete_filing(orgs.elderly_centre, name="助餐项目"), personas)
    review = Review.objects.get(filing=filing, stage="department")
    client.force_login(personas.filer)
    response = client.get(reverse("review:review_sheet", args=[filing.pk, review.pk]))
    assert response.status_code == 200
    html = _html(response)
    assert "绩效目标审核表" in html and "助餐项目" in html
    for text in ("总体目标明确。", "产出指标可衡量。", "资金测算清楚。", "审核通过", "第 1 版"):
        assert text in html
    assert 'data-testid="grade">优<' in html


def test_open_sheet_is_for_reviewers_only(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    review = workflow.open_review(filing, personas.department_reviewer)
    url = reverse("review:review_sheet", args=[filing.pk, review.pk])
    client.force_login(personas.filer)
    response = client.get(url)
    assert response.status_code == 403
    assert "审核尚未完成" in _html(response)
    client.force_login(personas.department_reviewer)
    assert client.get(url).status_code == 200


def test_sheet_of_another_filing_is_404(client, personas, orgs):
    filing = at_finance(complete_filing(orgs.elderly_centre), personas)
    other = submitted(complete_filing(orgs.elderly_centre, name="另一个项目"), personas.filer)
    review = Review.objects.get(filing=filing)
    client.force_login(personas.department_reviewer)
    url = reverse("review:review_sheet", args=[other.pk, review.pk])
    assert client.get(url).status_code == 404


def test_nav_count_is_one_query_and_counts_what_the_queue_lists(
    personas, orgs, django_assert_num_queries
):
    from review.queue import queue_count, queue_for

    submitted(complete_filing(orgs.elderly_centre, name="单位项目"), personas.filer)
    submitted(complete_filing(orgs.civil_affairs, name="部门项目"), personas.department_filer)
    at_finance(complete_filing(orgs.elderly_centre, name="已过主管部门"), personas)
    complete_filing(orgs.elderly_centre, name="草稿")
    expected = {
        "department_reviewer": 1,
        "finance_reviewer": 2,
        "outside_finance_reviewer": 0,
        "filer": 0,
        "admin": 0,
    }
    for who, count in expected.items():
        user = getattr(personas, who)
        with django_assert_num_queries(1 if "reviewer" in who else 0):
            assert queue_count(user) == count, who
        assert queue_for(user).count() == count, who


def test_reviewer_comments_on_a_task_row_of_an_overall_filing(client, personas, orgs):
    from filings.models import Task

    filing = make_filing(orgs.elderly_centre, name="老龄中心整体支出", form=Filing.Form.UNIT)
    task = Task.objects.create(filing=filing, order=1, name="助餐点建设", content="新建 5 个助餐点")
    # The bureau: the department does not see a unit's draft until it is submitted.
    client.force_login(personas.finance_reviewer)
    html = _html(client.get(reverse("review:review", args=[filing.pk])))
    assert f'value="task:{task.key}"' in html and "第 1 项年度重点任务「助餐点建设」" in html
    client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": f"task:{task.key}", "body": "请写明助餐点的选址计划。"},
    )
    comment = Comment.objects.get()
    assert (comment.part, comment.row_key) == (Comment.Part.TASKS, task.key)
    assert comment.version is None  # nothing submitted yet


# --- the 审核表's fields: one definition ------------------------------------------------


def test_the_sheet_fields_are_every_opinion_and_grade_of_the_review():
    sheet_fields = {
        field.name
        for field in Review._meta.get_fields()
        if field.name.startswith("opinion_") or getattr(field, "choices", None) == GRADES
    }
    assert set(Review.SHEET_FIELDS) == sheet_fields | {"to_improve"}
    assert Review.SHEET_FIELDS[: len(Review.OPINION_FIELDS)] == Review.OPINION_FIELDS
    assert "to_improve" not in Review.OPINION_FIELDS  # printed on a row of its own
    assert set(ReviewSheetForm().fields) == set(Review.SHEET_FIELDS)


def test_every_field_of_the_sheet_is_kept_by_the_decision_and_printed(client, personas, orgs):
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    sheet = full_sheet(to_improve="请补充满意度调查方式。")
    review = workflow.decide(
        filing,
        personas.department_reviewer,
        seen_version=filing.lock_version,
        decision="approve",
        sheet=sheet,
    )
    assert {name: getattr(review, name) for name in Review.SHEET_FIELDS} == sheet
    client.force_login(personas.department_reviewer)
    page = _html(client.get(reverse("review:review_sheet", args=[filing.pk, review.pk])))
    for name in Review.SHEET_FIELDS:
        assert str(Review._meta.get_field(name).verbose_name) in page
        assert sheet[name] in page
    client.force_login(personas.admin)
    url = reverse("admin:review_review_change", args=[review.pk])
    admin_page = client.get(url).content.decode()
    for name in Review.SHEET_FIELDS:
        assert sheet[name] in admin_page


def test_a_reviewer_is_named_family_name_first_on_the_sheet_the_log_and_comments(
    client, personas, orgs
):
    reviewer = personas.department_reviewer
    reviewer.last_name, reviewer.first_name = "张", "三"
    reviewer.save()
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    client.force_login(reviewer)
    client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": "part:general", "body": "请核对资金。"},
    )
    review = workflow.decide(
        filing, reviewer, seen_version=filing.lock_version, decision="approve", sheet=full_sheet()
    )
    assert review.reviewer_name == "张三"
    assert Transition.objects.get(filing=filing, action="department_approve").actor_name == "张三"
    assert Comment.objects.get(filing=filing).author_name == "张三"
    assert AuditEvent.objects.filter(user=reviewer).latest("pk").user_display == "张三"
    assert "张三" in _html(client.get(reverse("review:review_sheet", args=[filing.pk, review.pk])))
