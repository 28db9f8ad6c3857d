"""Notifications: who is told what after a transition, deadline reminders, the inbox and badge."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from filings.models import Filing
from review import notifications, workflow
from review.models import Notification, Round, Transition
from tests.conftest import PASSWORD, make_filing
from tests.factories import do, filing_in, overall_filing


def _user(username, role, organisation, email=""):
    user = User(username=username, role=role, organisation=organisation, email=email)
    user.set_password(PASSWORD)
    user.save()
    return user


def _transition(filing, action, from_status, to_status, actor=None, comment=""):
    """A committed transition as review.workflow writes it."""
    Filing.objects.filter(pk=filing.pk).update(status=to_status)
    return Transition.objects.create(
        filing=filing,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_name=actor.username if actor else "",
        comment=comment,
    )


@pytest.fixture
def emails(personas):
    """Give the personas addresses, so that the mail backend has somewhere to send."""
    for persona in ("filer", "department_filer", "department_reviewer", "finance_reviewer"):
        user = getattr(personas, persona)
        user.email = f"{user.username}@example.cn"
        user.save()
    return personas


# --- on_transition: who is told ---


def test_submission_tells_the_department_reviewers_in_the_app_and_by_mail(orgs, emails):
    filing = make_filing(orgs.elderly_centre, name="老龄中心项目")
    other_reviewer = _user("dept2", "department_reviewer", orgs.civil_affairs, "d2@example.cn")
    transition = _transition(filing, "submit", "draft", "department_review", emails.filer)

    notifications.on_transition(transition)

    told = Notification.objects.filter(kind="queued")
    assert {n.recipient for n in told} == {emails.department_reviewer, other_reviewer}
    note = told.first()
    assert "老龄中心项目" in note.message and "等待您审核" in note.message
    assert note.filing == filing
    assert note.url == reverse("review:review", args=[filing.pk])
    assert sorted(message.to[0] for message in mail.outbox) == [
        "d2@example.cn",
        "dept_reviewer@example.cn",
    ]
    assert "老龄中心项目" in mail.outbox[0].body
    assert "[绩效目标申报]" in mail.outbox[0].subject
    # Nobody else: not the finance bureau yet, not the filer who submitted.
    assert not Notification.objects.filter(recipient=emails.finance_reviewer).exists()
    assert not Notification.objects.filter(recipient=emails.filer).exists()


def test_department_approval_tells_the_bureaus_finance_reviewers(orgs, emails):
    filing = make_filing(orgs.elderly_centre)
    other_bureau = _user("city_fin", "finance_reviewer", orgs.city_bureau, "c@example.cn")
    transition = _transition(
        filing,
        "department_approve",
        "department_review",
        "finance_review",
        emails.department_reviewer,
    )

    notifications.on_transition(transition)

    assert [n.recipient for n in Notification.objects.all()] == [emails.finance_reviewer]
    assert "已通过主管部门审核" in Notification.objects.get().message
    assert [m.to for m in mail.outbox] == [["finance_reviewer@example.cn"]]
    assert not Notification.objects.filter(recipient=other_bureau).exists()


def test_a_departments_own_submission_goes_to_the_finance_reviewers(orgs, emails):
    filing = make_filing(orgs.civil_affairs, name="民政局项目")
    transition = _transition(filing, "submit", "draft", "finance_review", emails.department_filer)

    notifications.on_transition(transition)

    assert [n.recipient for n in Notification.objects.all()] == [emails.finance_reviewer]


def test_a_return_tells_the_filers_with_the_reason(orgs, emails):
    filing = make_filing(orgs.elderly_centre, name="老龄中心项目")
    colleague = _user("filer2", "filer", orgs.elderly_centre, "f2@example.cn")
    transition = _transition(
        filing,
        "department_return",
        "department_review",
        "returned",
        emails.department_reviewer,
        comment="请补充满意度指标的测算依据",
    )

    notifications.on_transition(transition)

    told = Notification.objects.filter(kind="returned")
    assert {n.recipient for n in told} == {emails.filer, colleague}
    assert "被退回修改" in told[0].message
    assert "请补充满意度指标的测算依据" in told[0].message
    assert told[0].url == reverse("filings:detail", args=[filing.pk])
    assert len(mail.outbox) == 2


def test_finance_approval_tells_the_filers(orgs, emails):
    filing = make_filing(orgs.elderly_centre)
    transition = _transition(
        filing, "finance_approve", "finance_review", "approved", emails.finance_reviewer
    )

    notifications.on_transition(transition)

    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (emails.filer, "approved")
    assert "已获财政批复" in note.message


@pytest.mark.parametrize(
    ("action", "from_status", "to_status"),
    [
        ("withdraw", "department_review", "draft"),
        ("adjust", "approved", "draft"),
        ("import", "draft", "approved"),
    ],
)
def test_withdrawals_adjustments_and_imports_tell_nobody(
    orgs, emails, action, from_status, to_status
):
    filing = make_filing(orgs.elderly_centre)
    transition = _transition(filing, action, from_status, to_status, emails.filer)

    assert notifications.on_transition(transition) == []
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_inactive_users_and_users_without_an_address_get_no_mail(orgs, emails):
    filing = make_filing(orgs.elderly_centre)
    gone = _user("gone", "department_reviewer", orgs.civil_affairs, "gone@example.cn")
    gone.is_active = False
    gone.save()
    silent = _user("silent", "department_reviewer", orgs.civil_affairs)
    transition = _transition(filing, "submit", "draft", "department_review", emails.filer)

    notifications.on_transition(transition)

    assert not Notification.objects.filter(recipient=gone).exists()
    assert Notification.objects.filter(recipient=silent).exists()  # in the app all the same
    assert [m.to for m in mail.outbox] == [["dept_reviewer@example.cn"]]


def test_a_broken_mail_server_keeps_the_in_app_notification(orgs, emails, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    filing = make_filing(orgs.elderly_centre)
    transition = _transition(filing, "submit", "draft", "department_review", emails.filer)

    notifications.on_transition(transition)

    assert Notification.objects.filter(recipient=emails.department_reviewer).exists()


def test_a_long_return_comment_is_clipped_to_fit(orgs, emails):
    filing = make_filing(orgs.elderly_centre)
    transition = _transition(
        filing,
        "finance_return",
        "finance_review",
        "returned",
        emails.finance_reviewer,
        comment="很长的意见" * 200,
    )

    notifications.on_transition(transition)

    message = Notification.objects.first().message
    assert len(message) == 300 and message.endswith("…")


def _unit_overall(orgs, personas):
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name="老龄中心单位整体")
    do("submit", filing, personas.filer)
    return filing


def _project(orgs, personas):
    return filing_in("department_review", orgs.elderly_centre, personas, name="老龄中心项目")


@pytest.mark.parametrize("build", [_unit_overall, _project], ids=["单位整体", "项目"])
def test_a_departments_rejection_tells_the_bureau_which_alone_may_reopen_it(
    client, orgs, emails, build, django_capture_on_commit_callbacks
):
    filing = build(orgs, emails)
    colleague = _user("fin2", "finance_reviewer", orgs.minhang_bureau, "fin2@example.cn")
    _user("city_fin", "finance_reviewer", orgs.city_bureau, "c@example.cn")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        do("reject", filing, emails.department_reviewer)

    told = Notification.objects.filter(recipient__role="finance_reviewer")
    # The bureau the unit is under, every reviewer of it; no other bureau's.
    assert {note.recipient for note in told} == {emails.finance_reviewer, colleague}
    note = told.get(recipient=emails.finance_reviewer)
    assert note.kind == Notification.Kind.NOT_APPROVED
    assert note.message == (
        f"上海市闵行区民政局将「{filing}」（上海市闵行区老龄事业发展中心）评为「差」，"
        "审核不予通过；如需重新开放，请在申报页面办理。理由：绩效目标与部门职责无关。"
    )
    assert note.filing == filing
    assert note.url == reverse("filings:detail", args=[filing.pk])
    # The department reviewer who decided learns nothing from it; the filer is told as before.
    assert not Notification.objects.filter(recipient=emails.department_reviewer).exists()
    assert Notification.objects.filter(recipient=emails.filer, kind="not_approved").exists()
    # By mail too, to the bureau's reviewers and the filer only.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "filer@example.cn",
        "fin2@example.cn",
        "finance_reviewer@example.cn",
    ]
    bureau_mail = next(m for m in mail.outbox if m.to == ["finance_reviewer@example.cn"])
    assert "不予通过" in bureau_mail.subject and "绩效目标与部门职责无关" in bureau_mail.body
    # The link lands where the bureau reopens it.
    client.force_login(emails.finance_reviewer)
    assert 'data-testid="reopen"' in client.get(note.url).content.decode()


def _ready_filing(organisation, *, name):
    """A project filing the checker finds no error in: it may be submitted."""
    return make_filing(
        organisation,
        name=name,
        department="上海市闵行区民政局",
        implementing_unit=organisation.name,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        annual_total=100000,
        annual_appropriation=100000,
        annual_goal="完成年度培训任务。",
    )


@pytest.mark.django_db(transaction=True)
def test_the_workflow_notifies_once_each_transition_is_committed(orgs, emails):
    filing = _ready_filing(orgs.elderly_centre, name="老龄中心项目")

    workflow.submit(filing, emails.filer, seen_version=filing.lock_version)

    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (emails.department_reviewer, "queued")
    assert [m.to for m in mail.outbox] == [["dept_reviewer@example.cn"]]

    filing.refresh_from_db()
    workflow.decide(
        filing,
        emails.department_reviewer,
        seen_version=filing.lock_version,
        decision="return",
        sheet={"grade": "中", "to_improve": "满意度指标请写明调查方式。"},
        comment="请写明调查方式",
    )

    note = Notification.objects.get(kind="returned")
    assert note.recipient == emails.filer
    assert "请写明调查方式" in note.message
    assert mail.outbox[-1].to == ["filer@example.cn"]


# --- deadline reminders ---


@pytest.fixture
def season(orgs, personas, emails):
    """The 2025 round of 闵行区财政局 closes on 31 March; work in every state."""
    Round.objects.create(
        bureau=orgs.minhang_bureau,
        year=2025,
        opens_on=datetime.date(2025, 1, 1),
        deadline=datetime.date(2025, 3, 31),
    )
    return {
        "draft": make_filing(orgs.elderly_centre, name="草稿项目", year=2025),
        "returned": filing_in(
            "returned", orgs.elderly_centre, personas, name="退回项目", year=2025
        ),
        "waiting": filing_in(
            "department_review", orgs.elderly_centre, personas, name="待审项目", year=2025
        ),
        "done": filing_in(
            "finance_review", orgs.civil_affairs, personas, name="已报项目", year=2025
        ),
        # Another bureau's late filer is not this round's business.
        "elsewhere": make_filing(orgs.disabled_federation, name="残联项目", year=2025),
    }


def test_reminders_go_to_filers_with_drafts_and_reviewers_with_a_queue(season, emails):
    sent = notifications.send_deadline_reminders(today=datetime.date(2025, 3, 28), days=7)

    by_user = {note.recipient: note for note in sent}
    assert set(by_user) == {emails.filer, emails.department_reviewer}
    filer_note = by_user[emails.filer].message
    assert "2025年度绩效目标申报将于" in filer_note
    assert "2025-03-31" in filer_note and "还有 3 天" in filer_note
    assert "2 份申报尚未提交" in filer_note
    assert "1 份申报等待您审核" in by_user[emails.department_reviewer].message
    assert by_user[emails.filer].url == reverse("filings:mine")
    assert {m.to[0] for m in mail.outbox} == {
        "filer@example.cn",
        "dept_reviewer@example.cn",
    }
    # The department's filer submitted everything: nothing to remind them of.
    assert emails.department_filer not in by_user


def test_reminders_are_sent_once_a_day_however_often_the_command_runs(season, emails):
    today = datetime.date(2025, 3, 28)
    assert len(notifications.send_deadline_reminders(today=today)) == 2
    assert notifications.send_deadline_reminders(today=today) == []
    assert Notification.objects.filter(kind="deadline").count() == 2
    assert len(mail.outbox) == 2
    # The next day, they are reminded again.
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    assert len(notifications.send_deadline_reminders(today=today)) == 2


def test_reminders_start_n_days_before_and_stop_after_the_deadline(season):
    assert notifications.send_deadline_reminders(today=datetime.date(2025, 3, 20), days=7) == []
    assert notifications.send_deadline_reminders(today=datetime.date(2025, 4, 1), days=7) == []
    on_the_day = notifications.send_deadline_reminders(today=datetime.date(2025, 3, 31), days=7)
    assert on_the_day and "今天" in on_the_day[0].message


def test_the_command_reminds_and_says_how_many(season, emails):
    out = StringIO()
    call_command("send_deadline_reminders", "--date", "2025-03-30", "--days", "3", stdout=out)
    assert "已发送截止提醒 2 条" in out.getvalue()
    call_command("send_deadline_reminders", "--date", "2025-03-30", "--days", "3", stdout=out)
    assert Notification.objects.filter(kind="deadline").count() == 2


def test_the_command_refuses_a_bad_date_in_chinese(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="日期格式"):
        call_command("send_deadline_reminders", "--date", "31/03/2025")


# --- the inbox and the badge ---


def _notify(user, message="「2024年度 测试项目」已获财政批复。", **extra):
    return Notification.objects.create(recipient=user, kind="approved", message=message, **extra)


def test_the_badge_counts_unread_notifications(client, personas):
    _notify(personas.filer)
    _notify(personas.filer)
    _notify(personas.filer, read_at=timezone.now())
    _notify(personas.department_reviewer)
    client.force_login(personas.filer)

    page = client.get(reverse("filings:list")).content.decode()

    assert 'data-testid="unread-badge">2<' in page


def test_no_badge_without_unread_notifications(client, personas):
    _notify(personas.filer, read_at=timezone.now())
    client.force_login(personas.filer)

    page = client.get(reverse("filings:list")).content.decode()

    assert 'data-testid="nav-notifications"' in page
    assert "unread-badge" not in page


def test_the_inbox_lists_only_my_notifications_unread_first_marked(client, personas):
    _notify(personas.filer, message="给填报人的通知")
    _notify(personas.department_reviewer, message="给审核人的通知")
    client.force_login(personas.filer)

    page = client.get(reverse("review:notifications")).content.decode()

    assert "给填报人的通知" in page
    assert "给审核人的通知" not in page
    assert "list-group-item-primary" in page  # unread stands out
    assert "标为已读" in page


def test_the_inbox_filters_unread(client, personas):
    _notify(personas.filer, message="旧的通知", read_at=timezone.now())
    _notify(personas.filer, message="新的通知")
    client.force_login(personas.filer)

    page = client.get(reverse("review:notifications") + "?unread=1").content.decode()

    assert "新的通知" in page and "旧的通知" not in page


def test_the_inbox_is_paginated_with_a_constant_number_of_queries(
    client, personas, django_assert_num_queries
):
    for number in range(3):
        _notify(personas.filer, message=f"通知{number}")
    client.force_login(personas.filer)
    url = reverse("review:notifications")
    # session, user, the badge's count, the page's count, the page's rows
    with django_assert_num_queries(5):
        client.get(url)
    for number in range(40):
        _notify(personas.filer, message=f"更多通知{number}")
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert "第 1 / 3 页" in page


def test_mark_read_marks_one_and_opens_what_it_is_about(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre)
    note = _notify(personas.filer, filing=filing, url=reverse("filings:detail", args=[filing.pk]))
    other = _notify(personas.filer)
    client.force_login(personas.filer)

    response = client.post(reverse("review:notification_read", args=[note.pk]), {"open": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("filings:detail", args=[filing.pk])
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None


def test_mark_read_never_redirects_off_site(client, personas):
    note = _notify(personas.filer, url="https://evil.example.com/")
    client.force_login(personas.filer)

    response = client.post(
        reverse("review:notification_read", args=[note.pk]),
        {"open": "1", "next": "https://evil.example.com/"},
    )

    assert response["Location"] == reverse("review:notifications")


def test_mark_all_read(client, personas):
    for _number in range(3):
        _notify(personas.filer)
    mine_elsewhere = _notify(personas.department_reviewer)
    client.force_login(personas.filer)

    response = client.post(reverse("review:notifications_read_all"), follow=True)

    assert "已将 3 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=personas.filer, read_at=None).exists()
    mine_elsewhere.refresh_from_db()
    assert mine_elsewhere.read_at is None


def test_someone_elses_notification_is_a_404(client, personas):
    note = _notify(personas.filer)
    client.force_login(personas.outsider)

    response = client.post(reverse("review:notification_read", args=[note.pk]))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("name", ["review:notification_read", "review:notifications_read_all"])
def test_get_on_a_marking_action_is_405(client, personas, name):
    note = _notify(personas.filer)
    client.force_login(personas.filer)
    args = [note.pk] if name == "review:notification_read" else []

    assert client.get(reverse(name, args=args)).status_code == 405


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("review:notifications"))
    assert response.status_code == 302 and "login" in response["Location"]
