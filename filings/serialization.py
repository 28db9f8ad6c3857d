"""Filings as plain dicts with English keys: the project's JSON file format.

The parser of published forms produces these dicts, ``export_json`` writes
them and ``import_json`` reads them back, so one function saves them all
(``save_filing``) and one function writes them (``filing_to_dict``).
Amounts are decimal strings in the filing's printed unit; blanks are null.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from filings.models import Filing, Organisation, Task
from filings.money import AmountError, amount_str, parse_amount
from indicators.models import Indicator, Level2

PROJECT_FUNDS = {
    "total": "funds_total",
    "fiscal": "funds_fiscal",
    "other": "funds_other",
    "annual_total": "annual_total",
    "appropriation": "annual_appropriation",
    "carryover": "annual_carryover",
    "annual_other": "annual_other",
}
OVERALL_BUDGET = {
    "total": "budget_total",
    "fiscal": "budget_fiscal",
    "other": "budget_other",
    "basic": "budget_basic",
    "project": "budget_project",
}
# JSON key -> model field, for the plain (text or number) fields of each form.
PROJECT_PLAIN = {
    "variant": "variant",
    "nature": "nature",
    "category": "category",
    "department": "department",
    "implementing_unit": "implementing_unit",
    "goal_start_year": "goal_start_year",
    "goal_end_year": "goal_end_year",
    "money_unit": "money_unit",
    "overall_goal": "overall_goal",
    "annual_goal": "annual_goal",
}
OVERALL_PLAIN = {
    "funding_mode": "funding_mode",
    "duties": "duties",
    "annual_goal": "annual_goal",
    "staff": "staff_count",
    "internal_bodies": "internal_bodies",
    "subordinate_units": "subordinate_units",
    "input_note": "input_note",
}


class ImportProblem(Exception):
    """A filing that cannot be saved; the message is for the user, in Chinese."""


class ImproperValue(ImportProblem):
    """A value that does not fit its field; the message names both."""

    def __init__(self, label, value, reason):
        super().__init__(f"「{label}」的值「{value}」{reason}")


def filing_to_dict(filing):
    """The JSON object of one filing (indicators and tasks in form order)."""
    data = {
        "kind": filing.kind,
        "year": filing.year,
        "status": filing.status,
        "organisation": filing.organisation.path(),
        "name": filing.name,
    }
    if filing.is_project:
        data.update({key: getattr(filing, field) for key, field in PROJECT_PLAIN.items()})
        data["start"] = _date_str(filing.start_date)
        data["end"] = _date_str(filing.end_date)
        data["funds"] = {
            key: amount_str(getattr(filing, field)) for key, field in PROJECT_FUNDS.items()
        }
    else:
        data.update({key: getattr(filing, field) for key, field in OVERALL_PLAIN.items()})
        data["assets_total"] = amount_str(filing.assets_total)
        data["budget"] = {
            key: amount_str(getattr(filing, field)) for key, field in OVERALL_BUDGET.items()
        }
        data["tasks"] = [{"name": t.name, "content": t.content} for t in filing.tasks.all()]
    data["value_heading"] = filing.value_heading
    data["indicators"] = [
        {
            "level1": ind.level2.level1.name,
            "level2": ind.level2.name,
            "name": ind.name,
            "value": ind.value,
            "explanation": ind.explanation,
            "basis": ind.basis,
        }
        for ind in filing.indicators.all()
    ]
    data["warnings"] = filing.import_warnings
    data["source"] = filing.source
    return data


def export_queryset(queryset):
    """Filings ready for filing_to_dict without a query per row."""
    return queryset.select_related("organisation__parent__parent").prefetch_related(
        "tasks", "indicators__level2__level1"
    )


def _date_str(value):
    return value.isoformat() if value else None


def _parse_date(value, label):
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ImproperValue(label, value, "应为 YYYY-MM-DD 格式的日期") from exc


def _parse_money(value, label):
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise ImproperValue(label, value, "不是有效的金额") from exc


class Level2Lookup:
    """Finds 二级指标 rows by (一级, 二级) names, one query for all."""

    def __init__(self):
        self.by_names = {
            (level2.level1.name, level2.name): level2
            for level2 in Level2.objects.select_related("level1")
        }

    def get(self, level1, level2):
        try:
            return self.by_names[(level1, level2)]
        except KeyError:
            raise ImportProblem(
                f"二级指标「{level2}」不属于一级指标「{level1}」（指标体系中没有这一组合）"
            ) from None


def save_filing(data, organisation, *, status=None, level2s=None):
    """Create one filing, its tasks and indicators from a dict of the JSON format.

    Validates every field as the model would and raises ImportProblem with a
    message naming the field. Runs in a transaction: nothing is half-saved.
    """
    level2s = level2s or Level2Lookup()
    kind = data.get("kind")
    if kind not in Filing.Kind.values:
        raise ImportProblem(f"未知的表式「{kind}」")
    filing = Filing(
        kind=kind,
        year=data.get("year"),
        organisation=organisation,
        status=status or data.get("status") or Filing.Status.DRAFT,
        name=data.get("name") or "",
        value_heading=data.get("value_heading") or "",
        import_warnings=data.get("warnings") or [],
        source=data.get("source") or "",
    )
    if filing.is_project:
        _set_plain(filing, data, PROJECT_PLAIN)
        filing.start_date = _parse_date(data.get("start"), "计划开始日期")
        filing.end_date = _parse_date(data.get("end"), "计划完成日期")
        _set_money(filing, data.get("funds") or {}, PROJECT_FUNDS)
    else:
        _set_plain(filing, data, OVERALL_PLAIN)
        filing.assets_total = _parse_money(data.get("assets_total"), "年末资产总额")
        _set_money(filing, data.get("budget") or {}, OVERALL_BUDGET)
    if not filing.money_unit:
        filing.money_unit = Filing.MoneyUnit.YUAN
    _validate(filing, exclude=["organisation"])

    indicators = []
    for order, row in enumerate(data.get("indicators") or [], start=1):
        try:
            level2 = level2s.get(row.get("level1"), row.get("level2"))
        except ImportProblem as exc:
            raise ImportProblem(f"第 {order} 条三级指标：{exc}") from None
        indicator = Indicator(
            level2=level2,
            order=order,
            name=row.get("name") or "",
            explanation=row.get("explanation") or "",
            basis=row.get("basis") or "",
        )
        indicator.set_value(row.get("value") or "")
        # level2 came from the lookup above; skipping it saves a query per row.
        _validate(indicator, exclude=["filing", "level2"], row=order)
        indicators.append(indicator)
    tasks = [
        Task(order=order, name=row.get("name") or "", content=row.get("content") or "")
        for order, row in enumerate(data.get("tasks") or [], start=1)
    ]
    for order, task in enumerate(tasks, start=1):
        _validate(task, exclude=["filing"], row=order, what="年度重点任务")

    with transaction.atomic():
        filing.save()
        for item in indicators + tasks:
            item.filing = filing
        Indicator.objects.bulk_create(indicators)
        Task.objects.bulk_create(tasks)
    return filing


def _set_plain(filing, data, mapping):
    for key, field in mapping.items():
        value = data.get(key)
        if value is None and not filing._meta.get_field(field).null:
            value = ""
        setattr(filing, field, value)


def _set_money(filing, amounts, mapping):
    for key, field in mapping.items():
        label = filing._meta.get_field(field).verbose_name
        setattr(filing, field, _parse_money(amounts.get(key), label))


def _validate(obj, *, exclude, row=None, what="三级指标"):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        parts = []
        for field, messages in exc.message_dict.items():
            label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
            parts.append(f"「{label}」{'；'.join(messages)}" if label else "；".join(messages))
        where = f"第 {row} 条{what}：" if row else ""
        raise ImportProblem(where + "；".join(parts)) from None


def find_organisation(name):
    try:
        return Organisation.objects.get(name=name)
    except Organisation.DoesNotExist:
        return None


def organisation_from_path(path):
    """Find the organisation a JSON file names, creating missing ones on its path.

    A JSON file carries the full path (财政局 / 主管部门 / 预算单位), so a
    fresh database can take it; the kind of each level follows its depth.
    """
    if not path:
        raise ImportProblem("缺少「organisation」（组织路径）")
    kinds = [Organisation.Kind.BUREAU, Organisation.Kind.DEPARTMENT, Organisation.Kind.UNIT]
    if len(path) > len(kinds):
        raise ImportProblem(f"组织路径「{' / '.join(path)}」超过三级")
    parent = None
    for name, kind in zip(path, kinds, strict=False):
        org = find_organisation(name)
        if org is None:
            org = Organisation(name=name, kind=kind, parent=parent)
            org.full_clean()
            org.save()
        parent = org
    return parent
