"""预算执行率分值 in the indicator editor: typed under the 分值合计 line, saved with the rows."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from filings.access import EDIT, filing_access
from filings.models import Filing
from indicators import editor
from tests.conftest import make_filing
from tests.factories import take_version


@pytest.fixture
def draft(orgs):
    return make_filing(orgs.elderly_centre, name="老龄中心项目")


def _rows(filing):
    return [
        {"key": str(row.key), "level2": row.level2_id, "name": row.name, "value": row.value}
        for row in filing.indicators.all()
    ]


def _save(client, filing, execution_weight, lock_version=0):
    body = {"lock_version": lock_version, "rows": _rows(filing)}
    body["execution_weight"] = execution_weight
    url = reverse("indicators:save_rows", args=[filing.pk])
    return client.post(url, json.dumps(body), content_type="application/json")


def _execution(filing):
    return Filing.objects.get(pk=filing.pk).execution_weight


def test_the_filer_sets_it_and_the_sum_follows(client, personas, draft):
    client.force_login(personas.filer)
    response = _save(client, draft, "15.5")
    assert response.status_code == 200
    weights = response.json()["weights"]
    # Rows share 产出 50, 效益 30, 满意度 10 of the edition; 预算执行率 is the filing's own.
    assert (weights["execution"], weights["execution_set"]) == ("15.50", "15.50")
    assert (weights["execution_default"], weights["total"]) == ("10.00", "105.50")
    assert _execution(draft) == Decimal("15.50")
    assert Filing.objects.get(pk=draft.pk).lock_version == 1


def test_blank_goes_back_to_the_editions_default(client, personas, draft):
    Filing.objects.filter(pk=draft.pk).update(execution_weight=Decimal(20))
    client.force_login(personas.filer)
    weights = _save(client, draft, " ").json()["weights"]
    assert (weights["execution"], weights["execution_set"], weights["total"]) == (
        "10.00",
        "",
        "100.00",
    )
    assert _execution(draft) is None


@pytest.mark.parametrize("typed", ["abc", "120", "10.555", "-5"])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(client, personas, draft, typed):
    client.force_login(personas.filer)
    response = _save(client, draft, typed)
    assert response.status_code == 400
    data = response.json()
    assert data["error"].startswith("「预算执行率分值」：")
    assert data["errors"] == [{"row": None, "field": "execution_weight", "message": data["error"]}]
    draft.refresh_from_db()
    assert (draft.execution_weight, draft.lock_version) == (None, 0)


def test_a_bad_row_saves_it_not_until_the_row_is_right(client, personas, draft):
    client.force_login(personas.filer)
    body = {"lock_version": 0, "rows": _rows(draft), "execution_weight": "12"}
    body["rows"][0]["weight"] = "abc"
    url = reverse("indicators:save_rows", args=[draft.pk])
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert _execution(draft) is None
    body["rows"][0]["weight"] = "40"
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert _execution(draft) == Decimal("12.00")


def test_a_stale_page_cannot_set_it(client, personas, draft):
    client.force_login(personas.filer)
    assert _save(client, draft, "12").status_code == 200
    response = _save(client, draft, "30", lock_version=0)
    assert response.status_code == 409
    assert _execution(draft) == Decimal("12.00")


def test_a_page_that_posts_none_keeps_it(client, personas, draft):
    client.force_login(personas.filer)
    assert _save(client, draft, "8").status_code == 200
    draft.refresh_from_db()
    assert editor.save_rows(draft, 1, _rows(draft)).ok  # a page from before the field
    assert _execution(draft) == Decimal("8.00")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 404), ("department_reviewer", 403), ("finance_reviewer", 403)],
)
def test_only_the_filer_sets_it(client, personas, draft, persona, status):
    take_version(draft)  # submitted once: the department sees a unit's filing from then on
    draft.refresh_from_db()
    client.force_login(getattr(personas, persona))  # the outsider: another organisation's filer
    assert _save(client, draft, "20", draft.lock_version).status_code == status
    assert _execution(draft) is None
    client.force_login(personas.filer)
    assert _save(client, draft, "20", draft.lock_version).status_code == 200
    assert _execution(draft) == Decimal("20.00")


def test_the_editor_shows_the_filings_value_and_the_default(orgs, personas):
    filing = make_filing(orgs.elderly_centre, name="执行率项目")
    Filing.objects.filter(pk=filing.pk).update(execution_weight=Decimal("12.5"))
    filing.refresh_from_db()
    access = filing_access(personas.filer, filing.pk, EDIT)
    weights = editor.editor_context(filing, access)["editor"]["weights"]
    assert (weights["execution_set"], weights["execution_default"]) == ("12.50", "10.00")
    assert weights["counted"]


def test_an_overall_filing_counts_weights_once_it_sets_the_execution_weight(orgs, personas):
    filing = make_filing(orgs.elderly_centre, name="老龄中心", form="unit")
    access = filing_access(personas.filer, filing.pk, EDIT)
    weights = editor.editor_context(filing, access)["editor"]["weights"]
    assert not weights["counted"] and weights["execution_default"] == ""
    Filing.objects.filter(pk=filing.pk).update(execution_weight=Decimal(10))
    filing.refresh_from_db()
    weights = editor.editor_context(filing, access)["editor"]["weights"]
    assert weights["counted"] and weights["total"] == "10.00"
