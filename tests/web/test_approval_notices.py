"""批复 (88号 第二十七条): issued per organisation and year by whoever approves finally."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from filings.models import Filing
from review import notices
from review.models import ApprovalNotice, Notification
from tests.factories import YEAR, bring_to, do, fresh, overall_filing, ready_filing
from tests.helpers.pdf import norm, page_texts


@pytest.fixture
def unit_overall(orgs, personas):
    """The unit's 单位整体 filing, approved finally by its department (88号 default)."""
    filing = overall_filing(orgs.elderly_centre, Filing.Form.UNIT, name="老龄中心单位整体")
    bring_to("approved", filing, personas.filer, personas)
    return fresh(filing)


@pytest.fixture
def project(orgs, personas):
    """The unit's 一级 project, approved finally by the bureau."""
    filing = ready_filing(orgs.elderly_centre, name="老年助餐项目")
    bring_to("approved", filing, personas.filer, personas)
    return fresh(filing)


def _issue_url(org):
    return reverse("review:approval_issue", args=[org.pk, YEAR])


def _page_url(org):
    return reverse("review:approval_page", args=[org.pk, YEAR])


def _issue(client, user, org):
    client.force_login(user)
    return client.post(_issue_url(org), follow=True)


class TestIssuing:
    def test_department_issues_what_it_approved_and_the_filers_are_told(
        self, client, personas, orgs, unit_overall, project, django_capture_on_commit_callbacks
    ):
        personas.filer.email = "filer@example.cn"
        personas.filer.save()
        client.force_login(personas.department_reviewer)
        page = client.get(_page_url(orgs.elderly_centre)).content.decode()
        assert "老龄中心单位整体" in page and "老年助餐项目" not in page  # the bureau's
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_issue_url(orgs.elderly_centre), follow=True)
        notice = ApprovalNotice.objects.get()
        assert notice.number == "上海市闵行区民政局绩批〔2024〕1号"
        assert notice.number in response.content.decode()
        (item,) = notice.items.all()
        assert (item.filing_id, item.version_id) == (
            unit_overall.pk,
            unit_overall.approved_version_id,
        )
        assert (item.grade, item.approver_stage, item.approver_name) == (
            "优",
            "department",
            "上海市闵行区民政局",
        )
        told = Notification.objects.get(recipient=personas.filer, kind="approval_notice")
        assert notice.number in told.message
        assert any(notice.number in message.body for message in mail.outbox)
        assert AuditEvent.objects.filter(
            filing_id=unit_overall.pk, description__contains=notice.number
        ).exists()
        # Nothing left for the department: a second click issues nothing and says so.
        response = _issue(client, personas.department_reviewer, orgs.elderly_centre)
        assert "没有待您批复的申报" in response.content.decode()
        assert ApprovalNotice.objects.count() == 1

    def test_numbers_are_per_issuer_and_year_unique_and_consecutive(
        self, client, personas, orgs, unit_overall, project
    ):
        _issue(client, personas.department_reviewer, orgs.elderly_centre)
        _issue(client, personas.finance_reviewer, orgs.elderly_centre)
        second = ready_filing(orgs.elderly_centre, name="第二个项目")
        bring_to("approved", second, personas.filer, personas)
        _issue(client, personas.finance_reviewer, orgs.elderly_centre)
        numbers = list(ApprovalNotice.objects.order_by("pk").values_list("number", flat=True))
        assert numbers == [
            "上海市闵行区民政局绩批〔2024〕1号",
            "闵行区财政局绩批〔2024〕1号",
            "闵行区财政局绩批〔2024〕2号",
        ]
        bureau = ApprovalNotice.objects.filter(issuer=orgs.minhang_bureau).order_by("pk")
        assert [n.items.get().filing.name for n in bureau] == ["老年助餐项目", "第二个项目"]

    def test_the_filer_downloads_the_pdf_from_the_filing_page(
        self, client, personas, orgs, unit_overall
    ):
        _issue(client, personas.department_reviewer, orgs.elderly_centre)
        notice = ApprovalNotice.objects.get()
        client.force_login(personas.filer)
        page = client.get(reverse("filings:detail", args=[unit_overall.pk])).content.decode()
        link = reverse("review:notice_pdf", args=[notice.pk])
        assert link in page and notice.number in page
        response = client.get(link)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        texts = page_texts(response.content)
        cover = norm(texts[0])
        version = unit_overall.approved_version
        assert norm(notice.number) in cover and "老龄中心单位整体" in cover
        assert "优" in cover and "第1版" in cover and version.content_hash[:16] in cover
        assert "上海市闵行区民政局" in cover
        # Behind the cover, the approved form as the bundles print it, with its hash.
        behind = norm("".join(texts[1:]))
        assert "单位整体支出绩效目标申报表" in behind and version.short_hash in behind


class TestWhoMayIssue:
    def test_outsider_gets_404(self, client, personas, orgs, unit_overall):
        client.force_login(personas.outside_finance_reviewer)
        assert client.get(_page_url(orgs.elderly_centre)).status_code == 404
        assert client.post(_issue_url(orgs.elderly_centre)).status_code == 404
        assert not ApprovalNotice.objects.exists()

    def test_wrong_role_gets_403(self, client, personas, orgs, unit_overall):
        for user in (personas.filer, personas.admin):
            client.force_login(user)
            assert client.post(_issue_url(orgs.elderly_centre)).status_code == 403
            assert client.get(_page_url(orgs.elderly_centre)).status_code == 403
        assert not ApprovalNotice.objects.exists()

    def test_get_on_issue_is_405(self, client, personas, orgs, unit_overall):
        client.force_login(personas.department_reviewer)
        assert client.get(_issue_url(orgs.elderly_centre)).status_code == 405
        assert not ApprovalNotice.objects.exists()

    def test_a_reviewer_issues_only_what_they_approve_finally(
        self, client, personas, orgs, project
    ):
        # The bureau approves the 一级 project: the department has nothing to issue.
        _issue(client, personas.department_reviewer, orgs.elderly_centre)
        assert not ApprovalNotice.objects.exists()

    def test_outsider_cannot_download_the_pdf(self, client, personas, orgs, unit_overall):
        _issue(client, personas.department_reviewer, orgs.elderly_centre)
        notice = ApprovalNotice.objects.get()
        client.force_login(personas.outsider)
        assert client.get(reverse("review:notice_pdf", args=[notice.pk])).status_code == 404


class TestAdjustments:
    def test_a_filing_under_adjustment_is_listed_in_its_approved_version(
        self, client, personas, orgs, project
    ):
        approved = project.approved_version
        do("adjust", project, personas.filer)
        Filing.objects.filter(pk=project.pk).update(name="调整中的名称")
        _issue(client, personas.finance_reviewer, orgs.elderly_centre)
        item = ApprovalNotice.objects.get().items.get()
        assert item.version_id == approved.pk and not item.adjusted
        pdf = client.get(reverse("review:notice_pdf", args=[item.notice_id])).content
        text = norm("".join(page_texts(pdf)))
        assert "老年助餐项目" in text and "调整中的名称" not in text

    def test_an_approved_adjustment_gets_a_new_notice_labelled_adjusted(
        self, client, personas, orgs, project
    ):
        _issue(client, personas.finance_reviewer, orgs.elderly_centre)
        do("adjust", project, personas.filer)
        # Listed already in its approved version: nothing new while it is adjusted.
        assert notices.awaiting(personas.finance_reviewer, orgs.elderly_centre, YEAR) == []
        do("submit", project, personas.filer)
        do("approve", project, personas.department_reviewer)
        do("approve", project, personas.finance_reviewer)
        client.force_login(personas.finance_reviewer)
        page = client.get(_page_url(orgs.elderly_centre)).content.decode()
        assert 'data-testid="adjusted"' in page
        _issue(client, personas.finance_reviewer, orgs.elderly_centre)
        first, second = ApprovalNotice.objects.order_by("pk")
        item = second.items.get()
        assert item.adjusted and item.version_id == fresh(project).approved_version_id
        assert first.items.get().version.number < item.version.number
        cover = norm(
            page_texts(client.get(reverse("review:notice_pdf", args=[second.pk])).content)[0]
        )
        assert "（调整）" in cover


class TestExportCommand:
    def test_writes_the_latest_notice(self, client, personas, orgs, unit_overall, tmp_path):
        out = tmp_path / "批复.pdf"
        args = ["--org", orgs.elderly_centre.name, "--year", str(YEAR), "--approval"]
        with pytest.raises(CommandError, match="还没有签发绩效目标批复"):
            call_command("export_pdf", *args, "-o", str(out), stderr=io.StringIO())
        assert not out.exists()
        _issue(client, personas.department_reviewer, orgs.elderly_centre)
        call_command("export_pdf", *args, "-o", str(out), stderr=io.StringIO())
        cover = norm(page_texts(out.read_bytes())[0])
        assert norm(ApprovalNotice.objects.get().number) in cover and "老龄中心单位整体" in cover


def test_the_round_page_and_the_menu_lead_to_the_approvals(client, personas):
    client.force_login(personas.finance_reviewer)
    page = client.get(reverse("review:rounds")).content.decode()
    assert 'data-testid="round-approvals"' in page and reverse("review:approvals") in page
    assert 'data-testid="nav-approvals"' in page
    client.force_login(personas.filer)
    page = client.get(reverse("filings:mine")).content.decode()
    assert 'data-testid="nav-approvals"' not in page


@pytest.mark.parametrize("year", [0, 1999, 2101, 2**70])
def test_a_year_no_filing_can_have_is_a_404_page_in_chinese(client, personas, orgs, year):
    # It was an empty 批复 page of that year (and a POST would look for filings in it).
    client.force_login(personas.department_reviewer)
    for name, method in (
        ("review:approval_page", client.get),
        ("review:approval_issue", client.post),
    ):
        response = method(reverse(name, args=[orgs.elderly_centre.pk, year]))
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode()
    assert not ApprovalNotice.objects.exists()
