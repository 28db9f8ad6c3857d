"""Words a person reads (issue 18): the money unit once in a label, one name per wizard step,
no internal file names for filers, the admin site in Chinese (the favicon: test_favicon.py)."""

import json
import re

from django.urls import reverse

from filings.models import VersionFinding
from tests.conftest import make_filing
from tests.factories import complete_filing, imported_filing, submitted

SOURCE = "004_74a63c49764ed4be.txt:71"


def test_overall_budget_labels_carry_the_unit_once(client, personas, orgs):
    filing = make_filing(orgs.civil_affairs, form="department", name="民政局整体")
    client.force_login(personas.department_filer)

    page = client.get(reverse("filings:wizard", args=[filing.pk, "budget"])).content.decode()

    assert "部门整体预算总额" in page and "年末资产总额" in page
    assert "(元)" not in page  # the unit comes once, from the filing's money unit
    assert re.search(r"部门整体预算总额<span[^>]*>（<span data-money-unit-label>元", page)


def test_every_wizard_ends_with_the_same_step_name(client, personas, orgs):
    client.force_login(personas.department_filer)
    for form in ("project", "department"):
        filing = make_filing(orgs.civil_affairs, form=form, name=f"{form}草稿")
        page = client.get(reverse("filings:wizard", args=[filing.pk, "review"])).content.decode()
        assert "检查与提交" in page, form


def test_a_filer_never_sees_the_file_an_import_came_from(client, personas, orgs):
    filing = imported_filing(orgs.elderly_centre, source=SOURCE)
    filing.source = SOURCE
    filing.save(update_fields=["source"])

    client.force_login(personas.filer)
    as_filer = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    client.force_login(personas.admin)
    as_admin = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()

    assert SOURCE not in as_filer
    assert f"来源：{SOURCE}" in as_admin


def test_the_admin_site_is_branded_and_in_chinese(client, personas):
    client.force_login(personas.admin)

    index = client.get(reverse("admin:index")).content.decode()
    changelist = client.get(reverse("admin:filings_filing_changelist")).content.decode()

    assert "<title>管理首页 | perfgoals 管理</title>" in index
    assert "Django" not in index
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in index, english
    assert 'alt="搜索"' in changelist and 'alt="Search"' not in changelist


def test_the_admins_add_user_page_and_two_box_chooser_are_in_chinese(client, personas):
    # Django 5.2's zh_Hans catalogue leaves these in English; the project's catalogue fills in.
    client.force_login(personas.admin)
    add_user = client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "After you’ve created a user" not in add_user
    assert "创建用户后，您可以编辑更多用户选项。" in add_user
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    for english in ("Choose all %s", "Remove all %s", "(click to clear)"):
        assert f'"{english}": "' in catalog, english
    assert json.dumps("选择全部%s") in catalog


def test_the_admin_names_a_findings_severity_and_a_chunks_job_in_chinese(client, personas, orgs):
    # The lists showed the stored words (error, warning) and the field's name (Job).
    filing = submitted(complete_filing(orgs.elderly_centre), personas.filer)
    VersionFinding.objects.update_or_create(
        version=filing.versions.get(),
        code="VALUE_BASIS_MISSING",
        defaults={"severity": "error", "count": 2},
    )
    client.force_login(personas.admin)
    findings = client.get(reverse("admin:filings_versionfinding_changelist")).content.decode()
    assert '<td class="field-severity">错误</td>' in findings
    assert ">error<" not in findings
    chunks = client.get(reverse("admin:exports_exportchunk_changelist")).content.decode()
    assert "导出任务" in chunks and ">Job<" not in chunks
