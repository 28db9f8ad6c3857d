"""One subtree definition (Organisation.objects.subtree / subtree_ids) for filings and filters,
and the organisation filter that stays cheap with hundreds of organisations."""

import re

from django.urls import reverse

from accounts.models import Organisation
from filings.forms import FilingFilterForm
from filings.models import Filing
from tests.conftest import make_filing
from tests.factories import take_version


def _names(ids):
    return set(Organisation.objects.filter(pk__in=ids).values_list("name", flat=True))


def test_subtree_ids_of_a_bureau_are_the_bureau_its_departments_and_their_units(orgs):
    second_unit = Organisation.objects.create(
        name="上海市闵行区救助管理站", level="unit", parent=orgs.civil_affairs
    )
    ids = Organisation.objects.subtree_ids(orgs.minhang_bureau)
    assert ids == sorted(
        [orgs.minhang_bureau.pk, orgs.civil_affairs.pk, orgs.elderly_centre.pk, second_unit.pk]
    )
    # Nothing of the city bureau's tree.
    assert orgs.city_bureau.pk not in ids and orgs.disabled_federation.pk not in ids


def test_subtree_ids_of_a_department_and_of_a_unit(orgs):
    assert _names(Organisation.objects.subtree_ids(orgs.civil_affairs)) == {
        "上海市闵行区民政局",
        "上海市闵行区老龄事业发展中心",
    }
    assert Organisation.objects.subtree_ids(orgs.elderly_centre) == [orgs.elderly_centre.pk]
    # A department without units is a subtree of one.
    assert Organisation.objects.subtree_ids(orgs.disabled_federation.pk) == [
        orgs.disabled_federation.pk
    ]


def test_subtree_ids_take_an_id_or_an_organisation_in_one_query(orgs, django_assert_num_queries):
    with django_assert_num_queries(1):
        by_instance = Organisation.objects.subtree_ids(orgs.minhang_bureau)
    with django_assert_num_queries(1):
        by_id = Organisation.objects.subtree_ids(orgs.minhang_bureau.pk)
    assert by_instance == by_id
    assert Organisation.objects.subtree_ids(-1) == []


def test_under_filters_on_the_literal_ids_of_the_subtree(orgs, filings):
    queryset = Filing.objects.under(orgs.minhang_bureau)
    assert {filing.name for filing in queryset} == {"老龄中心项目", "民政局项目"}
    sql = str(queryset.query)
    # Literal ids, so that PostgreSQL can estimate the rows and walk the sort index;
    # no subquery and no join to the organisation table.
    assert "accounts_organisation" not in sql
    assert re.search(r'"organisation_id" IN \(\d+, \d+, \d+\)', sql)


def test_a_department_reviewer_sees_filings_of_a_unit_added_later(client, personas, orgs):
    unit = Organisation.objects.create(
        name="上海市闵行区救助管理站", level="unit", parent=orgs.civil_affairs
    )
    take_version(make_filing(unit, name="救助站项目"))  # submitted once: the department sees it
    client.force_login(personas.department_reviewer)
    html = client.get(reverse("filings:list")).content.decode()
    assert "救助站项目" in html
    assert f'<option value="{unit.pk}">上海市闵行区救助管理站</option>' in html


def test_organisation_filter_escapes_names_and_marks_the_chosen_one(personas, orgs):
    odd = Organisation.objects.create(
        name='<b>"测试"&单位</b>', level="unit", parent=orgs.civil_affairs
    )
    visible = Filing.objects.visible_to(personas.admin)
    form = FilingFilterForm({"organisation": str(odd.pk)}, visible=visible, user=personas.admin)
    html = str(form["organisation"])
    assert html.startswith('<select name="organisation" class="form-select')
    assert 'id="id_organisation"' in html  # the label's for= still finds it
    assert '<option value="">全部单位</option>' in html
    assert (
        f'<option value="{odd.pk}" selected>&lt;b&gt;&quot;测试&quot;&amp;单位&lt;/b&gt;</option>'
        in html
    )
    assert html.count(" selected") == 1
    # Bureaus hold no filings and are not offered.
    assert "闵行区财政局</option>" not in html


def test_organisation_filter_of_hundreds_of_organisations_is_one_query(
    personas, orgs, django_assert_num_queries
):
    Organisation.objects.bulk_create(
        Organisation(name=f"上海市闵行区单位{number:03d}", level="unit", parent=orgs.civil_affairs)
        for number in range(300)
    )
    visible = Filing.objects.visible_to(personas.admin)
    form = FilingFilterForm(None, visible=visible, user=personas.admin)
    with django_assert_num_queries(1):
        html = str(form["organisation"])
    # 300 new units, the 3 organisations of the fixture below the bureaus, and 全部单位.
    assert html.count("<option") == 304
    # In name order, as before.
    names = re.findall(r"<option value=\"\d+\">([^<]+)</option>", html)
    assert names == sorted(names)
