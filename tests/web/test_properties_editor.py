"""Property tests of the indicator editor: the value parser, save-rows and paste.

Every example runs inside a transaction that is rolled back at its end, so it
starts from the filing the fixtures built (hence the suppressed health check on
function-scoped fixtures: they are set up once per test, and that is what we want).
"""

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from filings.cleaning import normalise_lines
from indicators.models import Indicator, Level2
from indicators.values import QUANTITATIVE, clean_value, format_value, parse_value
from tests.helpers import strategies as hostile
from tests.helpers.properties import (
    pages_still_open,
    per_example_rollback,
    rolled_back,
    snapshot,
)

pytestmark = pytest.mark.django_db


@given(text=hostile.value_text)
@example(text="=" + "9" * 30)
@example(text="≥1e+29")
@example(text="≥90%以上")
def test_parse_value_never_raises_and_is_idempotent(text):
    parsed = parse_value(text)
    if parsed.value_type == QUANTITATIVE:
        # What the editor displays parses back to the same value.
        display = format_value(parsed.operator, parsed.number, parsed.unit)
        again = parse_value(display)
        assert (again.operator, again.number, again.unit) == (
            parsed.operator,
            parsed.number,
            parsed.unit,
        )
        assert "E" not in display and "e+" not in display


@per_example_rollback
@given(name=hostile.hostile_text, value=hostile.value_text, explanation=hostile.hostile_text)
@example(name="培训人数", value="=" + "9" * 30, explanation="")
@example(name="培训人数", value="≥1.1234567(人)", explanation="")
@example(name="培训\x00人数", value="≥30(人)", explanation="")
@example(name="培训人数", value="≥30(人\x00)", explanation="说明\x00")
@example(name="😀" * 200, value="≥30(人)", explanation="\u202e" * 2000)
@example(name="培训\r\n人数", value="≥30(人)", explanation="一、\r\n二、\r三、")
def test_save_rows_saves_all_or_nothing(client, personas, filings, name, value, explanation):
    filing = filings["centre"]
    client.force_login(personas.filer)
    url = reverse("indicators:save_rows", args=[filing.pk])
    level2 = Level2.objects.get(level1__name="产出指标", name="数量指标")

    def check():
        before = snapshot(filing)
        rows = [
            {"key": str(ind.key), "level2": ind.level2_id, "name": ind.name, "value": ind.value}
            for ind in filing.indicators.all()
        ]
        rows.append({"level2": level2.pk, "name": name, "value": value, "explanation": explanation})
        body = {"lock_version": filing.lock_version, "rows": rows}
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 400), response.content[:300]
        answer = response.json()
        if response.status_code == 400:
            assert answer["ok"] is False
            error = answer["errors"][0]
            assert error["row"] == len(rows)
            assert f"第 {len(rows)} 行" in error["message"]
            assert snapshot(filing) == before
        else:
            saved = Indicator.objects.get(filing=filing, order=len(rows))
            assert saved.name == normalise_lines(name.strip())
            # As typed, with only extraction noise repaired (clean_value: LaTeX, full width).
            assert saved.value == clean_value(value)
            assert saved.explanation == normalise_lines(explanation.strip())
            parsed = parse_value(saved.value)
            # The stored number is the number written, exactly (never a rounded float).
            assert saved.number == parsed.number
            assert answer["rows"][-1]["value"] == saved.value
        pages_still_open(client, filing)

    rolled_back(check)


@per_example_rollback
@given(
    rows=st.one_of(
        hostile.wrong_json_type,
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "level2": st.one_of(hostile.json_scalar, st.sampled_from(["²", "１", "0"])),
                    "level1_name": hostile.json_scalar,
                    "name": hostile.json_scalar,
                    "value": hostile.json_scalar,
                    "explanation": hostile.json_scalar,
                    "basis": hostile.json_scalar,
                    "key": hostile.json_scalar,
                },
            ),
            max_size=3,
        ),
    ),
    lock_version=st.one_of(hostile.json_scalar, st.just(1)),
)
@example(rows=[{"level2": "²", "name": "a", "value": "1"}], lock_version=1)
@example(rows=[{"level2": 10**30, "name": "a", "value": "1"}], lock_version=1)
@example(rows=[{"level2": 1, "name": "a", "value": "1", "basis": ["x"]}], lock_version=1)
@example(rows=[{"level2": 1, "name": "a", "value": "1"}], lock_version=10**30)
@example(rows=[{"level2": 1, "name": "a", "value": "1", "key": ["k"]}], lock_version=1)
def test_save_rows_refuses_wrong_types(client, personas, filings, rows, lock_version):
    filing = filings["centre"]
    client.force_login(personas.filer)
    url = reverse("indicators:save_rows", args=[filing.pk])

    def check():
        before = snapshot(filing)
        body = json.dumps({"lock_version": lock_version, "rows": rows})
        response = client.post(url, body, content_type="application/json")
        assert response.status_code in (200, 400, 409), response.content[:300]
        if response.status_code != 200:
            assert response.json()["error"]
            assert snapshot(filing) == before
        pages_still_open(client, filing)

    rolled_back(check)


@per_example_rollback
@given(
    text=st.one_of(
        hostile.hostile_text,
        st.lists(
            st.lists(st.one_of(hostile.hostile_text, hostile.value_text), max_size=7),
            max_size=5,
        ).map(lambda lines: "\n".join("\t".join(cells) for cells in lines)),
    ),
    level2=st.one_of(hostile.json_scalar, st.sampled_from(["²", "１", "٣", "99999999999999"])),
)
@example(text="培训人数\t≥30(人)", level2="²")
@example(text="培训人数\t≥30(人)", level2="99999999999999999999999")
def test_paste_answers_rows_or_problems(client, personas, filings, text, level2):
    filing = filings["centre"]
    client.force_login(personas.filer)
    url = reverse("indicators:parse_paste", args=[filing.pk])
    before = snapshot(filing)
    body = json.dumps({"text": text, "level2": level2})
    response = client.post(url, body, content_type="application/json")
    assert response.status_code in (200, 400), response.content[:300]
    answer = response.json()
    if response.status_code == 200:
        for problem in answer["problems"]:
            assert problem["line"] >= 1 and problem["message"]
    assert snapshot(filing) == before


@per_example_rollback
@given(value=hostile.value_text)
@example(value=b"\xed\xa0\x80")  # a lone surrogate as a broken client encodes it
@example(value=b"\xff\xfe")
def test_live_preview_never_fails(client, personas, value):
    client.force_login(personas.filer)
    query = urlencode({"value": value})
    response = client.get(reverse("indicators:parse_value") + "?" + query)
    assert response.status_code == 200
    number = response.json()["number"]
    assert number is None or Decimal(number).is_finite()
