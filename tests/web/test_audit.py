"""The audit log: every recorded action gives one event with who, when, from where and what;
events survive their user; no one edits or deletes them; admins alone read them."""

import datetime
import io
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from audit import log
from audit.models import AuditEvent, AuditEventIsFinal
from exports import jobs
from exports.models import ExportJob
from filings.models import Filing
from review.models import Transition
from tests.conftest import PASSWORD, make_filing
from tests.factories import ready_filing, take_version
from tests.helpers.excel import export, rich_project, saved, workbook

Action = AuditEvent.Action
IP = "10.20.30.40"
AGENT = "Mozilla/5.0 (审计测试浏览器)"
# Where the test client's requests come from.
WHERE = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def filings(filings):
    # The centre's filing submitted once: its department, whose reviewer downloads and is
    # refused here, sees a unit's filing only from then on.
    take_version(filings["centre"])
    return filings


def only(action, **filters):
    """The one event of ``action`` (fails when there are none or several)."""
    events = list(AuditEvent.objects.filter(action=action, **filters))
    assert len(events) == 1, [(e.action, e.description) for e in events]
    return events[0]


def assert_recorded(event, user, *, ip=IP):
    assert event.user == user
    assert event.username == user.username
    assert event.user_display == (user.get_full_name() or user.username)
    assert event.ip == ip
    assert abs(timezone.now() - event.created_at) < datetime.timedelta(minutes=1)


def _login(client, user):
    client.force_login(user)
    # force_login sends user_logged_in too (without an address): not what is tested here.
    AuditEvent.objects.filter(action=Action.LOGIN, ip__isnull=True).delete()


# --- Logins -------------------------------------------------------------------------------


def test_login_is_recorded_with_address_and_browser(client, personas):
    response = client.post(reverse("login"), {"username": "filer", "password": PASSWORD}, **WHERE)
    assert response.status_code == 302
    event = only(Action.LOGIN)
    assert_recorded(event, personas.filer)
    assert event.user_agent == AGENT
    assert event.path == reverse("login")
    # Filtered by organisation, a unit's logins are found with the rest of what it did.
    assert event.organisation_id == personas.filer.organisation_id


def test_failed_login_keeps_the_username_tried_never_the_password(client, personas):
    wrong = "Wrong-Password-7781"
    response = client.post(reverse("login"), {"username": "filer", "password": wrong}, **WHERE)
    assert response.status_code == 200
    event = only(Action.LOGIN_FAILED)
    assert (event.username, event.user, event.ip) == ("filer", None, IP)
    assert "filer" in event.description
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert wrong not in repr(row)
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_failed_login_of_an_unknown_username_is_recorded_too(client, db):
    client.post(reverse("login"), {"username": "nobody", "password": "x"}, **WHERE)
    assert only(Action.LOGIN_FAILED).username == "nobody"


def test_logout_is_recorded(client, personas):
    _login(client, personas.finance_reviewer)
    assert client.post(reverse("logout"), **WHERE).status_code == 302
    assert_recorded(only(Action.LOGOUT), personas.finance_reviewer)


def test_the_address_comes_from_the_proxy_header_only_when_settings_trust_it(
    client, personas, settings
):
    forwarded = {**WHERE, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    client.post(reverse("login"), {"username": "filer", "password": "x"}, **forwarded)
    assert only(Action.LOGIN_FAILED).ip == IP  # anyone can write the header: ignored
    AuditEvent.objects.all().delete()

    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    client.post(reverse("login"), {"username": "filer", "password": "x"}, **forwarded)
    # The last address is the one our proxy added; the others are the client's word.
    assert only(Action.LOGIN_FAILED).ip == "203.0.113.9"


# --- Downloads, exports, 导入Excel ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension"), [("exports:export_pdf", ".pdf"), ("exports:export_excel", ".xlsx")]
)
def test_a_download_is_recorded(client, personas, filings, name, extension):
    filing = filings["centre"]
    _login(client, personas.department_reviewer)
    response = client.get(reverse(name, args=[filing.pk]), **WHERE)
    assert response.status_code == 200
    event = only(Action.DOWNLOAD)
    assert_recorded(event, personas.department_reviewer)
    assert (event.filing_id, event.organisation_id) == (filing.pk, filing.organisation_id)
    assert "老龄中心项目" in event.description and event.description.endswith(extension)


def test_starting_an_export_and_downloading_it_are_recorded(client, personas, orgs, filings):
    _login(client, personas.department_reviewer)
    response = client.post(
        reverse("exports:export_start"),
        {"organisation": orgs.civil_affairs.pk, "year": 2024, "kind": "pdf_zip"},
        **WHERE,
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    started = only(Action.EXPORT)
    assert_recorded(started, personas.department_reviewer)
    assert started.organisation_id == orgs.civil_affairs.pk
    assert started.details["job"] == str(job.pk)
    assert "上海市闵行区民政局" in started.description and "共 2 份" in started.description

    jobs.run_inline(job.pk)
    download = client.get(reverse("exports:export_download", args=[job.pk]), **WHERE)
    assert download.status_code == 200
    b"".join(download.streaming_content)
    event = only(Action.DOWNLOAD)
    assert_recorded(event, personas.department_reviewer)
    assert event.details["job"] == str(job.pk)


def test_a_refused_export_records_nothing_but_the_refusal_reason_on_the_page(
    client, personas, orgs, filings
):
    _login(client, personas.department_reviewer)
    response = client.post(
        reverse("exports:export_start"),
        {"organisation": orgs.civil_affairs.pk, "year": 2024, "kind": "pdf_zip", "form": "unit"},
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.exists()


def test_an_excel_import_is_recorded_when_confirmed(client, personas, orgs):
    draft = rich_project(orgs.elderly_centre)
    _login(client, personas.filer)
    url = reverse("importers:upload_excel", args=[draft.pk])
    upload = SimpleUploadedFile("申报.xlsx", saved(workbook(export(draft))), content_type=XLSX)
    preview = client.post(url, {"file": upload}, **WHERE)
    assert preview.status_code == 200
    assert not AuditEvent.objects.exists()  # a preview changes nothing

    confirm = reverse("importers:upload_excel_confirm", args=[draft.pk])
    assert client.post(confirm, {"payload": preview.context["payload"]}, **WHERE).status_code == 302
    event = only(Action.IMPORT_EXCEL)
    assert_recorded(event, personas.filer)
    assert event.filing_id == draft.pk and "申报.xlsx" in event.description


# --- Refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "user"),
    [
        # filing_access refuses (the reviewer may see the draft, not edit it)…
        ("importers:upload_excel", "department_reviewer"),
        # …or the view itself does (the filer may see the filing, not review it).
        ("review:review", "filer"),
    ],
)
def test_a_403_on_a_filing_is_recorded_once_with_the_filing(client, personas, filings, name, user):
    filing = filings["centre"]
    user = getattr(personas, user)
    _login(client, user)
    response = client.get(reverse(name, args=[filing.pk]), **WHERE)
    assert response.status_code == 403
    event = only(Action.DENIED)
    assert_recorded(event, user)
    assert event.filing_id == filing.pk and event.organisation_id == filing.organisation_id
    assert event.details == {"status": 403}
    assert event.path == reverse(name, args=[filing.pk])
    assert "老龄中心项目" in event.description


def test_an_outsider_asking_for_a_filing_is_recorded_a_wrong_id_is_not(client, personas, filings):
    _login(client, personas.outsider)
    response = client.get(reverse("filings:detail", args=[filings["centre"].pk]), **WHERE)
    assert response.status_code == 404
    event = only(Action.DENIED)
    assert_recorded(event, personas.outsider)
    assert (event.filing_id, event.details) == (filings["centre"].pk, {"status": 404})

    missing = Filing.objects.order_by("-pk").first().pk + 100
    assert client.get(reverse("filings:detail", args=[missing])).status_code == 404
    assert AuditEvent.objects.count() == 1


def test_refusals_outside_filing_access_are_recorded_by_the_403_handler(client, personas):
    _login(client, personas.filer)
    assert client.get(reverse("review:dashboard"), **WHERE).status_code == 403
    assert_recorded(only(Action.DENIED), personas.filer)


def test_a_refusal_the_editor_answers_as_json_is_recorded(client, personas, filings):
    # The editor's script gets its refusals as JSON: no 403 page, still a refusal.
    _login(client, personas.department_reviewer)
    response = client.post(
        reverse("indicators:save_rows", args=[filings["centre"].pk]),
        "{}",
        content_type="application/json",
        **WHERE,
    )
    assert response.status_code == 403
    assert_recorded(only(Action.DENIED), personas.department_reviewer)


# --- Transitions ---------------------------------------------------------------------


def test_a_transition_is_recorded_with_it(client, personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="可提交项目")
    _login(client, personas.filer)
    response = client.post(
        reverse("review:submit", args=[filing.pk]), {"lock_version": filing.lock_version}, **WHERE
    )
    assert response.status_code == 302
    transition = Transition.objects.get(filing=filing)
    event = only(Action.TRANSITION)
    assert_recorded(event, personas.filer)
    assert event.filing_id == filing.pk
    assert event.details == {
        "transition": transition.pk,
        "from": "draft",
        "to": "department_review",
    }
    assert "可提交项目" in event.description and "待主管部门审核" in event.description


def test_a_refused_transition_records_nothing(client, personas, filings):
    filing = filings["centre"]  # the checker finds errors in it: submission refused
    _login(client, personas.filer)
    client.post(reverse("review:submit", args=[filing.pk]), {"lock_version": filing.lock_version})
    assert Filing.objects.get(pk=filing.pk).status == "draft"
    assert not AuditEvent.objects.filter(action=Action.TRANSITION).exists()


def test_no_transition_without_its_audit_row(client, personas, orgs, monkeypatch):
    # The fault: the audit INSERT fails. Record or refuse: the submission is undone.
    filing = ready_filing(orgs.elderly_centre)
    _login(client, personas.filer)
    monkeypatch.setattr(log.AuditEvent.objects, "create", _failing_insert)
    client.raise_request_exception = False
    response = client.post(
        reverse("review:submit", args=[filing.pk]), {"lock_version": filing.lock_version}
    )
    assert response.status_code == 500
    assert Filing.objects.get(pk=filing.pk).status == "draft"
    assert not Transition.objects.filter(filing=filing).exists()


def _failing_insert(**fields):
    raise DatabaseError("audit table unavailable")


# --- Admin changes -------------------------------------------------------------------


def test_admin_add_change_and_delete_are_recorded(client, personas, orgs):
    _login(client, personas.admin)
    add = reverse("admin:accounts_organisation_add")
    data = {"name": "新建的财政局", "level": "bureau", "parent": "", "code": ""}
    assert client.post(add, data, **WHERE).status_code == 302
    created = Organisation.objects.get(name="新建的财政局")
    change = reverse("admin:accounts_organisation_change", args=[created.pk])
    assert client.post(change, {**data, "name": "改名的财政局"}, **WHERE).status_code == 302
    delete = reverse("admin:accounts_organisation_delete", args=[created.pk])
    assert client.post(delete, {"post": "yes"}, **WHERE).status_code == 302

    events = list(AuditEvent.objects.filter(action=Action.ADMIN).order_by("pk"))
    assert [event.description[:2] for event in events] == ["新增", "修改", "删除"]
    for event in events:
        assert_recorded(event, personas.admin)
        assert event.details["model"] == "accounts.organisation"
        assert event.details["object_id"] == str(created.pk)
    assert "改名的财政局" in events[2].description


def test_deleting_several_objects_in_the_admin_records_each(client, personas, orgs):
    extra = [Organisation.objects.create(name=f"待删除{n}", level="bureau") for n in (1, 2)]
    _login(client, personas.admin)
    response = client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in extra], "post": "yes"},
        **WHERE,
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk__in=[o.pk for o in extra]).exists()
    events = AuditEvent.objects.filter(action=Action.ADMIN)
    assert sorted(event.description for event in events) == [
        "删除组织「待删除1」",
        "删除组织「待删除2」",
    ]
    assert {event.ip for event in events} == {IP}


def test_no_admin_change_without_its_audit_row(client, personas, orgs, monkeypatch):
    _login(client, personas.admin)
    monkeypatch.setattr(log.AuditEvent.objects, "create", _failing_insert)
    client.raise_request_exception = False
    change = reverse("admin:accounts_organisation_change", args=[orgs.city_bureau.pk])
    data = {"name": "不该保存的名字", "level": "bureau", "parent": "", "code": ""}
    assert client.post(change, data).status_code == 500
    assert Organisation.objects.get(pk=orgs.city_bureau.pk).name == "上海市财政局"
    assert not LogEntry.objects.exists()


# --- Never edited, kept when the user goes --------------------------------------------


def _some_events(user, count, **fields):
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            user=user,
            username=user.username if user else "",
            user_display=user.username if user else "",
            action=fields.get("action", Action.LOGIN),
            description=fields.get("description", f"事件{n}"),
            organisation_id=fields.get("organisation_id"),
            created_at=fields.get("created_at", timezone.now()),
            ip="192.0.2.1",
        )
        for n in range(count)
    )


def test_events_survive_deleting_their_user(client, personas):
    leaving = User.objects.create_user("leaving", password=PASSWORD, first_name="将离职")
    client.post(reverse("login"), {"username": "leaving", "password": PASSWORD}, **WHERE)
    leaving.delete()
    event = only(Action.LOGIN)
    assert (event.user, event.username, event.user_display, event.ip) == (
        None,
        "leaving",
        "将离职",
        IP,
    )
    _login(client, personas.admin)
    page = client.get(reverse("audit:log")).content.decode()
    assert "将离职" in page and "账号已删除" in page


def test_an_event_cannot_be_saved_again_or_deleted(personas):
    event = log.record(Action.LOGIN, user=personas.filer, description="登录成功")
    event.description = "改过的"
    with pytest.raises(AuditEventIsFinal):
        event.save()
    with pytest.raises(AuditEventIsFinal):
        event.delete()
    # A new instance with an existing key would UPDATE that row: refused too.
    copy = AuditEvent(pk=event.pk, action=Action.LOGOUT)
    with pytest.raises(AuditEventIsFinal):
        copy.save()
    assert AuditEvent.objects.get(pk=event.pk).description == "登录成功"


def test_the_admin_site_shows_events_read_only_even_to_superusers(client, personas):
    event = log.record(Action.LOGOUT, user=personas.filer, description="退出登录")
    _login(client, personas.admin)
    changelist = client.get(reverse("admin:audit_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "action-select" not in changelist.content.decode()  # no 删除所选
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"description": "改过的"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).description == "退出登录"


def test_the_admin_pages_of_the_audit_log_keep_their_old_addresses(client, personas):
    # Bookmarked when the audit log was part of the filings app: a permanent redirect.
    event = log.record(Action.LOGOUT, user=personas.filer, description="退出登录")
    _login(client, personas.admin)
    old_list = client.get("/admin/filings/auditevent/", {"action": "logout"})
    assert old_list.status_code == 301
    assert old_list["Location"] == reverse("admin:audit_auditevent_changelist") + "?action=logout"
    old_change = client.get(f"/admin/filings/auditevent/{event.pk}/change/", follow=True)
    assert old_change.redirect_chain == [
        (reverse("admin:audit_auditevent_change", args=[event.pk]), 301)
    ]
    assert "退出登录" in old_change.content.decode()


def test_prune_keeps_six_months_at_least_and_records_itself(personas):
    old = timezone.now() - datetime.timedelta(days=400)
    _some_events(personas.filer, 3, created_at=old)
    _some_events(personas.filer, 2)
    with pytest.raises(CommandError):
        call_command("prune_audit", "--older-than-days", "90")
    assert AuditEvent.objects.count() == 5
    call_command("prune_audit", "--older-than-days", "365", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action=Action.LOGIN).count() == 2
    assert only(Action.PRUNE).details["deleted"] == 3


# --- The page ------------------------------------------------------------------------


def test_only_admins_open_the_page(client, personas):
    url = reverse("audit:log")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (
        personas.filer,
        personas.department_reviewer,
        personas.finance_reviewer,
        personas.outsider,
    ):
        _login(client, user)
        response = client.get(url)
        assert response.status_code == 403
        assert "只有管理员可以查看审计日志" in response.content.decode()
        assert only(Action.DENIED, user=user).path == url  # trying is recorded
    _login(client, personas.admin)
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="nav-audit"' in page.content.decode()


def test_the_nav_links_the_page_for_admins_only(client, personas):
    _login(client, personas.finance_reviewer)
    assert 'data-testid="nav-audit"' not in client.get(reverse("filings:list")).content.decode()


def test_the_page_lists_newest_first_and_filters(client, personas, orgs):
    day = datetime.timedelta(days=1)
    now = timezone.now()
    _some_events(
        personas.filer,
        1,
        description="老龄中心下载",
        created_at=now - 10 * day,
        action=Action.DOWNLOAD,
        organisation_id=orgs.elderly_centre.pk,
    )
    _some_events(
        personas.outsider,
        1,
        description="残联被拒",
        created_at=now - day,
        action=Action.DENIED,
        organisation_id=orgs.disabled_federation.pk,
    )
    _some_events(personas.department_reviewer, 1, description="民政局登录", created_at=now)
    _login(client, personas.admin)

    def rows(**query):
        response = client.get(reverse("audit:log"), query)
        assert response.status_code == 200
        return [event.description for event in response.context["page"]]

    assert rows() == ["民政局登录", "残联被拒", "老龄中心下载"]
    assert rows(action="denied") == ["残联被拒"]
    assert rows(user="outs") == ["残联被拒"]
    assert rows(organisation=orgs.elderly_centre.pk) == ["老龄中心下载"]
    assert rows(q="登录") == ["民政局登录"]
    today = timezone.localdate()
    assert rows(date_from=str(today - 2 * day)) == ["民政局登录", "残联被拒"]
    assert rows(date_to=str(today - 2 * day)) == ["老龄中心下载"]
    assert rows(date_from=str(today - day), date_to=str(today - day)) == ["残联被拒"]


def test_bad_filter_input_gets_a_chinese_message_naming_the_field(client, personas):
    _login(client, personas.admin)
    response = client.get(reverse("audit:log"), {"date_from": "2026-13-45"})
    assert response.status_code == 200
    assert "开始日期：不是有效的日期" in response.content.decode()
    response = client.get(
        reverse("audit:log"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert "结束日期：不能早于「开始日期」" in response.content.decode()


def test_the_page_costs_the_same_queries_at_any_size(client, personas, orgs):
    _login(client, personas.admin)
    url = reverse("audit:log")

    def queries(**query):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, query).status_code == 200
        return len(captured)

    _some_events(personas.filer, 3, organisation_id=orgs.elderly_centre.pk)
    few = queries(), queries(action="login", organisation=orgs.elderly_centre.pk)
    _some_events(personas.filer, 300, organisation_id=orgs.elderly_centre.pk)
    _some_events(personas.outsider, 300, organisation_id=orgs.disabled_federation.pk)
    many = queries(), queries(action="login", organisation=orgs.elderly_centre.pk)
    assert few == many
    page_two = client.get(url, {"page": 2})
    assert len(page_two.context["page"]) == 50
    assert "第 2 / 13 页" in page_two.content.decode()


def test_every_event_of_a_filing_links_to_it_and_names_its_organisation(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, name="链接项目")
    log.record(Action.DOWNLOAD, user=personas.filer, filing=filing, description="下载 链接项目.pdf")
    _login(client, personas.admin)
    page = client.get(reverse("audit:log")).content.decode()
    assert reverse("filings:detail", args=[filing.pk]) in page
    assert "上海市闵行区老龄事业发展中心" in page


def test_a_zip_export_of_one_filing_is_one_download_event(client, personas, orgs, filings):
    # A job's file is downloaded once per click: each click is an event.
    job = jobs.create_job(personas.filer, orgs.elderly_centre, 2024, ExportJob.Kind.PDF_ZIP)
    jobs.run_inline(job.pk)
    _login(client, personas.filer)
    for _click in range(2):
        response = client.get(reverse("exports:export_download", args=[job.pk]), **WHERE)
        assert zipfile.is_zipfile(io.BytesIO(b"".join(response.streaming_content)))
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD).count() == 2
