"""Identity rules: what makes a filing, an organisation and a row the same one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organisation
from filings.models import Filing
from filings.serialization import (
    ImportProblem,
    filing_to_dict,
    organisation_from_path,
    save_filing,
)
from importers.loader import import_file
from tests.conftest import PUBLISHED, make_filing


def test_one_overall_filing_per_organisation_year_and_form(orgs):
    make_filing(orgs.elderly_centre, name="老龄中心", form="unit")
    second = Filing(organisation=orgs.elderly_centre, year=2024, form="unit", name="又一份")
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "已有这一表式的整体支出申报" in str(refused.value)
    # Another year is another filing.
    make_filing(orgs.elderly_centre, name="老龄中心", form="unit", year=2025)


def test_a_project_name_once_per_organisation_and_year(orgs):
    make_filing(orgs.elderly_centre, name="助餐服务")
    with pytest.raises(IntegrityError), transaction.atomic():
        Filing.objects.create(
            organisation=orgs.elderly_centre, year=2024, form="project", name="助餐服务"
        )
    # The same name in another organisation is another project.
    make_filing(orgs.civil_affairs, name="助餐服务")


def test_a_project_field_on_an_overall_filing_is_refused(orgs):
    filing = Filing(
        organisation=orgs.elderly_centre, year=2024, form="unit", name="单位", nature="经常性"
    )
    with pytest.raises(ValidationError) as refused:
        filing.full_clean()
    assert "不属于本表式" in str(refused.value)


def test_an_overall_field_on_a_project_is_refused(orgs):
    filing = Filing(
        organisation=orgs.elderly_centre, year=2024, form="project", name="项目", staff_count=3
    )
    with pytest.raises(ValidationError):
        filing.full_clean()


def test_department_only_fields_stay_off_unit_filings(orgs):
    with pytest.raises(IntegrityError), transaction.atomic():
        Filing.objects.create(
            organisation=orgs.elderly_centre,
            year=2024,
            form="unit",
            name="单位",
            subordinate_units=3,
        )


def test_importing_the_same_published_form_twice_is_refused_with_the_reason(orgs, db):
    Organisation.objects.create(name="服务办", level="department", parent=orgs.minhang_bureau)
    first = import_file(PUBLISHED / "000_4de5ad65307c5583.txt")
    assert not first.error
    again = import_file(PUBLISHED / "000_4de5ad65307c5583.txt")
    assert "已有《民生保障》" in again.error
    assert Filing.objects.filter(name="民生保障").count() == 1


def test_same_unit_name_under_two_departments(orgs):
    Organisation.objects.create(name="服务办", level="department", parent=orgs.minhang_bureau)
    Organisation.objects.create(name="服务办", level="department", parent=orgs.city_bureau)
    twin = Organisation(name="服务办", level="department", parent=orgs.city_bureau)
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "同名组织" in str(refused.value)


def test_a_unit_code_is_unique_under_its_parent(orgs):
    Organisation.objects.create(
        name="甲单位", level="unit", parent=orgs.civil_affairs, code="510001"
    )
    other = Organisation(name="乙单位", level="unit", parent=orgs.civil_affairs, code="510001")
    with pytest.raises(ValidationError):
        other.full_clean()


def test_json_path_finds_the_unit_of_its_own_tree(orgs):
    minhang_office = Organisation.objects.create(
        name="服务办", level="department", parent=orgs.minhang_bureau
    )
    city_office = Organisation.objects.create(
        name="服务办", level="department", parent=orgs.city_bureau
    )
    assert organisation_from_path(["上海市财政局", "服务办"]) == city_office
    assert organisation_from_path(["闵行区财政局", "服务办"]) == minhang_office


def test_json_path_given_as_a_string_is_not_split_into_characters(orgs):
    before = Organisation.objects.count()
    with pytest.raises(ImportProblem) as refused:
        organisation_from_path("闵行区财政局")
    assert "组织路径" in str(refused.value)
    assert Organisation.objects.count() == before


def test_row_keys_survive_export_and_import(orgs, filings):
    source = filings["centre"]
    data = filing_to_dict(source)
    keys = [row["key"] for row in data["indicators"]]
    assert len(set(keys)) == 3
    source.delete()
    copy = save_filing(data, orgs.elderly_centre)
    assert [str(key) for key in copy.indicators.values_list("key", flat=True)] == keys


def test_a_garbled_row_key_names_the_row(orgs):
    data = {
        "form": "project",
        "year": 2024,
        "name": "项目",
        "indicators": [{"key": "abc", "level1": "产出指标", "level2": "数量指标", "name": "x"}],
    }
    with pytest.raises(ImportProblem) as refused:
        save_filing(data, orgs.elderly_centre)
    assert "第 1 条三级指标" in str(refused.value)
