"""Approved means frozen, in the app and in the admin site; what deleting a filing takes along."""

import pytest
from django.contrib.auth.models import Permission
from django.db.models import RestrictedError
from django.urls import reverse

from audit.models import AuditEvent
from filings import access
from filings.editing import StaleEdit, claim
from filings.models import Filing, FilingVersion, VersionFinding
from review import workflow
from review.models import Comment, Review, Transition
from tests.factories import bring_to, do, ready_filing
from tests.factories import fresh as _fresh
from tests.helpers.project import APPS


@pytest.fixture
def draft(orgs):
    return ready_filing(orgs.elderly_centre, name="老龄中心项目")


# --- approved means frozen: the app and the admin site --------------------------------


@pytest.fixture
def approved(personas, draft):
    return bring_to("approved", draft, personas.filer, personas)


def test_an_approved_filing_cannot_be_edited_in_the_app(client, personas, approved):
    client.force_login(personas.filer)
    for url in (
        reverse("filings:wizard", args=[approved.pk, "basic"]),
        reverse("indicators:editor_page", args=[approved.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("filings:wizard", args=[approved.pk, "basic"]),
        {"lock_version": _fresh(approved).lock_version, "name": "改名"},
    )
    assert response.status_code == 403
    with pytest.raises(StaleEdit):
        claim(approved, _fresh(approved).lock_version)
    assert _fresh(approved).name == "老龄中心项目"
    page = client.get(reverse("filings:detail", args=[approved.pk])).content.decode()
    assert reverse("filings:wizard", args=[approved.pk, "basic"]) not in page


def test_an_approved_filing_is_read_only_in_the_admin_for_superusers(client, personas, approved):
    client.force_login(personas.admin)
    url = reverse("admin:filings_filing_change", args=[approved.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' not in page
    assert 'name="status"' not in page
    assert "indicators-0-value" not in page  # the rows are read-only too
    assert "老龄中心项目" in page
    response = client.post(url, {"name": "管理员改名", "form": "project", "year": 2024})
    assert response.status_code == 403
    assert _fresh(approved).name == "老龄中心项目"
    row = approved.indicators.first()
    row_url = reverse("admin:indicators_indicator_change", args=[row.pk])
    assert 'name="value"' not in client.get(row_url).content.decode()
    delete = reverse("admin:filings_filing_delete", args=[approved.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Filing.objects.filter(pk=approved.pk).exists()


def test_a_draft_edited_in_the_admin_keeps_its_status_and_outdates_open_pages(
    client, personas, draft
):
    client.force_login(personas.admin)
    url = reverse("admin:filings_filing_change", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' in page
    assert 'name="status"' not in page
    # The filer submits while the admin's form is open.
    do("submit", draft, personas.filer)
    response = client.post(url, {"name": "管理员改名"})
    assert response.status_code == 403
    assert (_fresh(draft).name, _fresh(draft).status) == ("老龄中心项目", "department_review")


def test_a_staff_reviewer_sees_only_the_filings_the_app_lets_them_see(client, personas, orgs):
    mine = ready_filing(orgs.elderly_centre, name="本局项目")
    theirs = ready_filing(orgs.disabled_federation, name="外局项目")
    reviewer = personas.finance_reviewer
    reviewer.is_staff = True
    reviewer.save()
    reviewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=APPS,
            codename__startswith="view_",
        )
    )
    client.force_login(reviewer)
    listing = client.get(reverse("admin:filings_filing_changelist")).content.decode()
    assert "本局项目" in listing and "外局项目" not in listing
    assert client.get(reverse("admin:filings_filing_change", args=[theirs.pk])).status_code == 302
    assert client.get(reverse("admin:filings_filing_change", args=[mine.pk])).status_code == 200
    rows = client.get(reverse("admin:indicators_indicator_changelist")).content.decode()
    assert "本局项目" in rows and "外局项目" not in rows


@pytest.mark.parametrize("model", [Transition, FilingVersion, Review, Comment, VersionFinding])
def test_the_review_log_is_read_only_in_the_admin(client, personas, approved, model):
    Comment.objects.create(filing=approved, body="意见")
    version = approved.versions.first()
    VersionFinding.objects.create(version=version, code="VALUES_X", severity="warning", count=1)
    client.force_login(personas.admin)
    opts = model._meta
    obj = model.objects.first()
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {}).status_code == 403


# --- history and deletion -------------------------------------------------------------


def test_a_withdrawn_draft_is_not_deleted_and_keeps_its_history(client, personas, draft):
    do("submit", draft, personas.filer)
    Comment.objects.create(filing=draft, body="请补充满意度调查方式。")
    do("withdraw", draft, personas.filer)
    client.force_login(personas.filer)
    mine = client.get(reverse("filings:mine")).content.decode()
    assert reverse("filings:delete", args=[draft.pk]) not in mine  # not even offered
    response = client.post(reverse("filings:delete", args=[draft.pk]))
    assert response.status_code == 403
    assert "不能删除" in response.content.decode()
    assert Filing.objects.filter(pk=draft.pk).exists()
    assert Transition.objects.filter(filing_id=draft.pk).count() == 2
    assert FilingVersion.objects.filter(filing_id=draft.pk).exists()
    assert Comment.objects.filter(filing_id=draft.pk).exists()


def test_a_returned_filing_resubmitted_and_withdrawn_keeps_its_decided_sheet(
    client, personas, draft
):
    bring_to("returned", draft, personas.filer, personas)
    do("submit", draft, personas.filer)
    do("withdraw", draft, personas.filer)
    assert _fresh(draft).status == "draft"
    client.force_login(personas.filer)
    assert client.post(reverse("filings:delete", args=[draft.pk])).status_code == 403
    assert Review.objects.filter(filing_id=draft.pk, decided_at__isnull=False).exists()


def test_a_never_submitted_draft_is_deleted_and_the_deletion_audited(client, personas, draft):
    client.force_login(personas.filer)
    mine = client.get(reverse("filings:mine")).content.decode()
    assert reverse("filings:delete", args=[draft.pk]) in mine
    response = client.post(reverse("filings:delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not Filing.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert (event.user, event.filing_id) == (personas.filer, draft.pk)
    assert "老龄中心项目" in event.description


def test_the_admin_site_deletes_only_a_never_submitted_draft_and_audits_it(
    client, personas, orgs, draft
):
    fresh = ready_filing(orgs.elderly_centre, name="从未提交的草稿")
    do("submit", draft, personas.filer)
    do("withdraw", draft, personas.filer)
    client.force_login(personas.admin)
    delete = reverse("admin:filings_filing_delete", args=[draft.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:filings_filing_changelist")
    selected = {"action": "delete_selected", "post": "yes", "_selected_action": [draft.pk]}
    assert client.post(changelist, selected).status_code == 403
    assert Filing.objects.filter(pk=draft.pk).exists()
    response = client.post(reverse("admin:filings_filing_delete", args=[fresh.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Filing.objects.filter(pk=fresh.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert (event.user, event.filing_id) == (personas.admin, fresh.pk)


def test_deleting_several_drafts_in_the_admin_audits_each(client, personas, orgs):
    drafts = [ready_filing(orgs.elderly_centre, name=f"草稿{n}") for n in (1, 2)]
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:filings_filing_changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [d.pk for d in drafts]},
    )
    assert response.status_code == 302
    assert not Filing.objects.filter(pk__in=[d.pk for d in drafts]).exists()
    deleted = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE)
    assert sorted(deleted.values_list("filing_id", flat=True)) == sorted(d.pk for d in drafts)


def test_a_draft_submitted_after_the_page_was_opened_is_not_deleted(personas, draft):
    page = _fresh(draft)  # the filer's page: never submitted when it was opened
    assert access.DELETE in access.actions_for(personas.filer, page)
    do("submit", draft, personas.filer)
    do("withdraw", draft, personas.filer)
    with pytest.raises(workflow.TransitionRefused):
        workflow.delete_draft(page, personas.filer)
    assert Filing.objects.filter(pk=draft.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()


def test_an_adjustment_cannot_be_deleted_while_its_approval_is_official(client, personas, draft):
    bring_to("approved", draft, personas.filer, personas)
    do("adjust", draft, personas.filer)
    assert access.DELETE not in access.actions_for(personas.filer, _fresh(draft))
    client.force_login(personas.filer)
    assert client.post(reverse("filings:delete", args=[draft.pk])).status_code == 403
    assert Filing.objects.filter(pk=draft.pk).exists()


def test_a_version_cannot_be_deleted_on_its_own(personas, draft):
    version = do("submit", draft, personas.filer)
    with pytest.raises(RestrictedError):
        version.delete()
