"""Adjustments that are asked for (调整申请, 88号 第二十八条) and what exports print meanwhile."""

import datetime
import io

import openpyxl
import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from exports import jobs
from exports.models import ExportJob
from filings.models import Filing, content_hash
from filings.serialization import export_queryset, filing_to_dict
from indicators.models import Indicator
from review import adjustments, workflow
from review.models import AdjustmentRequest, Notification, Round, Transition
from tests.factories import bring_to, do, fresh, imported_filing, ready_filing

REASON = "随年中预算调整，项目资金调减，相应调整产出指标"


@pytest.fixture
def approved(orgs, personas):
    filing = ready_filing(orgs.elderly_centre, name="老龄中心项目")
    bring_to("approved", filing, personas.filer, personas)
    return fresh(filing)


def _apply(filing, personas, **extra):
    return adjustments.apply(fresh(filing), personas.filer, reason=REASON, **extra)


def _decide(filing, user, grant=True):
    return adjustments.decide(fresh(filing), user, grant=grant, answer="同意随预算调整")


# --- no adjustment without a granted application, by any path ---------------------------


class TestNoAdjustmentWithoutAGrant:
    def test_workflow_refuses_without_an_application(self, personas, approved):
        with pytest.raises(workflow.TransitionRefused, match="调整须先申请"):
            workflow.start_adjustment(fresh(approved), personas.filer)
        assert fresh(approved).status == "approved"
        assert not Transition.objects.filter(filing=approved, action="adjust").exists()

    @pytest.mark.parametrize("outcome", ["pending", "refused", "withdrawn"])
    def test_workflow_refuses_an_application_not_granted(self, personas, approved, outcome):
        _apply(approved, personas)
        if outcome == "refused":
            _decide(approved, personas.finance_reviewer, grant=False)
        elif outcome == "withdrawn":
            adjustments.withdraw(fresh(approved), personas.filer)
        with pytest.raises(workflow.TransitionRefused, match="调整须先申请"):
            workflow.start_adjustment(fresh(approved), personas.filer)
        assert fresh(approved).status == "approved"

    def test_a_granted_application_opens_one_adjustment_only(self, personas, approved):
        _apply(approved, personas)
        _decide(approved, personas.finance_reviewer)
        workflow.start_adjustment(fresh(approved), personas.filer)
        assert fresh(approved).status == "draft"
        request_ = AdjustmentRequest.objects.get(filing=approved)
        assert request_.status == "opened"
        # The adjustment approved again, the used application cannot open a second one.
        do("submit", approved, personas.filer)
        do("approve", approved, personas.department_reviewer)
        do("approve", approved, personas.finance_reviewer)
        with pytest.raises(workflow.TransitionRefused, match="调整须先申请"):
            workflow.start_adjustment(fresh(approved), personas.filer)

    def test_view_refuses_without_a_grant_with_a_message(self, client, personas, approved):
        client.force_login(personas.filer)
        response = client.post(reverse("review:adjust", args=[approved.pk]), follow=True)
        assert response.status_code == 200
        assert "调整须先申请" in response.content.decode()
        assert fresh(approved).status == "approved"

    def test_admin_cannot_open_an_adjustment(self, client, personas, approved):
        # The status is read only in the admin site, and applications cannot be added there.
        client.force_login(personas.admin)
        url = reverse("admin:filings_filing_change", args=[approved.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="status"' not in page.content.decode()
        add = client.get(reverse("admin:review_adjustmentrequest_add"))
        assert add.status_code == 403
        assert fresh(approved).status == "approved"

    def test_the_filing_page_offers_no_adjust_button_before_a_grant(
        self, client, personas, approved
    ):
        client.force_login(personas.filer)
        page = client.get(reverse("filings:detail", args=[approved.pk])).content.decode()
        assert 'data-testid="adjustment-apply"' in page
        assert 'data-testid="adjust-button"' not in page
        # Each step asks for confirmation (static/js/confirm.js).
        form = page[page.rindex("<form", 0, page.index('data-testid="adjustment-apply"')) :]
        assert "data-confirm=" in form[:600]


# --- applying, answering, withdrawing ------------------------------------------------------


class TestApplication:
    def test_filer_applies_approver_grants_filer_opens(
        self, client, personas, approved, django_capture_on_commit_callbacks
    ):
        client.force_login(personas.filer)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("review:adjustment_apply", args=[approved.pk]),
                {"reason": REASON, "budget_adjustment": "闵财预〔2024〕15号"},
                follow=True,
            )
        assert "已提交调整申请" in response.content.decode()
        request_ = AdjustmentRequest.objects.get(filing=approved)
        assert (request_.status, request_.budget_adjustment) == ("pending", "闵财预〔2024〕15号")
        assert request_.approved_version_id == approved.approved_version_id
        told = Notification.objects.get(recipient=personas.finance_reviewer, kind="adjustment")
        assert "申请调整" in told.message

        client.force_login(personas.finance_reviewer)
        queue = client.get(reverse("review:queue")).content.decode()
        listed = queue[queue.index('data-testid="adjustment-requests"') :]
        assert f'data-filing="{approved.pk}"' in listed
        page = client.get(reverse("filings:detail", args=[approved.pk])).content.decode()
        assert 'data-testid="adjustment-grant"' in page and REASON in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("review:adjustment_decide", args=[approved.pk]),
                {"decision": "grant", "answer": "同意，随预算调整"},
            )
        assert AdjustmentRequest.objects.get(pk=request_.pk).status == "granted"
        assert Notification.objects.filter(recipient=personas.filer, kind="adjustment").exists()

        client.force_login(personas.filer)
        page = client.get(reverse("filings:detail", args=[approved.pk])).content.decode()
        assert 'data-testid="adjust-button"' in page
        response = client.post(reverse("review:adjust", args=[approved.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "filings:wizard", args=[approved.pk, "basic"]
        )
        filing = fresh(approved)
        assert filing.status == "draft" and filing.approved_version_id
        # The adjust transition says why.
        assert Transition.objects.get(filing=approved, action="adjust").comment == REASON
        # The application and its answer are on the filing's timeline, for everyone who sees it.
        client.force_login(personas.department_reviewer)
        queue = client.get(reverse("review:queue")).content.decode()
        assert 'data-testid="adjustment-requests"' not in queue  # not the approver
        page = client.get(reverse("filings:detail", args=[approved.pk])).content.decode()
        timeline = page[page.index('data-testid="timeline"') :]
        assert 'data-kind="adjustment_applied"' in timeline and "闵财预〔2024〕15号" in timeline
        assert 'data-kind="adjustment_decided"' in timeline and "同意，随预算调整" in timeline

    def test_an_empty_reason_is_refused_naming_the_field_and_keeps_the_text(
        self, client, personas, approved
    ):
        client.force_login(personas.filer)
        response = client.post(
            reverse("review:adjustment_apply", args=[approved.pk]),
            {"reason": "  ", "budget_adjustment": "闵财预〔2024〕15号"},
            follow=True,
        )
        page = response.content.decode()
        assert "请填写「调整理由」" in page
        assert 'value="闵财预〔2024〕15号"' in page
        assert not AdjustmentRequest.objects.exists()

    def test_a_second_application_waits_for_the_first(self, personas, approved):
        _apply(approved, personas)
        with pytest.raises(workflow.TransitionRefused, match="未办结"):
            _apply(approved, personas)

    def test_refusal_keeps_the_filing_approved_and_tells_the_filer(
        self, personas, approved, django_capture_on_commit_callbacks
    ):
        _apply(approved, personas)
        with django_capture_on_commit_callbacks(execute=True):
            _decide(approved, personas.finance_reviewer, grant=False)
        assert fresh(approved).status == "approved"
        assert AdjustmentRequest.objects.get(filing=approved).status == "refused"
        told = Notification.objects.get(recipient=personas.filer, kind="adjustment")
        assert "未获同意" in told.message
        # A new application may follow.
        _apply(approved, personas)

    def test_filer_withdraws_and_the_approved_version_is_untouched(self, personas, approved):
        official = approved.approved_version
        _apply(approved, personas)
        _decide(approved, personas.finance_reviewer)
        adjustments.withdraw(fresh(approved), personas.filer)
        filing = fresh(approved)
        assert (filing.status, filing.approved_version) == ("approved", official)
        assert AdjustmentRequest.objects.get(filing=approved).status == "withdrawn"

    def test_filer_withdraws_the_open_adjustment_and_gets_the_approved_content_back(
        self, client, personas, approved
    ):
        official = approved.approved_version
        approved_value = Indicator.objects.get(filing=approved, name="培训人数").value
        do("adjust", approved, personas.filer)
        Filing.objects.filter(pk=approved.pk).update(name="调整中的名称")
        Indicator.objects.filter(filing=approved, name="培训人数").update(value="≥99(人)")
        client.force_login(personas.filer)
        page = client.get(reverse("filings:detail", args=[approved.pk])).content.decode()
        assert 'data-testid="adjustment-cancel"' in page
        assert 'data-testid="delete' not in page  # no 删除 that would end in a 403
        response = client.post(reverse("review:adjustment_cancel", args=[approved.pk]), follow=True)
        assert "已撤回调整" in response.content.decode()
        filing = fresh(approved)
        assert (filing.status, filing.approved_version) == ("approved", official)
        assert filing.name == "老龄中心项目"
        assert Indicator.objects.get(filing=approved, name="培训人数").value == approved_value
        assert AdjustmentRequest.objects.get(filing=approved).status == "cancelled"
        assert Transition.objects.filter(filing=approved).last().action == "cancel_adjustment"
        # What the filing holds is exactly what was approved.
        again = export_queryset(Filing.objects.filter(pk=approved.pk)).get()
        assert content_hash({**filing_to_dict(again), "status": "approved"}) == (
            official.content_hash
        )

    def test_a_submitted_adjustment_is_withdrawn_from_review_first(self, personas, approved):
        do("adjust", approved, personas.filer)
        do("submit", approved, personas.filer)
        with pytest.raises(workflow.TransitionRefused, match="请先撤回提交"):
            adjustments.cancel(fresh(approved), personas.filer)

    @pytest.mark.parametrize("role", ["department_reviewer", "filer", "outside_finance_reviewer"])
    def test_only_the_final_approver_decides(self, client, personas, approved, role):
        _apply(approved, personas)
        client.force_login(getattr(personas, role))
        response = client.post(
            reverse("review:adjustment_decide", args=[approved.pk]),
            {"decision": "grant", "answer": "同意"},
        )
        assert response.status_code == (404 if role.startswith("outside") else 403)
        assert AdjustmentRequest.objects.get(filing=approved).status == "pending"

    def test_outside_the_rounds_window_no_application(self, personas, approved, orgs):
        today = timezone.localdate()
        Round.objects.create(
            bureau=orgs.minhang_bureau,
            year=approved.year,
            opens_on=today - datetime.timedelta(days=100),
            deadline=today - datetime.timedelta(days=50),
            adjustments_open_on=today - datetime.timedelta(days=40),
            adjustments_close_on=today - datetime.timedelta(days=10),
        )
        with pytest.raises(workflow.TransitionRefused, match="调整申请期"):
            _apply(approved, personas)

    def test_every_step_is_in_the_audit_log(self, personas, approved):
        _apply(approved, personas)
        _decide(approved, personas.finance_reviewer)
        logged = list(
            AuditEvent.objects.filter(filing_id=approved.pk).values_list("description", flat=True)
        )
        assert any("申请调整" in text for text in logged)
        assert any("同意调整" in text for text in logged)


# --- every official output carries the approved version while an adjustment is open ------


@pytest.fixture
def adjusting(orgs, personas):
    """An approved project under adjustment, renamed in the draft since."""
    filing = imported_filing(orgs.elderly_centre, name="批复时的名称")
    do("adjust", filing, personas.filer)  # applied for, granted, opened
    Filing.objects.filter(pk=filing.pk).update(name="调整中的名称")
    return fresh(filing)


def _job_output(user, organisation, kind, status):
    job = jobs.create_job(user, organisation, 2024, kind, filing_status=status)
    jobs.run_inline(job.pk)
    return jobs.output_file(ExportJob.objects.get(pk=job.pk)).read_bytes()


def _pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _workbook_text(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value
    )


class TestOfficialOutputsDuringAnAdjustment:
    @pytest.mark.parametrize("status", ["approved", ""])
    def test_the_project_bundle_prints_the_approved_version(
        self, personas, orgs, adjusting, status
    ):
        # 已批复 used to drop the project under adjustment, 全部状态 printed its draft.
        content = _job_output(
            personas.finance_reviewer, orgs.civil_affairs, ExportJob.Kind.PROJECT_BUNDLE, status
        )
        text = _pdf_text(content)
        assert "批复时的名称" in text
        assert "调整中的名称" not in text and "非批复文本" not in text

    def test_the_form_workbook_prints_the_approved_version(self, personas, orgs, adjusting):
        content = _job_output(
            personas.finance_reviewer, orgs.civil_affairs, ExportJob.Kind.FORM_WORKBOOK, "approved"
        )
        text = _workbook_text(content)
        assert "批复时的名称" in text and "调整中的名称" not in text

    def test_the_analysts_workbook_keeps_the_approved_rows(self, personas, orgs, adjusting):
        # It used to read the current rows, and left the filing out under 已批复.
        Indicator.objects.filter(filing=adjusting, name="培训人数").update(value="≥50(人)")
        Filing.objects.filter(pk=adjusting.pk).update(annual_total="1")
        content = _job_output(
            personas.finance_reviewer, orgs.civil_affairs, ExportJob.Kind.FLAT_WORKBOOK, "approved"
        )
        book = openpyxl.load_workbook(io.BytesIO(content))
        rows = [[c.value for c in row] for row in book["指标"].iter_rows(min_row=2)]
        mine = [row for row in rows if row[0] == adjusting.pk]
        assert [row[8] for row in mine] == ["培训人数", "服务覆盖率", "服务对象满意度"]
        assert mine[0][4] == "批复时的名称" and mine[0][5] == "已批复（调整中）"
        assert (mine[0][9], mine[0][12]) == ("≥30(人)", 30)
        summary = book["申报"]
        header = [c.value for c in summary[1]]
        (filed,) = [
            r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == adjusting.pk
        ]
        assert filed[header.index("名称")] == "批复时的名称"
        assert filed[header.index("三级指标数")] == 3
        assert filed[header.index("年度资金申请总额")] is None  # 1 in the draft

    def test_bundles_default_to_approved(self, client, personas):
        client.force_login(personas.finance_reviewer)
        page = client.get(reverse("exports:exports")).content.decode()
        assert '<option value="approved" selected>' in page

    def test_adjustment_is_labelled_in_lists_the_queue_and_notifications(
        self, client, personas, approved, django_capture_on_commit_callbacks
    ):
        do("adjust", approved, personas.filer)
        client.force_login(personas.filer)
        for name in ("filings:list", "filings:mine"):
            page = client.get(reverse(name)).content.decode()
            assert 'data-testid="adjustment-label"' in page, name
            # No 删除 offered on it: deleting an adjustment would end in a 403.
            assert reverse("filings:delete", args=[approved.pk]) not in page, name
        with django_capture_on_commit_callbacks(execute=True):
            do("submit", approved, personas.filer)
        client.force_login(personas.department_reviewer)
        queue = client.get(reverse("review:queue")).content.decode()
        row = queue[queue.index(f'data-filing="{approved.pk}"') :]
        assert 'data-testid="adjustment-label"' in row[: row.index("</tr>")]
        review_page = client.get(reverse("review:review", args=[approved.pk])).content.decode()
        assert 'data-testid="adjustment-label"' in review_page
        told = Notification.objects.filter(recipient=personas.department_reviewer, kind="queued")
        assert "（调整）" in told.first().message


# --- the round's window for applications ---------------------------------------------------


def test_the_round_page_sets_the_window_and_refuses_it_reversed(client, personas):
    client.force_login(personas.finance_reviewer)
    data = {
        "year": 2031,
        "title": "年度绩效目标申报",
        "opens_on": "2031-01-01",
        "deadline": "2031-03-31",
        "adjustments_open_on": "2031-09-30",
        "adjustments_close_on": "2031-07-01",
    }
    page = client.post(reverse("review:rounds"), data).content.decode()
    assert "调整申请截止日期：调整申请截止日期不能早于调整申请开始日期。" in page
    assert not Round.objects.filter(year=2031).exists()
    data["adjustments_close_on"] = "2031-10-31"
    client.post(reverse("review:rounds"), data)
    round_ = Round.objects.get(year=2031)
    assert (round_.adjustments_open_on, round_.adjustments_close_on) == (
        datetime.date(2031, 9, 30),
        datetime.date(2031, 10, 31),
    )
    listing = client.get(reverse("review:rounds")).content.decode()
    assert "2031-09-30 至 2031-10-31" in listing
