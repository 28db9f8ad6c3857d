"""Wizard fixes found by the real-browser journeys, checked through the test client."""

import datetime

from django.urls import reverse

from tests.conftest import make_filing


def _url(filing, slug):
    return reverse("filings:wizard", args=[filing.pk, slug])


def test_autosave_answers_the_steps_findings_as_now_saved(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, name="老龄中心项目", year=2025)
    client.force_login(personas.filer)
    page = client.get(_url(filing, "basic")).content.decode()
    assert "「计划开始日期」未填写" in page

    answer = client.post(
        _url(filing, "basic"),
        {
            "lock_version": filing.lock_version,
            "name": filing.name,
            "start_date": "2025-01-01",
            "end_date": "",
        },
        HTTP_X_AUTOSAVE="1",
    ).json()
    messages = [finding["message"] for finding in answer["findings"]]
    # The date just typed is no longer reported missing; the one still blank is.
    assert not any("计划开始日期" in message for message in messages)
    assert any("「计划完成日期」未填写" in message for message in messages)
    assert {finding["label"] for finding in answer["findings"]} <= {"错误", "提示"}
    filing.refresh_from_db()
    assert filing.start_date == datetime.date(2025, 1, 1)


def test_the_steps_show_no_developer_help_texts(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, name="老龄中心项目", year=2025)
    client.force_login(personas.filer)
    basic = client.get(_url(filing, "basic")).content.decode()
    goals = client.get(_url(filing, "goals")).content.decode()
    assert "项目名称、单位名称或部门名称" not in basic
    assert "项目：年度总体目标；整体支出：年度履职目标" not in goals
    # A help text written for the filer stays.
    assert "可从建议中选择" in basic


def test_the_two_other_funds_fields_are_told_apart_by_their_block(client, personas, orgs):
    filing = make_filing(orgs.elderly_centre, name="老龄中心项目", year=2025)
    client.force_login(personas.filer)
    page = client.get(_url(filing, "funds")).content.decode()
    whole, annual = page.index("项目全周期"), page.index(">年度资金申请<")
    assert whole < page.index('name="funds_other"') < annual < page.index('name="annual_other"')
