"""What a new user meets of the 2021 taxonomy, attachments, replies and 批复 in the demo.

One load of the demo (``load_demo``), then the pages each demo account opens: the
work is waiting there without anyone building the state by hand.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation, User
from filings.models import Filing

pytestmark = pytest.mark.web


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def _as(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _page(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_filer_finds_a_2021_project_with_its_details_and_its_basis_pdf(client, demo):
    project = Filing.objects.get(name="老年人助餐服务补贴")
    _as(client, "filer")
    home = _page(client, "filings:list")
    assert "老年人助餐服务补贴" in home
    step = _page(client, "filings:wizard", project.pk, "indicators")
    data = re.search(r'id="indicator-editor-data"[^>]*>(.*?)</script>', step, re.S).group(1)
    editor = json.loads(data)
    # The 分值合计 line and each row's 详情 (details.js) read these.
    assert editor["weights"]["total"] in ("100", "100.00")
    assert "2021" in editor["weights"]["edition"]
    core = [row for row in editor["rows"] if row.get("core")]
    assert [row["name"] for row in core] == ["助餐服务人次"]
    assert core[0]["basis_text"].startswith("《闵行区老年助餐服务发展三年行动计划")
    assert {row["direction"] for row in editor["rows"]} == {"positive", "negative", "qualitative"}
    detail = _page(client, "filings:detail", project.pk)
    assert "老年人助餐服务立项依据.pdf" in detail
    assert "立项依据" in detail


def test_the_filer_cdpf_finds_a_reply_given_and_one_remark_still_open(client, demo):
    returned = Filing.objects.get(name="残疾人事业宣传经费", status="returned")
    _as(client, "filer_cdpf")
    page = _page(client, "filings:wizard", returned.pk, "indicators")
    assert "以年末微博后台的粉丝数为准" in page  # the reply under the answered remark
    assert "满意度请在指标解释中写明调查方式和样本量" in page  # the open one, to answer
    # The step bar counts the one open remark, on the 绩效指标 step.
    assert page.count('data-testid="step-open-comments"') == 1
    assert "1 条意见" in page


def test_the_pifu_is_on_the_filers_page_and_on_the_reviewers_list(client, demo):
    unit = Organisation.objects.get(name="上海市闵行区老龄事业发展中心")
    approved = Filing.objects.get(organisation=unit, year=2024)
    _as(client, "filer")
    page = _page(client, "filings:detail", approved.pk)
    assert 'data-testid="approval-notices"' in page
    assert "上海市闵行区民政局绩批〔2024〕1号" in page
    _as(client, "dept_reviewer")
    listed = _page(client, "review:approval_page", unit.pk, 2024)
    assert 'data-testid="issued"' in listed
    assert "上海市闵行区民政局绩批〔2024〕1号" in listed
    # Other reviewers still have 批复 waiting: the list shows an organisation to issue for.
    _as(client, "finance_city")
    assert 'data-testid="approval-groups"' in _page(client, "review:approvals")
