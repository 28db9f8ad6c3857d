"""Property tests of the wizard's steps: hostile text and amounts in every field.

A draft keeps whatever is valid (``filings.wizard.views._save``): a refused field
keeps its saved value and is shown back as typed with a message naming it; an
accepted one reads back as typed. Each example is rolled back at its end.
"""

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from filings.cleaning import normalise_lines
from filings.models import Filing
from filings.money import parse_amount
from filings.wizard import steps
from filings.wizard.forms import MoneyField
from tests.conftest import make_filing
from tests.helpers import strategies as hostile
from tests.helpers.properties import pages_still_open, per_example_rollback, rolled_back

pytestmark = pytest.mark.django_db


def _step_fields(form):
    """(step slug, field name, field) of every field of every step of ``form``."""
    found = []
    for step in steps.steps_for(form):
        if step.part != "fields":
            continue
        fields = step.form_class(instance=Filing(form=form)).fields
        found += [(step.slug, name, field) for name, field in fields.items()]
    return found


PROJECT_FIELDS = _step_fields(Filing.Form.PROJECT)
DEPARTMENT_FIELDS = _step_fields(Filing.Form.DEPARTMENT)


def _post_step(client, filing, slug, name, text):
    form_class = steps.find_step(filing.form, slug).form_class
    form = form_class(instance=filing)
    data = {f: form[f].value() for f in form.fields}
    data = {f: ("" if v is None else form.fields[f].prepare_value(v)) for f, v in data.items()}
    data[name] = text
    data["lock_version"] = filing.lock_version
    data["nav"] = "save"
    url = reverse("filings:wizard", args=[filing.pk, slug])
    return client.post(url, data)


def _check_field(client, filing, slug, name, field, text):
    filing.refresh_from_db()  # an earlier example saved it, then rolled back
    before = Filing.objects.get(pk=filing.pk)
    response = _post_step(client, filing, slug, name, text)
    assert response.status_code in (200, 302), response.content[:300]
    after = Filing.objects.get(pk=filing.pk)
    page = response.content.decode()
    if response.status_code == 200:
        # Refused: the message names the field, what was typed is on the page, nothing saved.
        assert f"「{field.label}」" in page
        assert getattr(after, name) == getattr(before, name)
        if text.strip() and "\x00" not in text and len(text) < 1000:
            assert html.escape(text.strip()[:30]) in page or html.escape(text[:30]) in page
    elif isinstance(field, MoneyField):
        unit = after.money_unit
        assert getattr(after, name) == parse_amount(text, unit)
        assert isinstance(getattr(after, name), Decimal | None)
    elif name not in ("name", "money_unit", "variant", "funding_mode") and isinstance(
        getattr(after, name), str
    ):
        # Multi-line fields keep their lines as LF (filings.cleaning).
        assert getattr(after, name) in (text.strip(), text, normalise_lines(text.strip()))
    pages_still_open(client, after)


@per_example_rollback
@given(
    target=st.sampled_from(PROJECT_FIELDS),
    text=st.one_of(hostile.form_text, hostile.amount_text),
)
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "funds_total"), text="9" * 30)
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "funds_total"), text="1e+29")
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "name"), text="项目\x00名称")
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "overall_goal"), text="目标" * 5000)
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "goal_start_year"), text="9" * 30)
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "start_date"), text="99999-01-01")
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "start_date"), text="0001-01-01")
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "overall_goal"), text="一、\r\n二、")
@example(target=next(f for f in PROJECT_FIELDS if f[1] == "name"), text="项目\u202e名称")
def test_project_step_field(client, personas, filings, target, text):
    slug, name, field = target
    filing = filings["centre"]
    client.force_login(personas.filer)
    rolled_back(lambda: _check_field(client, filing, slug, name, field, text))


@per_example_rollback
@given(
    target=st.sampled_from(DEPARTMENT_FIELDS),
    text=st.one_of(hostile.form_text, hostile.amount_text),
)
@example(target=next(f for f in DEPARTMENT_FIELDS if f[1] == "staff_count"), text="-1")
@example(
    target=next(f for f in DEPARTMENT_FIELDS if f[1] == "budget_total"), text="１２３４５．６７"
)
def test_department_step_field(client, orgs, personas, target, text):
    slug, name, field = target
    client.force_login(personas.department_filer)

    def check():
        filing = make_filing(orgs.civil_affairs, name="民政局", form=Filing.Form.DEPARTMENT)
        _check_field(client, filing, slug, name, field, text)

    rolled_back(check)


@per_example_rollback
@given(
    rows=st.lists(st.tuples(hostile.hostile_text, hostile.hostile_text), max_size=4),
    key=st.one_of(hostile.hostile_text, st.just("")),
)
@example(rows=[("任务\x00", "内容")], key="")
@example(rows=[("任务", "内容\x00")], key="")
@example(rows=[("任务" * 101, "内容")], key="")
@example(rows=[("任务", "一、\r\n二、")], key="")
def test_task_rows(client, orgs, personas, rows, key):
    client.force_login(personas.department_filer)

    def check():
        filing = make_filing(orgs.civil_affairs, name="民政局", form=Filing.Form.DEPARTMENT)
        filing.tasks.create(name="原任务", content="原内容", order=1)
        url = reverse("filings:wizard", args=[filing.pk, "tasks"])
        data = {
            "task-key": [key] * len(rows),
            "task-name": [name for name, _content in rows],
            "task-content": [content for _name, content in rows],
            "lock_version": filing.lock_version,
            "nav": "save",
        }
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.content[:300]
        saved = [(t.name, t.content) for t in filing.tasks.order_by("order")]
        if response.status_code == 200:
            assert "任务" in response.content.decode()
            assert saved == [("原任务", "原内容")]
        else:
            typed = [
                (n.strip(), normalise_lines(c.strip())) for n, c in rows if n.strip() or c.strip()
            ]
            assert saved == typed
        pages_still_open(client, filing)

    rolled_back(check)
