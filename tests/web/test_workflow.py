"""The review path: every (state, action, role), versions, frozen approvals, the import log."""

import threading
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from filings import access
from filings.checks import run_checks
from filings.editing import StaleEdit, claim
from filings.models import Filing, FilingVersion, VersionFinding
from filings.serialization import export_queryset, filing_to_dict
from importers.loader import import_file
from indicators.models import Indicator, Level2
from review import signals, workflow
from review.models import Comment, Review, Round, Transition
from tests.conftest import PUBLISHED
from tests.factories import GRADED, bring_to, do, ready_filing
from tests.factories import fresh as _fresh

# --- the table ------------------------------------------------------------------------

STATES = ["draft", "department_review", "finance_review", "approved", "returned"]
ACTIONS = ["submit", "withdraw", "open_review", "approve", "return", "adjust"]
ROLES = [
    "filer",
    "department_filer",
    "department_reviewer",
    "finance_reviewer",
    "outsider",
    "outside_finance_reviewer",
    "admin",
]

# A unit's filing (老龄中心, under 民政局, under 闵行区财政局): the only allowed
# (state, action) → (role, resulting status). Every other combination is refused.
UNIT_ALLOWED = {
    ("draft", "submit"): ("filer", "department_review"),
    ("returned", "submit"): ("filer", "department_review"),
    ("department_review", "withdraw"): ("filer", "draft"),
    ("department_review", "open_review"): ("department_reviewer", "department_review"),
    ("department_review", "approve"): ("department_reviewer", "finance_review"),
    ("department_review", "return"): ("department_reviewer", "returned"),
    # finance_review/withdraw is refused: the department has decided on this version.
    ("finance_review", "open_review"): ("finance_reviewer", "finance_review"),
    ("finance_review", "approve"): ("finance_reviewer", "approved"),
    ("finance_review", "return"): ("finance_reviewer", "returned"),
    ("approved", "adjust"): ("filer", "draft"),
}

# A 主管部门's own filing (民政局) skips the department stage; its own reviewer has no say.
DEPARTMENT_ALLOWED = {
    ("draft", "submit"): ("department_filer", "finance_review"),
    ("returned", "submit"): ("department_filer", "finance_review"),
    ("finance_review", "withdraw"): ("department_filer", "draft"),
    ("finance_review", "open_review"): ("finance_reviewer", "finance_review"),
    ("finance_review", "approve"): ("finance_reviewer", "approved"),
    ("finance_review", "return"): ("finance_reviewer", "returned"),
    ("approved", "adjust"): ("department_filer", "draft"),
}

ACTION_LOGGED = {
    "submit": "submit",
    "withdraw": "withdraw",
    "adjust": "adjust",
    ("department", "approve"): "department_approve",
    ("department", "return"): "department_return",
    ("finance", "approve"): "finance_approve",
    ("finance", "return"): "finance_return",
}


def _snapshot(filing):
    fresh = _fresh(filing)
    return (fresh.status, fresh.lock_version, fresh.transitions.count(), fresh.reviews.count())


def _run_table(owner, filer_name, allowed, state, action, personas):
    filer = getattr(personas, filer_name)
    filing = bring_to(state, ready_filing(owner, name="流程测试项目"), filer, personas)
    winner = allowed.get((state, action))
    for role in ROLES:
        if winner and role == winner[0]:
            continue
        before = _snapshot(filing)
        with pytest.raises(workflow.TransitionRefused) as refused:
            do(action, filing, getattr(personas, role))
        assert str(refused.value), (role, "a refusal says why")
        assert _snapshot(filing) == before, (role, "a refused transition changes nothing")
    if winner is None:
        return
    role, to_status = winner
    before = _fresh(filing)
    stage = "department" if before.status == "department_review" else "finance"
    do(action, filing, getattr(personas, role))
    after = _fresh(filing)
    assert after.status == to_status
    if action == "open_review":
        assert after.lock_version == before.lock_version  # opening is not a transition
        assert Review.objects.get(filing=filing, decided_at=None).stage == stage
        return
    assert after.lock_version == before.lock_version + 1
    log = after.transitions.order_by("-pk").first()
    expected = ACTION_LOGGED.get((stage, action), ACTION_LOGGED.get(action))
    assert (log.action, log.from_status, log.to_status) == (expected, state, to_status)
    assert log.actor == getattr(personas, role)
    assert log.actor_name == getattr(personas, role).username


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_of_a_units_filing(personas, orgs, state, action):
    _run_table(orgs.elderly_centre, "filer", UNIT_ALLOWED, state, action, personas)


@pytest.mark.parametrize("state", [s for s in STATES if s != "department_review"])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_of_a_departments_own_filing(personas, orgs, state, action):
    _run_table(orgs.civil_affairs, "department_filer", DEPARTMENT_ALLOWED, state, action, personas)


def test_the_access_actions_follow_the_same_table(personas, orgs):
    filing = ready_filing(orgs.elderly_centre)
    bring_to("department_review", filing, personas.filer, personas)
    filing = _fresh(filing)

    def actions(user):
        return access.actions_for(user, filing)

    assert actions(personas.filer) >= {access.WITHDRAW, access.COMMENT}
    assert access.SUBMIT not in actions(personas.filer)
    assert access.COMMENT_INTERNAL not in actions(personas.filer)
    assert actions(personas.department_reviewer) >= {
        access.REVIEW,
        access.COMMENT,
        access.COMMENT_INTERNAL,
    }
    # The bureau's reviewer may comment before its stage, but not review yet.
    assert access.REVIEW not in actions(personas.finance_reviewer)
    assert access.COMMENT_INTERNAL in actions(personas.finance_reviewer)
    # Admins see everything and take part in nothing.
    assert actions(personas.admin) == {access.VIEW}


# --- submit ---------------------------------------------------------------------------


@pytest.fixture
def draft(orgs):
    return ready_filing(orgs.elderly_centre, name="老龄中心项目")


def test_submit_takes_an_immutable_snapshot_with_the_checkers_counts(personas, draft):
    Indicator.objects.filter(filing=draft, name="培训人数").update(value="≤30(人)")
    findings = run_checks(_fresh(draft))
    version = do("submit", draft, personas.filer)
    assert (version.number, version.reason) == (1, "submitted")
    expected = filing_to_dict(export_queryset(Filing.objects.filter(pk=draft.pk)).get())
    assert version.snapshot == expected
    assert version.snapshot["status"] == "department_review"
    assert len(version.content_hash) == 64
    assert version.created_by == personas.filer
    assert (version.error_count, version.warning_count) == (0, len(findings))
    assert sum(VersionFinding.objects.filter(version=version).values_list("count", flat=True)) == (
        len(findings)
    )
    log = Transition.objects.get(filing=draft)
    assert (log.action, log.version) == ("submit", version)


def test_submit_is_refused_while_the_checker_finds_an_error(personas, draft):
    draft.indicators.filter(level2__level1__name="满意度指标").delete()
    with pytest.raises(workflow.TransitionRefused) as refused:
        do("submit", draft, personas.filer)
    assert "错误" in str(refused.value)
    assert _fresh(draft).status == "draft"
    assert not FilingVersion.objects.filter(filing=draft).exists()


def test_a_double_submit_makes_one_transition(personas, draft):
    page_version = draft.lock_version
    workflow.submit(_fresh(draft), personas.filer, seen_version=page_version)
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.submit(_fresh(draft), personas.filer, seen_version=page_version)
    assert "待主管部门审核" in str(refused.value)
    assert Transition.objects.filter(filing=draft).count() == 1
    assert FilingVersion.objects.filter(filing=draft).count() == 1


def test_a_submit_from_a_page_older_than_the_last_save_is_refused(personas, draft):
    claim(draft, 0)  # a colleague saved in another tab
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.submit(_fresh(draft), personas.filer, seen_version=0)
    assert "刷新" in str(refused.value)
    assert _fresh(draft).status == "draft"


def test_submitting_outdates_every_open_editing_page(personas, draft):
    do("submit", draft, personas.filer)
    with pytest.raises(StaleEdit):
        claim(draft, 0)


def test_a_resubmission_is_the_next_version_and_an_unchanged_one_hashes_the_same(personas, draft):
    first = do("submit", draft, personas.filer)
    do("return", draft, personas.department_reviewer)
    second = do("submit", draft, personas.filer)
    assert second.number == 2
    assert second.content_hash == first.content_hash
    do("withdraw", draft, personas.filer)
    Indicator.objects.filter(filing=draft, name="培训人数").update(value="≥40(人)")
    third = do("submit", draft, personas.filer)
    assert third.content_hash != first.content_hash


# --- withdraw, open, decide, adjust ---------------------------------------------------


def test_withdraw_is_refused_once_a_reviewer_has_opened_the_sheet(personas, draft):
    do("submit", draft, personas.filer)
    do("open_review", draft, personas.department_reviewer)
    with pytest.raises(workflow.TransitionRefused) as refused:
        do("withdraw", draft, personas.filer)
    assert "审核人已开始审核" in str(refused.value)
    assert _fresh(draft).status == "department_review"


def test_opening_the_sheet_twice_is_one_review(personas, draft):
    do("submit", draft, personas.filer)
    first = do("open_review", draft, personas.department_reviewer)
    again = do("open_review", draft, personas.department_reviewer)
    assert first.pk == again.pk
    assert Review.objects.filter(filing=draft).count() == 1


@pytest.mark.parametrize(
    ("decision", "sheet", "message"),
    [
        ("approve", {}, "审核等级"),
        ("approve", {"grade": "甲"}, "「审核等级」只能评定为优、良、中或差"),
        ("approve", {"grade": "优", "feasibility": "A"}, "「可行性」"),
        ("return", {"grade": "中"}, "需补充完善事项"),
        ("return", {"grade": "良"}, "需补充完善事项"),
        ("reject", {"grade": "差"}, "理由"),
        ("return", {}, "审核等级"),
        # The grade decides: a button that disagrees with it is refused, naming both.
        ("approve", {**GRADED, "grade": "良"}, "审核等级为「良」时应「退回修改」"),
        ("approve", {**GRADED, "grade": "差"}, "应「不予通过」"),
        ("return", {"grade": "优", "to_improve": "改"}, "应「审核通过」"),
        ("reject", {"grade": "中", "to_improve": "改"}, "应「退回修改」"),
        ("maybe", GRADED, "审核结论"),
    ],
)
def test_an_incomplete_sheet_is_refused_naming_the_field(personas, draft, decision, sheet, message):
    do("submit", draft, personas.filer)
    filing = _fresh(draft)
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.decide(
            filing,
            personas.department_reviewer,
            seen_version=filing.lock_version,
            decision=decision,
            sheet=sheet,
        )
    assert message in str(refused.value)
    assert _fresh(draft).status == "department_review"
    assert not Review.objects.filter(filing=draft).exclude(decision="").exists()


def test_two_approvals_from_one_page_make_one_transition(personas, draft):
    do("submit", draft, personas.filer)
    page = _fresh(draft)
    kwargs = {"seen_version": page.lock_version, "decision": "approve", "sheet": GRADED}
    workflow.decide(_fresh(draft), personas.department_reviewer, **kwargs)
    with pytest.raises(workflow.TransitionRefused):
        workflow.decide(_fresh(draft), personas.department_reviewer, **kwargs)
    assert Transition.objects.filter(filing=draft, action="department_approve").count() == 1


def test_the_sheet_is_kept_with_the_version_it_judged(personas, draft):
    version = do("submit", draft, personas.filer)
    filing = _fresh(draft)
    review = workflow.decide(
        filing,
        personas.department_reviewer,
        seen_version=filing.lock_version,
        decision="approve",
        sheet={**GRADED, "opinion_goals": "目标明确。", "unknown": "ignored"},
        comment="同意报送财政。",
    )
    review.refresh_from_db()
    assert (review.version, review.stage, review.decision) == (version, "department", "approve")
    assert (review.grade, review.opinion_goals, review.reviewer) == (
        "优",
        "目标明确。",
        personas.department_reviewer,
    )
    assert review.decided_at is not None
    log = Transition.objects.get(filing=draft, action="department_approve")
    assert (log.comment, log.version) == ("同意报送财政。", version)


def test_finance_approval_makes_the_version_official(personas, draft):
    bring_to("approved", draft, personas.filer, personas)
    filing = _fresh(draft)
    assert filing.approved_version == FilingVersion.objects.get(filing=draft)


def test_an_adjustment_keeps_the_approved_version_official_until_approved_again(personas, draft):
    bring_to("approved", draft, personas.filer, personas)
    official = _fresh(draft).approved_version
    do("adjust", draft, personas.filer)
    assert (_fresh(draft).status, _fresh(draft).approved_version) == ("draft", official)
    Indicator.objects.filter(filing=draft, name="培训人数").update(value="≥50(人)")
    new = do("submit", draft, personas.filer)
    do("approve", draft, personas.department_reviewer)
    assert _fresh(draft).approved_version == official
    do("approve", draft, personas.finance_reviewer)
    assert _fresh(draft).approved_version == new
    assert list(Transition.objects.filter(filing=draft).values_list("action", flat=True)) == [
        "submit",
        "department_approve",
        "finance_approve",
        "adjust",
        "submit",
        "department_approve",
        "finance_approve",
    ]


def test_notifications_are_told_after_the_commit(personas, draft, monkeypatch):
    told = []
    fake = types.SimpleNamespace(on_transition=told.append)
    monkeypatch.setattr(workflow, "notifications", fake)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        do("submit", draft, personas.filer)
    assert told == []  # not before the commit
    for callback in callbacks:
        callback()
    assert [t.action for t in told] == ["submit"]


def test_a_failing_notification_does_not_undo_the_transition(personas, draft, monkeypatch):
    def broken(transition):
        raise ConnectionError("mail server down")

    fake = types.SimpleNamespace(on_transition=broken)
    monkeypatch.setattr(workflow, "notifications", fake)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        do("submit", draft, personas.filer)
    assert _fresh(draft).status == "department_review"


def test_the_bureaus_approval_announces_the_official_version_after_the_commit(personas, draft):
    heard = []

    def listener(sender, version_id, **kwargs):
        heard.append(version_id)

    signals.version_approved.connect(listener)
    try:
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
            do("submit", draft, personas.filer)
            do("approve", draft, personas.department_reviewer)
            do("approve", draft, personas.finance_reviewer)
        assert heard == []  # not before the commit: a rolled-back approval is never heard
        for callback in callbacks:
            callback()
    finally:
        signals.version_approved.disconnect(listener)
    # Once, for the bureau's approval; the department's approval makes nothing official.
    assert heard == [_fresh(draft).approved_version_id]


# --- concurrency (PostgreSQL) ---------------------------------------------------------


def _race(*calls):
    """Run the calls at the same moment in threads; returns "done"/"refused" per call."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "done"
        except workflow.TransitionRefused:
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers"
)
# Threads need committed data (tests/conftest.py reloads the taxonomy after the flush).
concurrent = pytest.mark.django_db(transaction=True)


@needs_postgres
@concurrent
def test_two_submits_at_once_make_one_transition(personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="并发提交")
    pages = [_fresh(filing), _fresh(filing)]
    outcomes = _race(
        *(lambda p=page: workflow.submit(p, personas.filer, seen_version=0) for page in pages)
    )
    assert outcomes == ["done", "refused"]
    assert Transition.objects.filter(filing=filing).count() == 1
    assert FilingVersion.objects.filter(filing=filing).count() == 1
    assert _fresh(filing).lock_version == 1


@needs_postgres
@concurrent
def test_two_reviewers_approving_at_once_make_one_transition(personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="并发审核")
    do("submit", filing, personas.filer)
    colleague = type(personas.department_reviewer).objects.create(
        username="dept_reviewer_2", role="department_reviewer", organisation=orgs.civil_affairs
    )
    seen = _fresh(filing).lock_version

    def approve(user):
        return lambda: workflow.decide(
            _fresh(filing), user, seen_version=seen, decision="approve", sheet=GRADED
        )

    outcomes = _race(approve(personas.department_reviewer), approve(colleague))
    assert outcomes == ["done", "refused"]
    assert Transition.objects.filter(filing=filing, action="department_approve").count() == 1
    assert Review.objects.filter(filing=filing).count() == 1
    assert _fresh(filing).status == "finance_review"


@needs_postgres
@concurrent
def test_a_withdraw_racing_the_reviewer_opening_the_sheet(personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="并发撤回")
    do("submit", filing, personas.filer)
    _race(
        lambda: workflow.withdraw(_fresh(filing), personas.filer),
        lambda: workflow.open_review(_fresh(filing), personas.department_reviewer),
    )
    fresh = _fresh(filing)
    opened = Review.objects.filter(filing=filing).exists()
    # Either the filer took it back before the reviewer opened it, or the reviewer has it.
    assert (fresh.status, opened) in {("draft", False), ("department_review", True)}


# --- the views ------------------------------------------------------------------------


def _post(client, user, name, filing, data=None):
    client.force_login(user)
    return client.post(reverse(name, args=[filing.pk]), data or {})


@pytest.mark.parametrize("name", ["review:submit", "review:withdraw", "review:adjust"])
def test_outsider_gets_404(client, personas, draft, name):
    assert _post(client, personas.outsider, name, draft).status_code == 404


@pytest.mark.parametrize("name", ["review:submit", "review:withdraw", "review:adjust"])
@pytest.mark.parametrize("role", ["department_reviewer", "finance_reviewer", "admin"])
def test_wrong_role_gets_403(client, personas, draft, name, role):
    # A unit's draft is hidden from its department until submitted (see the test below).
    filing = do("submit", draft, personas.filer).filing if role == "department_reviewer" else draft
    response = _post(client, getattr(personas, role), name, filing)
    assert response.status_code == 403
    assert "填报人" in response.content.decode()


@pytest.mark.parametrize("name", ["review:submit", "review:withdraw", "review:adjust"])
def test_get_on_a_transition_is_405(client, personas, draft, name):
    client.force_login(personas.filer)
    assert client.get(reverse(name, args=[draft.pk])).status_code == 405


def test_filer_submits_from_the_wizard_and_a_double_click_is_one_submission(
    client, personas, draft
):
    client.force_login(personas.filer)
    page = client.get(reverse("filings:wizard", args=[draft.pk, "review"])).content.decode()
    assert 'data-testid="submit-button"' in page
    assert 'action="{}"'.format(reverse("review:submit", args=[draft.pk])) in page
    data = {"lock_version": draft.lock_version, "comment": "请审核"}
    first = client.post(reverse("review:submit", args=[draft.pk]), data, follow=True)
    assert first.redirect_chain[-1][0] == reverse("filings:detail", args=[draft.pk])
    assert "已提交第 1 版" in first.content.decode()
    assert "待主管部门审核" in first.content.decode()
    assert 'data-testid="withdraw-button"' in first.content.decode()
    # 撤回修改 asks first, in confirm.js's one dialog, saying what will happen.
    asked = f'data-confirm="撤回修改：《{draft.name}》的提交将撤回'
    assert asked in first.content.decode()
    second = client.post(reverse("review:submit", args=[draft.pk]), data, follow=True)
    assert second.status_code == 200
    assert "不能提交" in second.content.decode()
    assert Transition.objects.filter(filing=draft).count() == 1
    assert Transition.objects.get(filing=draft).comment == "请审核"


def test_the_submit_button_is_disabled_with_the_reason_while_errors_exist(client, personas, draft):
    draft.indicators.filter(level2__level1__name="满意度指标").delete()
    client.force_login(personas.filer)
    page = client.get(reverse("filings:wizard", args=[draft.pk, "review"])).content.decode()
    button = page[page.index('data-testid="submit-button"') :][:200]
    assert "disabled" in button
    assert "错误全部修改后才能提交审核" in page
    # A forged POST is refused all the same, with the reason on the page.
    response = client.post(
        reverse("review:submit", args=[draft.pk]), {"lock_version": 0}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("filings:wizard", args=[draft.pk, "review"])
    assert "请修改后再提交审核" in response.content.decode()
    assert _fresh(draft).status == "draft"


def test_filer_withdraws_and_is_sent_back_to_the_wizard(client, personas, draft):
    do("submit", draft, personas.filer)
    response = _post(client, personas.filer, "review:withdraw", draft)
    assert response.url == reverse("filings:wizard", args=[draft.pk, "review"])
    assert _fresh(draft).status == "draft"


def test_withdraw_after_the_reviewer_opened_it_is_a_message_not_an_error(client, personas, draft):
    do("submit", draft, personas.filer)
    do("open_review", draft, personas.department_reviewer)
    client.force_login(personas.filer)
    response = client.post(reverse("review:withdraw", args=[draft.pk]), follow=True)
    assert response.status_code == 200
    assert "不能撤回" in response.content.decode()


def test_filer_starts_an_adjustment_from_the_filing_page_once_granted(client, personas, draft):
    bring_to("approved", draft, personas.filer, personas)
    client.force_login(personas.filer)
    page = client.get(reverse("filings:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="adjust-button"' not in page  # 88号: an application comes first
    client.post(reverse("review:adjustment_apply", args=[draft.pk]), {"reason": "随预算调整"})
    client.force_login(personas.finance_reviewer)
    client.post(
        reverse("review:adjustment_decide", args=[draft.pk]),
        {"decision": "grant", "answer": "同意"},
    )
    client.force_login(personas.filer)
    page = client.get(reverse("filings:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="adjust-button"' in page
    response = client.post(reverse("review:adjust", args=[draft.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("filings:wizard", args=[draft.pk, "basic"])
    assert "已发起调整" in response.content.decode()


def test_submit_costs_the_same_number_of_queries_for_3_or_60_indicators(client, personas, orgs):
    def measure(rows):
        filing = ready_filing(orgs.elderly_centre, name=f"查询数{rows}")
        level2 = Level2.objects.get(name="数量指标")
        for n in range(rows - 3):
            indicator = Indicator(filing=filing, level2=level2, order=10 + n, name=f"数量{n}")
            indicator.set_value(f"≥{n + 1}(个)")
            indicator.save()
        client.force_login(personas.filer)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("review:submit", args=[filing.pk]), {"lock_version": 0})
        assert response.status_code == 302
        assert _fresh(filing).status == "department_review"
        return len(queries)

    small, large = measure(3), measure(60)
    assert small == large
    assert small <= 30


# --- the import log and the demo ------------------------------------------------------


@pytest.fixture
def seed_orgs(db):
    from filings import demo

    demo.load_organisations(demo.read_demo())


def test_an_imported_published_form_starts_its_log_with_where_it_came_from(seed_orgs):
    path = sorted(PUBLISHED.glob("*.txt"))[0]
    report = import_file(path)
    assert report.error == ""
    filing = Filing.objects.get()
    log = Transition.objects.get(filing=filing)
    assert (log.action, log.from_status, log.to_status) == ("import", "approved", "approved")
    assert path.name in log.comment
    assert (log.version.reason, log.version.number) == ("imported", 1)
    assert filing.approved_version == log.version
    # Logged once, whoever asks again.
    assert workflow.record_import(filing, source="again") == log
    assert Transition.objects.filter(filing=filing).count() == 1


def test_a_dry_run_import_logs_nothing(seed_orgs):
    import_file(sorted(PUBLISHED.glob("*.txt"))[0], dry_run=True)
    assert not Transition.objects.exists() and not FilingVersion.objects.exists()


def test_the_demo_has_work_waiting_in_every_queue(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    by_status = dict(
        Filing.objects.filter(transitions__action="submit").values_list("name", "status").distinct()
    )
    assert by_status["上海市闵行区老龄事业发展中心"] == "department_review"
    assert by_status["上海市闵行区民政局(汇总)"] == "finance_review"
    assert by_status["残疾人事业宣传经费"] == "returned"
    returned = Filing.objects.get(name="残疾人事业宣传经费", status="returned")
    comment = Comment.objects.filter(filing=returned).earliest("pk")
    assert comment.row_key == returned.indicators.get(name="残联微博粉丝量").key
    assert Review.objects.get(filing=returned).to_improve
    bureaus = Organisation.objects.filter(level="bureau")
    assert set(Round.objects.values_list("bureau", flat=True)) == set(
        bureaus.values_list("pk", flat=True)
    )
    # Imported published forms are logged and official.
    assert not Filing.objects.filter(status="approved", approved_version=None).exists()
    # Loading again changes nothing of the path.
    count = Transition.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert Transition.objects.count() == count
