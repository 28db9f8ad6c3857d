"""Start from last year: copy_filing and the copy action."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from filings.models import Filing, Task
from filings.wizard.copying import copy_filing, shift_date
from tests.conftest import make_filing
from tests.factories import imported_filing


@pytest.fixture
def last_year(orgs):
    return imported_filing(
        orgs.elderly_centre,
        name="民生保障",
        year=2024,
        money_unit="万元",
        funds_total=Decimal("17594460"),
        funds_fiscal=Decimal("17594460"),
        annual_total=Decimal("17594460"),
        start_date=datetime.date(2024, 2, 29),
        end_date=datetime.date(2024, 12, 31),
        goal_start_year=2024,
        goal_end_year=2026,
        overall_goal="三年目标",
        nature="经常性专项业务费",
    )


def test_copy_clears_money_moves_dates_and_keeps_rows_with_new_keys(last_year, personas):
    copy = copy_filing(last_year, 2025, personas.filer)
    assert (copy.form, copy.organisation_id, copy.year) == (
        "project",
        last_year.organisation_id,
        2025,
    )
    assert copy.status == Filing.Status.DRAFT and copy.copied_from == last_year
    assert copy.name == "民生保障" and copy.nature == "经常性专项业务费"
    assert copy.money_unit == "万元" and copy.overall_goal == "三年目标"
    assert copy.funds_total is None and copy.funds_fiscal is None and copy.annual_total is None
    assert copy.start_date == datetime.date(2025, 2, 28)  # no 29 February in 2025
    assert copy.end_date == datetime.date(2025, 12, 31)
    assert (copy.goal_start_year, copy.goal_end_year) == (2025, 2027)
    assert copy.import_warnings == []
    assert copy.source == "复制自 2024年度《民生保障》"
    old = list(last_year.indicators.values_list("key", "name", "value", "level2_id", "order"))
    new = list(copy.indicators.values_list("key", "name", "value", "level2_id", "order"))
    assert [row[1:] for row in new] == [row[1:] for row in old]
    assert not {row[0] for row in new} & {row[0] for row in old}


def test_copy_of_an_overall_filing_keeps_tasks_with_new_keys(orgs, personas):
    source = make_filing(
        orgs.elderly_centre, form="unit", name="老龄中心", year=2023, budget_total=Decimal("5")
    )
    task = Task.objects.create(filing=source, order=1, name="养老服务", content="扩容")
    copy = copy_filing(source, 2025, personas.filer)
    assert copy.budget_total is None
    copied = copy.tasks.get()
    assert (copied.name, copied.content) == ("养老服务", "扩容") and copied.key != task.key


def test_copy_into_a_year_with_the_same_project_name_is_refused(last_year, personas, orgs):
    make_filing(orgs.elderly_centre, name="民生保障", year=2025)
    with pytest.raises(ValidationError) as refused:
        copy_filing(last_year, 2025, personas.filer)
    assert "「项目名称」本单位2025年度已有同名项目《民生保障》" in refused.value.messages[0]


def test_shift_date_handles_leap_days():
    assert shift_date(datetime.date(2024, 2, 29), 4) == datetime.date(2028, 2, 29)
    assert shift_date(datetime.date(2024, 2, 29), -1) == datetime.date(2023, 2, 28)
    assert shift_date(None, 1) is None


def test_copy_action_creates_the_draft_and_opens_the_wizard(client, personas, last_year):
    client.force_login(personas.filer)
    response = client.post(reverse("filings:copy", args=[last_year.pk]), {"year": 2025})
    copy = Filing.objects.get(year=2025)
    assert response.status_code == 302
    assert response["Location"] == reverse("filings:wizard", args=[copy.pk, "basic"])
    assert copy.copied_from_id == last_year.pk


def test_copy_action_refuses_a_duplicate_with_a_message(client, personas, last_year, orgs):
    make_filing(orgs.elderly_centre, name="民生保障", year=2025)
    client.force_login(personas.filer)
    response = client.post(reverse("filings:copy", args=[last_year.pk]), {"year": 2025})
    assert response.status_code == 200
    assert "已有同名项目《民生保障》" in response.content.decode()
    assert Filing.objects.filter(year=2025).count() == 1


def test_new_page_lists_earlier_filings_to_copy(client, personas, last_year):
    client.force_login(personas.filer)
    page = client.get(reverse("filings:new")).content.decode()
    assert reverse("filings:copy", args=[last_year.pk]) in page
    assert "财政项目支出绩效目标申报表" in page and "单位整体支出绩效目标申报表" in page
    assert "部门（单位）整体支出绩效目标申报表" not in page  # not for a unit


def test_outsider_gets_404_and_reviewer_403_on_copy(client, personas, last_year):
    url = reverse("filings:copy", args=[last_year.pk])
    client.force_login(personas.outsider)
    assert client.post(url, {"year": 2025}).status_code == 404
    client.force_login(personas.department_reviewer)
    assert client.post(url, {"year": 2025}).status_code == 403
    assert not Filing.objects.filter(year=2025).exists()


def test_reviewer_sees_an_explanation_on_the_new_page(client, personas):
    client.force_login(personas.finance_reviewer)
    response = client.get(reverse("filings:new"))
    assert response.status_code == 200
    assert "只有填报人可以为本单位新建申报" in response.content.decode()


def test_a_refused_year_stays_as_typed(client, personas, last_year):
    client.force_login(personas.filer)
    response = client.post(reverse("filings:copy", args=[last_year.pk]), {"year": 1999})
    page = response.content.decode()
    assert "「新年度」请填写 2000 至 2100 之间的年份" in page
    assert f'id="copy-year-{last_year.pk}" name="year" value="1999" aria-invalid="true"' in page
