"""What a hostile or careless user sends to the newest endpoints, and what they get back.

Each test is one probe that once went wrong: a 500, a message in the wrong words or
naming no field, or a second row from a double click. Expected everywhere: a Chinese
message naming the field, nothing saved that should not be, what was typed kept.
"""

import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment
from filings.checks import profiles, rules
from filings.models import CheckProfile, Filing
from projects.models import Project
from review import adjustments
from review.models import AdjustmentRequest, Comment, Notification, Reply
from tests.factories import bring_to, do, filing_in, fresh, ready_filing
from tests.helpers import attachment_files as files
from tests.helpers import project_library as library

# --- the indicator editor's autosave (JSON) ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "posted", "words"),
    [
        ("direction", ["positive"], "「第 1 行 指标方向」只能选择"),
        ("direction", {"positive": True}, "「第 1 行 指标方向」只能选择"),
        # Read as 否 without a word, whatever the filer meant.
        ("core", "yes", "「第 1 行 核心指标」应为是或否"),
        ("core", 1, "「第 1 行 核心指标」应为是或否"),
    ],
)
def test_a_2021_field_posted_as_the_wrong_type_is_refused_at_its_row(
    client, personas, orgs, field, posted, words
):
    draft = ready_filing(orgs.elderly_centre, name="方向项目")
    rows = [
        {"key": str(row.key), "level2": row.level2_id, "name": row.name, "value": row.value}
        for row in draft.indicators.all()
    ]
    rows[0][field] = posted
    client.force_login(personas.filer)
    response = client.post(
        reverse("indicators:save_rows", args=[draft.pk]),
        json.dumps({"lock_version": draft.lock_version, "rows": rows}),
        content_type="application/json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, field)
    assert words in error["message"]
    assert fresh(draft).lock_version == draft.lock_version


# --- replies and comments: Django's own refusals, in the project's words ----------------


@pytest.fixture
def returned(personas, orgs):
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="回复项目")
    remark = Comment.objects.create(
        filing=filing,
        version=filing.versions.get(),
        part=Comment.Part.GENERAL,
        body="请补充测算依据。",
        author=personas.department_reviewer,
    )
    do("return", filing, personas.department_reviewer)
    filing = fresh(filing)
    filing.remark = remark
    return filing


def test_a_reply_with_a_nul_names_the_field_and_keeps_the_text(client, personas, returned):
    client.force_login(personas.filer)
    url = reverse("review:reply", args=[returned.pk, returned.remark.pk])
    response = client.post(url, {"body": "已补充\x00测算表"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "「回复」含有不可见的控制字符" in page
    # Django's own words said an empty string was not allowed, and named no field.
    assert "空字符串" not in page
    assert "已补充" in page and "测算表" in page
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("预算\x00偏高", "「意见」含有不可见的控制字符"),  # a NUL names the field
        ("\u200b\ufeff", "请填写「意见」"),  # zero-width characters only are no comment
    ],
    ids=["nul", "zero-width only"],
)
def test_a_comment_refused_names_the_field(client, personas, orgs, body, message):
    filing = filing_in("department_review", orgs.elderly_centre, personas, name="意见项目")
    client.force_login(personas.department_reviewer)
    response = client.post(
        reverse("review:add_comment", args=[filing.pk]),
        {"target": "part:general", "body": body},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.filter(filing=filing).exists()


# --- attachments ------------------------------------------------------------------------


@pytest.fixture
def draft(orgs):
    return ready_filing(orgs.elderly_centre, name="附件项目")


def _upload(client, filing, name, content, description="区政府常务会议纪要"):
    return client.post(
        reverse("attachments:upload", args=[filing.pk]),
        {"kind": "basis", "description": description, "file": files.upload(name, content)},
    )


def test_an_attachment_description_too_long_names_the_field_in_the_projects_words(
    client, personas, draft
):
    client.force_login(personas.filer)
    response = _upload(client, draft, "立项依据.pdf", files.pdf(), description="长" * 100_000)
    assert response.status_code == 400
    page = response.content.decode()
    assert "「说明」不能超过 200 个字（现有 100000 个）" in page
    assert "该变量" not in page
    assert not Attachment.objects.exists()


def test_a_double_click_on_upload_attaches_the_file_once(client, personas, draft):
    client.force_login(personas.filer)
    content = files.pdf()
    assert _upload(client, draft, "立项依据.pdf", content).status_code == 302
    second = _upload(client, draft, "立项依据.pdf", content)
    assert second.status_code == 400
    assert "本申报已有内容完全相同的附件「立项依据.pdf」" in second.content.decode()
    assert Attachment.objects.filter(filing=draft).count() == 1


def test_an_attachment_named_only_by_its_extension_gets_a_name(client, personas, draft):
    client.force_login(personas.filer)
    assert _upload(client, draft, "../.pdf", files.pdf()).status_code == 302
    attachment = Attachment.objects.get(filing=draft)
    assert attachment.name == "附件.pdf"
    download = client.get(reverse("attachments:download", args=[draft.pk, attachment.key]))
    assert (
        "附件.pdf" in download["Content-Disposition"]
        or "%E9%99%84" in download["Content-Disposition"]
    )


# --- adjustments: the approver's answer ----------------------------------------------------


def test_an_application_whose_reason_is_zero_width_characters_is_refused(client, personas, orgs):
    filing = ready_filing(orgs.elderly_centre, name="调整项目")
    bring_to("approved", filing, personas.filer, personas)
    client.force_login(personas.filer)
    url = reverse("review:adjustment_apply", args=[filing.pk])
    response = client.post(url, {"reason": "\u200b\u2060"}, follow=True)
    assert "请填写「调整理由」" in response.content.decode()
    assert not AdjustmentRequest.objects.filter(filing=filing).exists()


@pytest.mark.parametrize("decision", [None, "", "approve", "yes"])
def test_an_answer_posted_without_the_approvers_button_decides_nothing(
    client, personas, orgs, decision
):
    filing = ready_filing(orgs.elderly_centre, name="调整项目")
    bring_to("approved", filing, personas.filer, personas)
    adjustments.apply(fresh(filing), personas.filer, reason="随预算调整", budget_adjustment="")
    client.force_login(personas.finance_reviewer)
    data = {"answer": "资金已落实"} | ({} if decision is None else {"decision": decision})
    response = client.post(reverse("review:adjustment_decide", args=[filing.pk]), data)
    assert response.status_code == 302
    # It was read as 不同意, which closes the application for good.
    assert AdjustmentRequest.objects.get(filing=filing).status == "pending"
    page = client.get(response["Location"]).content.decode()
    assert "请点击「同意调整」或「不同意调整」" in page
    assert "资金已落实" in page  # the answer typed is back in the form


# --- 审核规则: a bureau's rule profile ------------------------------------------------------


def _profile_page_post(without=()):
    """The profile page's form as shown by default, less the rows of the codes ``without``."""
    data = {}
    for registered in rules():
        if registered.code not in without:
            data[f"enabled-{registered.code}"] = "on"
            data[f"severity-{registered.code}"] = registered.severity
    return data


def test_a_rule_missing_from_the_posted_page_keeps_its_setting(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    url = reverse("filings:check_profile_save", args=[orgs.minhang_bureau.pk])
    turned_off = _profile_page_post()
    del turned_off["enabled-STRUCTURE_INPUT_BLOCK"]
    assert client.post(url, turned_off).status_code == 302
    # A page opened before two rules were there (or a post by hand) says nothing of them.
    older_page = _profile_page_post(without=("STRUCTURE_INPUT_BLOCK", "VALUE_BLANK"))
    assert client.post(url, older_page).status_code == 302
    assert CheckProfile.objects.get(bureau=orgs.minhang_bureau).rules == {
        "STRUCTURE_INPUT_BLOCK": {"enabled": False, "severity": "error"},
    }


def test_an_empty_post_of_the_profile_page_turns_no_rule_off(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    url = reverse("filings:check_profile_save", args=[orgs.minhang_bureau.pk])
    assert client.post(url, {}).status_code == 302
    profile = profiles.of_bureau(orgs.minhang_bureau)
    assert all(profile.is_enabled(registered) for registered in rules())


# --- 项目库: loading a bureau's export -----------------------------------------------------


def _load_library(client, personas, orgs, data, name="项目库.csv"):
    client.force_login(personas.finance_reviewer)
    url = reverse("projects:load", args=[orgs.minhang_bureau.pk])
    response = client.post(url, {"year": 2027, "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert not Project.objects.exists()
    return response.context["problems"]


def test_a_code_too_long_is_one_problem_not_also_an_empty_one(client, personas, orgs):
    lines = [library.line(1, '=HYPERLINK("http://x.cn")', "项目")]
    problems = _load_library(client, personas, orgs, library.csv_bytes(lines))
    assert len(problems) == 1
    assert "第 2 行「项目编码」列" in problems[0] and "不能超过 21 个字" in problems[0]


def test_a_quote_left_open_is_explained_in_chinese(client, personas, orgs):
    data = library.csv_bytes(library.sample_lines(1)) + b'2,"31011220270000000002' + b"x" * 200_000
    [problem] = _load_library(client, personas, orgs, data)
    assert problem.startswith("第 3 行不是有效的 CSV：")
    assert "引号不成对" in problem
    assert "field" not in problem  # the csv module's English


def test_a_header_repeating_a_column_a_thousand_times_is_one_problem(client, personas, orgs):
    header = [*library.HEADER, *["项目编码"] * 1000]
    data = library.csv_bytes(library.sample_lines(1), header=header)
    [problem] = _load_library(client, personas, orgs, data)
    assert problem == "第 1 行：「项目编码」和「项目编码」是同一列，请删去其中一列。"


# --- starting a filing from the 项目库 ------------------------------------------------------


def test_a_double_click_on_a_library_project_opens_the_filing_it_started(client, personas, orgs):
    [project] = library.library_of(
        orgs.minhang_bureau,
        2027,
        {
            "code": "310112202700000000001",
            "name": "老年人助餐服务",
            "organisation": orgs.elderly_centre,
        },
    )
    url = reverse("filings:create_from_library", args=[project.pk])
    client.force_login(personas.filer)
    assert client.post(url).status_code == 302
    second = client.post(url, follow=True)
    filing = Filing.objects.get(library_project=project)  # one filing, not two
    assert second.redirect_chain[-1][0] == reverse("filings:detail", args=[filing.pk])
    assert "已从项目库新建过申报《老年人助餐服务》" in second.content.decode()
    # Anyone else still meets the 404 of a project that is not theirs.
    client.force_login(personas.outsider)
    assert client.post(url).status_code == 404


def test_a_double_click_on_reply_writes_the_reply_once_and_tells_once(
    client, personas, returned, django_capture_on_commit_callbacks
):
    client.force_login(personas.filer)
    url = reverse("review:reply", args=[returned.pk, returned.remark.pk])
    for _click in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"body": "已补充测算表。", "resolve": "on"})
        assert response.status_code == 302
    [reply] = Reply.objects.filter(comment=returned.remark)
    assert (reply.body, reply.resolves) == ("已补充测算表。", True)
    assert Notification.objects.filter(recipient=personas.department_reviewer).count() == 1
    # The same words again after someone else answered are a new reply.
    client.force_login(personas.department_reviewer)
    client.post(url, {"body": "请再核对。"})
    client.force_login(personas.filer)
    client.post(url, {"body": "已补充测算表。"})
    assert Reply.objects.filter(comment=returned.remark).count() == 3
    # And the same words by the same person later on (the next round) are a new answer too.
    Reply.objects.filter(comment=returned.remark).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    client.post(url, {"body": "已补充测算表。"})
    assert Reply.objects.filter(comment=returned.remark).count() == 4


def test_a_double_click_on_delete_says_the_attachment_is_gone(client, personas, draft):
    client.force_login(personas.filer)
    assert _upload(client, draft, "立项依据.pdf", files.pdf()).status_code == 302
    attachment = Attachment.objects.get(filing=draft)
    url = reverse("attachments:remove", args=[draft.pk, attachment.key])
    assert client.post(url).status_code == 302
    second = client.post(url, follow=True)
    assert second.status_code == 200  # not a 404 page after the delete the filer asked for
    assert "这个附件已经删除了" in second.content.decode()
    assert not Attachment.objects.filter(filing=draft).exists()


def test_a_reply_of_zero_width_characters_is_no_answer(client, personas, returned):
    client.force_login(personas.filer)
    url = reverse("review:reply", args=[returned.pk, returned.remark.pk])
    response = client.post(url, {"body": "\u200b\u2060\ufeff", "resolve": "on"})
    assert response.status_code == 400
    assert "请填写「回复」" in response.content.decode()
    assert not Reply.objects.exists()
    assert Comment.objects.get(pk=returned.remark.pk).resolved_at is None


def _xlsx_with(part, old, new):
    """A 项目库 workbook with ``old`` replaced by ``new`` in its XML ``part``."""
    source = zipfile.ZipFile(io.BytesIO(library.xlsx_bytes(library.sample_lines(2))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                assert old in data
                data = data.replace(old, new, 1)
            package.writestr(item, data)
    return out.getvalue()


def test_a_workbook_whose_format_number_is_a_superscript_digit_loads(client, personas, orgs):
    # 「²」 passes str.isdigit() and breaks int(): it was a 500.
    data = _xlsx_with(
        "xl/styles.xml",
        b'<cellXfs count="1"><xf numFmtId="0"',
        '<cellXfs count="1"><xf numFmtId="²"'.encode(),
    )
    client.force_login(personas.finance_reviewer)
    url = reverse("projects:load", args=[orgs.minhang_bureau.pk])
    response = client.post(url, {"year": 2027, "file": SimpleUploadedFile("项目库.xlsx", data)})
    assert response.status_code == 302
    assert Project.objects.count() == 2


@pytest.mark.parametrize("asked", ["²", "①"])
def test_the_rule_profile_asked_by_a_superscript_digit_is_the_users_own(
    client, personas, orgs, asked
):
    client.force_login(personas.finance_reviewer)
    response = client.get(reverse("filings:check_profiles"), {"bureau": asked})
    assert response.status_code == 302
    assert response["Location"] == reverse("filings:check_profile", args=[orgs.minhang_bureau.pk])


def _seen_on(page):
    return page.split('name="seen" value="', 1)[1].split('"', 1)[0]


def test_a_profile_saved_meanwhile_by_someone_else_is_not_overwritten(client, personas, orgs):
    client.force_login(personas.finance_reviewer)
    page = client.get(reverse("filings:check_profile", args=[orgs.minhang_bureau.pk]))
    seen = _seen_on(page.content.decode())
    # Meanwhile an admin turns a rule off for the bureau.
    profiles.save(
        orgs.minhang_bureau,
        personas.admin,
        {"STRUCTURE_INPUT_BLOCK": {"enabled": False, "severity": "error"}},
    )
    mine = _profile_page_post(without=())
    mine["severity-VALUE_BASIS_MISSING"] = "error"
    mine["seen"] = seen
    url = reverse("filings:check_profile_save", args=[orgs.minhang_bureau.pk])
    response = client.post(url, mine)
    assert response.status_code == 409
    page = response.content.decode()
    assert "审核规则在您打开页面后已被" in page and "修改" in page
    # The admin's profile stands; the reviewer's choice is back on the page, not saved.
    assert CheckProfile.objects.get(bureau=orgs.minhang_bureau).rules == {
        "STRUCTURE_INPUT_BLOCK": {"enabled": False, "severity": "error"},
    }
    chosen = page.split('name="severity-VALUE_BASIS_MISSING"', 1)[1].split("</select>", 1)[0]
    assert '<option value="error" selected>' in chosen
    # Saved again from the page as now shown, it goes through.
    mine["seen"] = _seen_on(page)
    assert client.post(url, mine).status_code == 302
    assert CheckProfile.objects.get(bureau=orgs.minhang_bureau).rules == {
        "VALUE_BASIS_MISSING": {"enabled": True, "severity": "error"},
    }
