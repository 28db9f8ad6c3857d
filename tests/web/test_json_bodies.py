"""JSON endpoints never answer a 500: a bad body is a 400 in Chinese naming its key.

The editor's ``rows/`` and ``paste/`` read a JSON body through perfgoals/jsonbody.py;
each body below used to reach ``json.loads`` or the code after it and end in an
HTML 500 page (``OverflowError`` for ``1e309``, ``RecursionError`` for deep nesting,
``UnicodeEncodeError`` for a lone surrogate). The filing never changes.
"""

import json
import logging
import re
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from filings.serialization import filing_to_dict
from indicators import editor
from indicators.models import Level2
from perfgoals import jsonbody
from tests.conftest import make_filing

CHINESE = re.compile("[\u4e00-\u9fff]")

# Where each endpoint takes a number and a text: (body template, the key's name).
PLACES = {
    "indicators:save_rows": {
        "number": ('{"lock_version": %s, "rows": []}', "lock_version"),
        "text": (
            '{"lock_version": 0, "rows": [{"key": "", "level2": %d, "name": %s, "value": "≥1人"}]}',
            "rows[0].name",
        ),
    },
    "indicators:parse_paste": {
        "number": ('{"text": "培训人数\\t≥30人", "level2": %s}', "level2"),
        "text": ('{"level2": %d, "text": %s}', "text"),
    },
}
ENDPOINTS = list(PLACES)

BAD_NUMBERS = {
    "1e309": "1e309",
    "-1e309": "-1e309",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "past 64 bits": "99999999999999999999999",
    "5000 digits": "9" * 5000,
}
BAD_TEXTS = {
    "lone high surrogate": '"\\ud800"',
    "lone low surrogate": '"培训\\udc00人数"',
}
BAD_BODIES = {
    "nested 100,000 deep": b'{"rows": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested objects": b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    "a list": b"[1, 2]",
    "a string": b'"rows"',
    "not UTF-8": b'{"text": "\xff\xfe"}',
    "not JSON": b'{"lock_version": 0,',
}


@pytest.fixture
def draft(orgs):
    return make_filing(orgs.elderly_centre, name="老龄中心项目")


@pytest.fixture
def filer(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.filer)
    return client


def _post(client, name, filing, body):
    return client.post(
        reverse(name, args=[filing.pk]),
        body,
        content_type="application/json",
        headers={"Accept": "application/json"},
    )


def _refused(response, key=None):
    """The answer is a 400 in JSON, with a Chinese message naming ``key``."""
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["ok"] is False and answer["errors"] == []
    assert CHINESE.search(answer["error"]), answer["error"]
    if key:
        assert key in answer["error"], answer["error"]
    return answer["error"]


def _level2():
    return Level2.objects.get(level1__name="产出指标", name="数量指标").pk


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("raw", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_a_number_json_cannot_hold_is_refused_naming_its_key(filer, draft, name, raw):
    template, key = PLACES[name]["number"]
    before = filing_to_dict(draft)
    _refused(_post(filer, name, draft, template % raw), key)
    draft.refresh_from_db()
    assert filing_to_dict(draft) == before


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("raw", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_a_lone_surrogate_is_refused_naming_its_key(filer, draft, name, raw):
    template, key = PLACES[name]["text"]
    before = filing_to_dict(draft)
    _refused(_post(filer, name, draft, template % (_level2(), raw)), key)
    draft.refresh_from_db()
    assert filing_to_dict(draft) == before


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_body_that_is_not_a_json_object_is_refused(filer, draft, name, body):
    before = filing_to_dict(draft)
    _refused(_post(filer, name, draft, body))
    draft.refresh_from_db()
    assert filing_to_dict(draft) == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_body_over_the_limit_is_refused_before_it_is_read(filer, draft, name, settings):
    settings.JSON_BODY_MAX_BYTES = 4096
    body = json.dumps({"lock_version": 0, "rows": [], "text": "测" * 5000})
    error = _refused(_post(filer, name, draft, body))
    assert "4 KB" in error


@pytest.mark.parametrize("value", ['"一"', "true", "1.5", '"1e3"', "-1", "null", "[0]"])
def test_lock_version_of_the_wrong_type_is_refused_naming_it(filer, draft, value):
    body = f'{{"lock_version": {value}, "rows": []}}'
    _refused(_post(filer, "indicators:save_rows", draft, body), "lock_version")


def test_a_real_save_still_goes_through(filer, draft):
    rows = [
        {"key": str(i.key), "level2": i.level2_id, "name": i.name, "value": i.value}
        for i in draft.indicators.all()
    ]
    rows[0]["name"] = "培训人数（含[括号]与{花括号}" + "[" * 40 + "）"
    body = json.dumps({"lock_version": 0, "rows": rows}, ensure_ascii=False)
    response = _post(filer, "indicators:save_rows", draft, body.encode())
    assert response.status_code == 200, response.content[:300]
    assert response.json()["lock_version"] == 1
    assert draft.indicators.get(order=1).name.startswith("培训人数（含[括号]")


# --- the reader on its own -----------------------------------------------------------


def test_brackets_inside_strings_are_not_nesting():
    body = json.dumps({"text": "[" * 1000 + '\\"{' * 100, "rows": [[["a]"]]]}).encode()
    assert jsonbody.depth(body) == 4
    assert jsonbody.parse(body)["rows"] == [[["a]"]]]


def test_a_megabyte_of_brackets_is_refused_at_once():
    body = b"[" * (1024 * 1024 - 1)
    started = time.perf_counter()
    with pytest.raises(jsonbody.BadBody):
        jsonbody.parse(body, limit=2 * 1024 * 1024)
    # The cheap scan, not the parser: well under a second even on a busy machine.
    assert time.perf_counter() - started < 1


def test_the_key_of_a_nested_bad_value_is_named():
    with pytest.raises(jsonbody.BadBody) as refused:
        jsonbody.parse(b'{"rows": [{"name": "a"}, {"explanation": "\\ud83d"}]}')
    assert refused.value.key == "rows[1].explanation"


@pytest.mark.parametrize("value", ["--1", "1_000", "١", "", "-", True, 1.0, None, 2**63, -1])
def test_an_integer_field_takes_only_a_plain_integer_in_range(value):
    with pytest.raises(jsonbody.BadBody) as refused:
        jsonbody.integer({"lock_version": value}, "lock_version")
    assert "lock_version" in str(refused.value)


def test_an_integer_field_takes_digits_as_a_form_sends_them():
    assert jsonbody.integer({"lock_version": " 7 "}, "lock_version") == 7
    assert jsonbody.integer({"lock_version": 2**63 - 1}, "lock_version") == 2**63 - 1


def test_an_empty_body_is_an_empty_object():
    assert jsonbody.parse(b"") == {}


# --- a crash still answers JSON ------------------------------------------------------


def test_a_crash_in_a_json_endpoint_is_a_json_500_and_is_logged(filer, draft, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the editor")

    monkeypatch.setattr(editor, "save_rows", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = _post(filer, "indicators:save_rows", draft, b'{"lock_version": 0, "rows": []}')
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["ok"] is False and "系统出错了" in answer["error"]
    assert "RuntimeError" not in answer["error"]
    # Hidden from the user, not from the people who fix it.
    assert any(
        record.exc_info and "a bug in the editor" in str(record.exc_info[1])
        for record in caplog.records
    )


def _broken(*args, **kwargs):
    raise RuntimeError("a bug")


# Every view that answers a script: (URL name, what breaks in it, how the script asks).
SCRIPT_CALLS = {
    "rows": ("indicators:save_rows", "indicators.editor.save_rows", "post_json"),
    "paste": ("indicators:parse_paste", "indicators.editor.parse_pasted", "post_json"),
    "parse-value": ("indicators:parse_value", "indicators.views.parse_value", "get"),
    "suggest": ("indicators:library_suggest", "indicators.library_views.suggest", "get"),
    "library add": (
        "indicators:library_add",
        "indicators.library_views.filing_access",
        "post_form",
    ),
    "export status": ("exports:export_status", "exports.jobs.jobs_of", "get"),
    "wizard autosave": ("filings:wizard", "filings.wizard.views._save", "autosave"),
}


@pytest.mark.parametrize("call", SCRIPT_CALLS.values(), ids=SCRIPT_CALLS.keys())
def test_every_script_endpoint_answers_a_crash_in_json(filer, draft, monkeypatch, call):
    name, target, how = call
    monkeypatch.setattr(target, _broken)
    if how == "post_json":
        # Without an Accept header: the view itself says it only answers JSON.
        response = filer.post(
            reverse(name, args=[draft.pk]),
            b'{"lock_version": 0, "rows": [], "text": "a"}',
            content_type="application/json",
        )
    elif how == "post_form":
        response = filer.post(reverse(name), {"filing": draft.pk, "key": str(uuid.uuid4())})
    elif how == "autosave":
        response = filer.post(
            reverse(name, args=[draft.pk, "basic"]),
            {"lock_version": 0, "name": "改名"},
            headers={"X-Autosave": "1"},
        )
    elif name == "exports:export_status":
        response = filer.get(reverse(name, args=[uuid.uuid4()]))
    else:
        response = filer.get(reverse(name), {"value": "≥90%", "q": "培训"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "系统出错了" in response.json()["error"]


def test_a_crash_of_a_page_is_still_the_html_500(personas, draft, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(personas.filer)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the editor page")

    monkeypatch.setattr(editor, "editor_context", broken)
    response = client.get(reverse("indicators:editor_page", args=[draft.pk]))
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


# --- the wizard's autosave (a form body, a JSON answer) ------------------------------


def test_an_autosave_django_refuses_as_too_big_answers_json(filer, draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    before = filing_to_dict(draft)
    response = filer.post(
        reverse("filings:wizard", args=[draft.pk, "basic"]),
        {"lock_version": 0, "name": "测" * 2000},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "过大" in response.json()["error"]
    draft.refresh_from_db()
    assert filing_to_dict(draft) == before


def test_a_page_django_refuses_as_too_big_is_still_its_400_page(filer, draft, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = filer.post(
        reverse("filings:wizard", args=[draft.pk, "basic"]),
        {"lock_version": 0, "name": "测" * 2000},
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("value", ["1e309", "99999999999999999999999", "NaN", "١", "-1"])
def test_the_wizard_autosave_with_a_bad_lock_version_answers_json(filer, draft, value):
    before = filing_to_dict(draft)
    response = filer.post(
        reverse("filings:wizard", args=[draft.pk, "basic"]),
        {"lock_version": value, "name": "改名"},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 409
    assert CHINESE.search(response.json()["error"])
    draft.refresh_from_db()
    assert filing_to_dict(draft) == before
