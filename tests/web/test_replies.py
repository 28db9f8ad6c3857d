"""Replies under comments (issue 18 item 2, issue 15 item 7): who may answer, when, and how.

The filer answers each comment under it and may mark it 已处理 with the answer; an
internal comment is never shown to the filer nor open to their reply; the reviewer
who wrote the comment is told, and a reviewer's answer tells the unit's filers. The step
bar counts the open comments of each step.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from filings.models import Filing, Task
from review.models import Comment, Notification, Reply
from tests.factories import do, filing_in, fresh, overall_filing

REMARK = "满意度指标的目标值请写明口径。"


@pytest.fixture
def returned_filing(personas, orgs):
    """A unit's project returned by its department with one comment on a row, one internal."""
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="回复项目")
    reviewer = personas.department_reviewer
    row = filing.indicators.first()
    remark = Comment.objects.create(
        filing=filing,
        version=filing.versions.get(),
        part=Comment.Part.INDICATORS,
        row_key=row.key,
        body=REMARK,
        author=reviewer,
        author_name="民政局审核人",
    )
    Comment.objects.create(
        filing=filing,
        part=Comment.Part.INDICATORS,
        body="内部：预算偏高，需财政把关",
        internal=True,
        author=reviewer,
    )
    do("return", filing, reviewer)
    filing = fresh(filing)
    filing.remark = remark
    return filing


def _reply_url(filing, comment):
    return reverse("review:reply", args=[filing.pk, comment.pk])


def _internal(filing):
    return Comment.objects.get(filing=filing, internal=True)


def test_filer_replies_and_marks_the_comment_handled_with_the_reply(
    client, personas, returned_filing, django_capture_on_commit_callbacks
):
    filing, remark = returned_filing, returned_filing.remark
    back = reverse("filings:wizard", args=[filing.pk, "indicators"])
    client.force_login(personas.filer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _reply_url(filing, remark),
            {"body": "已按统计口径写明：以年度问卷为准。", "resolve": "on", "next": back},
        )
    assert response.status_code == 302
    assert response.url == f"{back}#comment-{remark.pk}"
    reply = Reply.objects.get(comment=remark)
    assert reply.body == "已按统计口径写明：以年度问卷为准。"
    assert reply.author == personas.filer and reply.resolves
    remark.refresh_from_db()
    assert remark.resolved_at is not None
    # The reviewer who wrote the comment is told, in the app, with a link to it.
    told = Notification.objects.get(recipient=personas.department_reviewer)
    assert told.kind == Notification.Kind.REPLY
    assert "回复了您的意见" in told.message and "以年度问卷为准" in told.message
    assert told.url.endswith(f"#comment-{remark.pk}")
    # The reviewer's review page shows the reply under the comment, marked 已处理.
    client.force_login(personas.department_reviewer)
    page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    assert "以年度问卷为准" in page and 'data-testid="resolved"' in page


def test_a_reply_without_resolve_leaves_the_comment_open(client, personas, returned_filing):
    filing, remark = returned_filing, returned_filing.remark
    client.force_login(personas.filer)
    client.post(_reply_url(filing, remark), {"body": "请问口径以哪份文件为准？"})
    remark.refresh_from_db()
    assert remark.resolved_at is None
    assert Reply.objects.filter(comment=remark).count() == 1


def test_handled_needs_a_reply_and_an_empty_one_keeps_the_choice(client, personas, returned_filing):
    filing, remark = returned_filing, returned_filing.remark
    client.force_login(personas.filer)
    response = client.post(_reply_url(filing, remark), {"body": "  ", "resolve": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写「回复」" in page  # the field, named in Chinese
    assert REMARK in page  # the comment being answered
    assert 'name="resolve" id="reply-resolve" checked' in page
    remark.refresh_from_db()
    assert remark.resolved_at is None and not Reply.objects.exists()


def test_a_reply_too_long_is_refused_with_the_text_kept(client, personas, returned_filing):
    filing, remark = returned_filing, returned_filing.remark
    typed = "说明" * 1001  # 2002 characters
    client.force_login(personas.filer)
    response = client.post(_reply_url(filing, remark), {"body": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "「回复」最多 2000 字（现有 2002 字）" in page
    assert typed in page  # nothing typed is lost
    assert not Reply.objects.exists()


def test_the_filer_never_sees_an_internal_comment_nor_replies_to_it(
    client, personas, returned_filing
):
    filing = returned_filing
    client.force_login(personas.filer)
    for step in ("indicators", "review"):
        page = client.get(reverse("filings:wizard", args=[filing.pk, step])).content.decode()
        assert "预算偏高" not in page
    detail = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert REMARK in detail and "预算偏高" not in detail
    response = client.post(_reply_url(filing, _internal(filing)), {"body": "看到了"})
    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_reviewers_reply_to_an_internal_comment_among_themselves(client, personas, returned_filing):
    filing = returned_filing
    client.force_login(personas.department_reviewer)
    response = client.post(_reply_url(filing, _internal(filing)), {"body": "已请财政把关"})
    assert response.status_code == 302
    assert Reply.objects.get().comment == _internal(filing)


def test_the_filer_may_not_reply_while_the_filing_is_in_review(client, personas, orgs):
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="审核中项目")
    remark = Comment.objects.create(filing=filing, body="请补充依据")
    client.force_login(personas.filer)
    response = client.post(_reply_url(filing, remark), {"body": "已补充"})
    assert response.status_code == 403
    assert "回复审核意见" in response.content.decode()
    # The reviewer may: they answer in the review page's column.
    client.force_login(personas.department_reviewer)
    assert client.post(_reply_url(filing, remark), {"body": "补充到指标解释中"}).status_code == 302


def test_the_filer_replies_to_a_comment_on_a_draft(client, personas, orgs):
    filing = filing_in("draft", orgs.elderly_centre, personas, name="草稿项目")
    remark = Comment.objects.create(filing=filing, body="请补充依据")
    client.force_login(personas.filer)
    assert client.post(_reply_url(filing, remark), {"body": "已补充"}).status_code == 302


def test_nobody_replies_once_the_filing_is_approved(client, personas, orgs):
    filing = filing_in("approved", orgs.elderly_centre, personas, name="已批复项目")
    remark = Comment.objects.create(filing=filing, body="请补充依据")
    for persona in (personas.filer, personas.finance_reviewer):
        client.force_login(persona)
        assert client.post(_reply_url(filing, remark), {"body": "已补充"}).status_code == 403
    assert not Reply.objects.exists()


def test_only_the_filer_is_asked_how_the_comment_was_handled(client, personas, returned_filing):
    # The reviewer's reply box asked the reviewer, too, to say how they had handled it.
    page = reverse("filings:detail", args=[returned_filing.pk])
    label = f'for="reply-{returned_filing.remark.pk}">'
    client.force_login(personas.filer)
    assert label + "回复（说明如何处理）</label>" in client.get(page).content.decode()
    step = reverse("filings:wizard", args=[returned_filing.pk, "indicators"])
    assert label + "回复（说明如何处理）</label>" in client.get(step).content.decode()
    client.force_login(personas.department_reviewer)
    assert label + "回复</label>" in client.get(page).content.decode()


def test_reply_outsider_gets_404(client, personas, returned_filing):
    client.force_login(personas.outsider)
    response = client.post(_reply_url(returned_filing, returned_filing.remark), {"body": "x"})
    assert response.status_code == 404


def test_reply_wrong_role_gets_403(client, personas, returned_filing):
    client.force_login(personas.admin)
    response = client.post(_reply_url(returned_filing, returned_filing.remark), {"body": "x"})
    assert response.status_code == 403


def test_reply_get_is_405(client, personas, returned_filing):
    client.force_login(personas.filer)
    assert client.get(_reply_url(returned_filing, returned_filing.remark)).status_code == 405


def test_reply_to_a_comment_of_another_filing_is_404(client, personas, returned_filing, orgs):
    other = filing_in("draft", orgs.elderly_centre, personas, name="另一个项目")
    stranger = Comment.objects.create(filing=other, body="请修改")
    client.force_login(personas.filer)
    url = reverse("review:reply", args=[returned_filing.pk, stranger.pk])
    assert client.post(url, {"body": "x"}).status_code == 404


def test_a_reply_under_ones_own_comment_does_not_tell_its_author(
    client, personas, returned_filing, django_capture_on_commit_callbacks, emails
):
    client.force_login(personas.department_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_reply_url(returned_filing, returned_filing.remark), {"body": "补充说明"})
    assert not Notification.objects.filter(recipient=personas.department_reviewer).exists()
    assert "dept_reviewer@example.cn" not in [to for m in mail.outbox for to in m.to]


def test_a_reviewers_answer_tells_the_units_filers_where_to_read_it(
    client, personas, orgs, returned_filing, django_capture_on_commit_callbacks, emails
):
    filing, remark = returned_filing, returned_filing.remark
    colleague = _filer("filer2", orgs.elderly_centre)
    _filer("former", orgs.elderly_centre, is_active=False)
    # The filer asked; the reviewer who wrote the comment answers.
    Reply.objects.create(comment=remark, body="口径以哪份文件为准？", author=personas.filer)
    client.force_login(personas.department_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_reply_url(filing, remark), {"body": "以民政部的满意度调查办法为准。"})

    told = Notification.objects.filter(kind=Notification.Kind.REPLY)
    # The unit's active filers; not the reviewer who answered, not the department's own
    # filer, not another organisation's filer.
    assert {note.recipient for note in told} == {personas.filer, colleague}
    note = told.get(recipient=personas.filer)
    assert note.message == (
        "「2024年度 回复项目」：dept_reviewer回复了审核意见（绩效指标 · 指标第 1 行「培训人数」）"
        "「满意度指标的目标值请写明口径。」：以民政部的满意度调查办法为准。"
    )
    assert note.filing == filing
    assert note.url == reverse("filings:detail", args=[filing.pk]) + f"#comment-{remark.pk}"
    # The link lands on the comment, on the filing page the filer reads.
    client.force_login(personas.filer)
    page = client.get(note.url.split("#")[0]).content.decode()
    assert f'id="comment-{remark.pk}"' in page and "以民政部的满意度调查办法为准" in page
    # And by mail, to each of them.
    assert sorted(m.to[0] for m in mail.outbox) == ["filer2@example.cn", "filer@example.cn"]
    assert all("意见回复" in m.subject for m in mail.outbox)
    assert "以民政部的满意度调查办法为准" in mail.outbox[0].body
    assert note.url in mail.outbox[0].body


def test_a_reviewers_reply_under_an_internal_comment_never_reaches_the_filer(
    client, personas, orgs, returned_filing, django_capture_on_commit_callbacks, emails
):
    colleague = User.objects.create(
        username="dept2", role=User.Role.DEPARTMENT_REVIEWER, organisation=orgs.civil_affairs
    )
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_reply_url(returned_filing, _internal(returned_filing)), {"body": "已核减"})
    # The reviewer who wrote it is told; no filer learns the comment exists.
    told = Notification.objects.get()
    assert told.recipient == personas.department_reviewer
    assert [m.to for m in mail.outbox] == [["dept_reviewer@example.cn"]]


def test_a_filers_reply_tells_no_filer(
    client, personas, orgs, returned_filing, django_capture_on_commit_callbacks, emails
):
    _filer("filer2", orgs.elderly_centre)
    client.force_login(personas.filer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_reply_url(returned_filing, returned_filing.remark), {"body": "已修改"})
    assert [n.recipient for n in Notification.objects.all()] == [personas.department_reviewer]


def test_the_reviewer_is_told_by_mail_too(
    client, personas, returned_filing, django_capture_on_commit_callbacks, emails
):
    client.force_login(personas.filer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_reply_url(returned_filing, returned_filing.remark), {"body": "已修改"})
    assert [message.to for message in mail.outbox] == [["dept_reviewer@example.cn"]]
    assert "意见回复" in mail.outbox[0].subject


@pytest.fixture
def emails(personas):
    for persona in ("filer", "department_filer", "department_reviewer", "outsider"):
        user = getattr(personas, persona)
        user.email = f"{user.username}@example.cn"
        user.save()
    return personas


def _filer(username, organisation, **extra):
    return User.objects.create(
        username=username,
        role=User.Role.FILER,
        organisation=organisation,
        email=f"{username}@example.cn",
        **extra,
    )


# --- open comments where the filer works -------------------------------------------


def test_the_step_bar_counts_open_comments_on_each_steps_parts(client, personas, returned_filing):
    filing = returned_filing
    Comment.objects.create(filing=filing, part=Comment.Part.FUNDS, body="资金请拆分")
    Comment.objects.create(filing=filing, part=Comment.Part.FUNDS, body="已改", resolved_at=None)
    handled = Comment.objects.create(filing=filing, part=Comment.Part.GOALS, body="目标太空泛")
    Reply.objects.create(comment=handled, body="已改写")
    Comment.objects.filter(pk=handled.pk).update(resolved_at=filing.updated_at)
    client.force_login(personas.filer)
    response = client.get(reverse("filings:wizard", args=[filing.pk, "basic"]))
    bar = {item["step"].slug: item["comments"] for item in response.context["bar"]}
    # Open and not internal: 2 on 项目资金, 1 on 绩效指标 (the internal one is not counted),
    # none on 绩效目标 (handled); the last step gathers them all and has no count of its own.
    assert bar == {"basic": 0, "funds": 2, "goals": 0, "indicators": 1, "review": 0}
    page = response.content.decode()
    assert page.count('data-testid="step-open-comments"') == 2
    assert "2 条意见" in page


def test_the_indicator_step_offers_the_reply_under_each_open_comment(
    client, personas, returned_filing
):
    filing, remark = returned_filing, returned_filing.remark
    client.force_login(personas.filer)
    page = client.get(reverse("filings:wizard", args=[filing.pk, "indicators"])).content.decode()
    assert REMARK in page
    assert f'data-row-key="{remark.row_key}"' in page  # row-comments.js puts it at its row
    assert f'action="{_reply_url(filing, remark)}"' in page
    assert "同时标为已处理" in page


# --- the review page: each row of the form is something to comment on ---------------


def test_each_row_of_the_form_names_what_a_remark_on_it_is_about(client, personas, orgs):
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="点击项目")
    row = filing.indicators.first()
    client.force_login(personas.department_reviewer)
    page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    # Focusable rows, each with the comment form's target: a money row, a goal, the row.
    assert 'data-anchor="part:funds" tabindex="0"' in page
    assert 'data-anchor="part:goals" tabindex="0"' in page
    assert 'data-anchor="part:basic" tabindex="0"' in page
    assert f'data-row-key="{row.key}" data-anchor="row:{row.key}" tabindex="0"' in page
    assert f'<option value="row:{row.key}"' in page
    # The filer's filing page draws the same form, without anything to click.
    client.force_login(personas.filer)
    detail = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "data-anchor=" not in detail


def test_an_overall_forms_tasks_and_duties_are_commented_where_the_filer_fixes_them(
    client, personas, orgs
):
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name="单位整体")
    task = Task.objects.create(filing=filing, order=1, name="助餐点建设", content="新建 3 个")
    do("submit", filing, personas.filer)
    client.force_login(personas.department_reviewer)
    page = client.get(reverse("review:review", args=[filing.pk])).content.decode()
    assert f'data-anchor="task:{task.key}"' in page  # a task row: the 年度重点任务 step
    # 单位职责 and 年度履职目标 are edited on 职责与目标, which shows the goals' comments.
    duties = re.search(r'<tr data-anchor="([^"]+)"[^>]*><th class="label">单位职责', page)
    assert duties and duties[1] == "part:goals"
    staff = re.search(r'<tr data-anchor="([^"]+)"[^>]*><th class="sub"[^>]*>年末在职人数', page)
    assert staff and staff[1] == "part:funds"  # filled in on 预算情况
