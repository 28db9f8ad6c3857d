"""Property tests of ``import_json``: a hostile value anywhere in a filing's JSON.

The command either imports the whole file, and exporting it gives back what was
imported, or refuses it with a Chinese message naming the filing and the key, and
leaves the database as it was. Each example is rolled back at its end.
"""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import Organisation
from filings.limits import MAX_INDICATORS
from filings.models import Filing
from filings.serialization import filing_to_dict
from tests.helpers import strategies as hostile
from tests.helpers.properties import per_example_rollback, rolled_back

pytestmark = pytest.mark.django_db

GOOD = {
    "form": "unit",
    "year": 2026,
    "organisation": ["某区财政局", "某局", "某中心"],
    "name": "某中心",
    "money_unit": "万元",
    "duties": "职责",
    "budget": {"total": "100.00", "fiscal": "80"},
    "staff": 12,
    "tasks": [{"name": "任务", "content": "内容"}],
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "name": "场次", "value": "≥2(场)"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "value": "≥90%"},
    ],
}

# Every place a value sits in GOOD, as a path of keys and indexes, plus missing keys.
PATHS = [
    ("form",),
    ("year",),
    ("organisation",),
    ("organisation", 2),
    ("name",),
    ("money_unit",),
    ("duties",),
    ("budget",),
    ("budget", "total"),
    ("budget", "fiscal"),
    ("staff",),
    ("status",),
    ("value_heading",),
    ("tasks",),
    ("tasks", 0, "name"),
    ("tasks", 0, "content"),
    ("tasks", 0, "key"),
    ("indicators",),
    ("indicators", 0),
    ("indicators", 0, "level1"),
    ("indicators", 0, "level2"),
    ("indicators", 0, "name"),
    ("indicators", 0, "value"),
    ("indicators", 1, "explanation"),
    ("indicators", 1, "basis"),
    ("indicators", 1, "key"),
]
MISSING = object()


def _with(path, value):
    data = copy.deepcopy(GOOD)
    place = data
    for part in path[:-1]:
        place = place[part]
    if value is MISSING:
        if isinstance(place, dict):
            place.pop(path[-1], None)
    else:
        place[path[-1]] = value
    return data


def _state():
    return (
        sorted(Organisation.objects.values_list("name", flat=True)),
        [filing_to_dict(f) for f in Filing.objects.order_by("pk")],
    )


def _import(tmp_path, items):
    path = tmp_path / "in.json"
    # ensure_ascii writes a lone surrogate as the escape "\ud800", as other tools do.
    path.write_text(json.dumps(items, ensure_ascii=True), encoding="utf-8")
    call_command("import_json", str(path), stdout=io.StringIO())


@per_example_rollback
@given(
    path=st.sampled_from(PATHS),
    value=st.one_of(
        hostile.json_scalar,
        st.just(MISSING),
        st.just(hostile.LONE_SURROGATE),
        st.just("名称" + hostile.LONE_SURROGATE),
    ),
)
@example(path=("name",), value="某" + hostile.LONE_SURROGATE)
@example(path=("organisation", 2), value=hostile.LONE_SURROGATE)
@example(path=("tasks", 0, "content"), value="\ud83d")
@example(path=("indicators", 0, "value"), value="=" + "9" * 30)
@example(path=("indicators", 0, "value"), value="≥1.1234567(场)")
@example(path=("budget", "total"), value="9" * 30)
@example(path=("budget", "total"), value=10**30)
@example(path=("staff",), value=10**30)
@example(path=("organisation", 2), value="某" * 1000)
@example(path=("tasks", 0, "key"), value=["x"])
def test_import_json_whole_or_nothing(tmp_path, path, value):
    def check():
        before = _state()
        data = _with(path, value)
        try:
            _import(tmp_path, [data])
        except CommandError as refusal:
            message = str(refusal)
            assert "第 1 份" in message or "无法读取" in message, message
            assert message.endswith("文件未导入。") or "无法读取" in message
            assert _state() == before
            return
        filing = Filing.objects.get(name=data["name"])
        exported = filing_to_dict(filing)
        # What was imported is what is exported (amounts as decimal strings).
        assert exported["name"] == data["name"]
        assert [i["value"] for i in exported["indicators"]] == [
            (i.get("value") or "")
            for i in data.get("indicators") or []  # null or missing: none
        ]

    rolled_back(check)


@per_example_rollback
@given(size=st.sampled_from([MAX_INDICATORS + 1, 2000]))
def test_huge_indicator_tree_is_refused_whole(tmp_path, size):
    def check():
        before = _state()
        data = copy.deepcopy(GOOD)
        data["indicators"] = data["indicators"][:1] * size
        with pytest.raises(CommandError, match="三级指标超过上限"):
            _import(tmp_path, [data])
        assert _state() == before

    rolled_back(check)
