"""Filings as plain dicts with English keys: the project's JSON file format.

The parser of published forms produces these dicts, ``export_json`` writes
them and ``import_json`` reads them back, so one function saves them all
(``save_filing``) and one function writes them (``filing_to_dict``).
Amounts are decimal strings in the filing's printed unit; blanks are null.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError

from accounts.models import Organisation
from filings import cleaning, content
from filings.fields import FORM_FIELDS
from filings.limits import MAX_INDICATORS, MAX_TASKS
from filings.models import Filing, Task
from filings.money import AmountError, amount_str, echo, parse_amount
from indicators.models import Framework, Indicator
from indicators.taxonomy import Taxonomy
from indicators.weights import WeightError, parse_weight


class ImportProblem(Exception):
    """A filing that cannot be saved; the message is for the user, in Chinese."""


class ImproperValue(ImportProblem):
    """A value that does not fit its field; the message names both."""

    def __init__(self, label, value, reason):
        super().__init__(f"「{label}」的值「{echo(value)}」{reason}")


def filing_to_dict(filing, *, indicators=None, tasks=None, organisation=None):
    """The JSON object of one filing (indicators and tasks in form order).

    ``indicators`` (with ``level2__level1`` selected) and ``tasks`` may be passed
    when the caller already fetched them, to avoid reading them twice;
    ``organisation`` (names from the bureau down) likewise, instead of a walk up
    the tree that costs a query per level not selected with the filing.
    """
    data = {
        "form": filing.form,
        "year": filing.year,
        "status": filing.status,
        "organisation": filing.organisation.path() if organisation is None else organisation,
        "name": filing.name,
        "money_unit": filing.money_unit,
        "annual_goal": filing.annual_goal,
    }
    for field in FORM_FIELDS:
        if filing.form in field.forms:
            value = _json_value(field, getattr(filing, field.name))
            if not field.optional or value not in (None, ""):
                _put(data, field.json, value)
    if not filing.is_project:
        data["tasks"] = [
            {"key": str(t.key), "name": t.name, "content": t.content}
            for t in (filing.tasks.all() if tasks is None else tasks)
        ]
    data["value_heading"] = filing.value_heading
    data["indicators"] = [
        {
            "key": str(ind.key),
            "level1": ind.level2.level1.name,
            "level2": ind.level2.name,
            "name": ind.name,
            "value": ind.value,
            "explanation": ind.explanation,
            "basis": ind.basis,
            **_row_extras(ind),
        }
        for ind in (filing.indicators.all() if indicators is None else indicators)
    ]
    data.update(_filing_extras(filing))
    data["disclosure"] = {
        "disclosed": filing.disclosed,
        "reason": filing.nondisclosure_reason,
        "note": filing.nondisclosure_note,
    }
    data["warnings"] = filing.import_warnings
    data["source"] = filing.source
    return data


# Keys added with the 2021 rules are written only when set, so that the JSON (and the
# content hash made from it, which must never change for a version made before them)
# of a filing that does not use them is what it always was.
def _row_extras(indicator):
    extras = {
        "basis_text": indicator.basis_text,
        "core": indicator.core,
        "direction": indicator.direction,
        "period_value": indicator.period_value,
        "weight": amount_str(indicator.weight),
    }
    return {key: value for key, value in extras.items() if value}


def _filing_extras(filing):
    extras = {"execution_weight": amount_str(filing.execution_weight)}
    if filing.framework_id is not None and filing.framework.code != Framework.CLASSIC:
        extras["framework"] = filing.framework.code
    return {key: value for key, value in extras.items() if value}


def _json_value(field, value):
    if field.type == "money":
        return amount_str(value)
    if field.type == "date":
        return _date_str(value)
    return value


def _put(data, path, value):
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def _get(data, path):
    for key in path[:-1]:
        data = data.get(key) or {}
    return data.get(path[-1])


def export_queryset(queryset):
    """Filings ready for filing_to_dict without a query per row."""
    return queryset.select_related("organisation__parent__parent", "framework").prefetch_related(
        "tasks", "indicators__level2__level1"
    )


def _date_str(value):
    return value.isoformat() if value else None


def _parse_date(value, label):
    if value in (None, ""):
        return None
    try:
        date = datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ImproperValue(label, echo(value), "应为 YYYY-MM-DD 格式的日期") from exc
    problem = cleaning.date_problem(date)
    if problem:
        raise ImproperValue(label, value, problem)
    return date


def _parse_money(value, label, unit=None):
    if value is not None and not isinstance(value, str | int):
        raise ImproperValue(label, value, '应为写成文字的金额，如 "1200.00"')
    try:
        return parse_amount(value, unit)
    except AmountError as exc:
        raise ImproperValue(label, value, f"不是有效的金额：{exc}") from exc


# The JSON format, key by key: which keys hold text, whole numbers, objects and lists.
# Checked before anything is saved, so that a wrong type is a message naming the key,
# never a traceback (or a string taken apart into one row per character).
_TEXT_KEYS = ("form", "kind", "status", "name", "money_unit", "annual_goal", "value_heading")
_TEXT_KEYS += ("source", "framework")
_ROW_TEXT_KEYS = {
    "indicators": (
        *("key", "level1", "level2", "name", "value", "explanation", "basis"),
        *("basis_text", "direction", "period_value"),
    ),
    "tasks": ("key", "name", "content"),
}


def check_shape(data):
    """Raise ImportProblem unless ``data`` has the JSON format's shape and types."""
    if not isinstance(data, dict):
        raise ImportProblem(f"每份申报应为 JSON 对象，却是「{echo(json_type(data))}」")
    for key in _TEXT_KEYS:
        _expect(data, key, str)
    _expect(data, "year", int)
    for field in FORM_FIELDS:
        group = data
        if len(field.json) == 2:
            _expect(data, field.json[0], dict)
            group = data.get(field.json[0]) or {}
        kind = {"number": int, "money": str | int}.get(field.type, str)
        _expect_value(".".join(field.json), group.get(field.json[-1]), kind)
    _expect(data, "warnings", list)
    _check_disclosure(data.get("disclosure"))
    for what, keys in _ROW_TEXT_KEYS.items():
        _expect(data, what, list)
        rows = data.get(what) or []
        limit = MAX_INDICATORS if what == "indicators" else MAX_TASKS
        if len(rows) > limit:
            label = "三级指标" if what == "indicators" else "年度重点任务"
            raise ImportProblem(f"{label}超过上限 {limit} 条（有 {len(rows)} 条以上），未导入")
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                raise ImportProblem(f"「{what}」第 {number} 条应为 JSON 对象")
            for key in keys:
                _expect_value(f"{what}[{number}].{key}", row.get(key), str)
            if what == "indicators":
                _expect_value(f"{what}[{number}].weight", row.get("weight"), str | int)
                _expect_value(f"{what}[{number}].core", row.get("core"), bool)
    _expect_value("execution_weight", data.get("execution_weight"), str | int)


def _check_disclosure(disclosure):
    """「disclosure」: an object of 是否公开 (true or false) and, if not, reason and note."""
    if disclosure is None:
        return
    _expect_value("disclosure", disclosure, dict)
    disclosed = disclosure.get("disclosed")
    if disclosed is not None and not isinstance(disclosed, bool):
        raise ImportProblem(
            f"「disclosure.disclosed」应为真假值（true/false），却是{json_type(disclosed)}"
            f"「{echo(disclosed)}」"
        )
    for key in ("reason", "note"):
        _expect_value(f"disclosure.{key}", disclosure.get(key), str)


def json_type(value):
    names = {str: "文字", int: "整数", float: "小数", bool: "真假值", list: "列表", dict: "对象"}
    return names.get(type(value), "空值" if value is None else type(value).__name__)


def _expect(data, key, kind):
    _expect_value(key, data.get(key), kind)


def _expect_value(key, value, kind):
    if value is None:
        return
    wrong = isinstance(value, bool) != (kind is bool) or not isinstance(value, kind)
    if wrong:
        wanted = {str: "文字", int: "整数", dict: "对象", list: "列表", bool: "真假值"}
        wanted = wanted.get(kind, "文字或整数")
        raise ImportProblem(f"「{key}」应为{wanted}，却是{json_type(value)}「{echo(value)}」")
    # Line breaks are the field's business (content.create_filing knows which may hold
    # them); what no field holds is refused here, naming the key of the file.
    problem = cleaning.text_problem(value, multiline=True) if isinstance(value, str) else ""
    if problem:
        raise ImportProblem(f"「{key}」{problem}，未导入")


def save_filing(data, organisation, *, status=None, taxonomy=None):
    """Create one filing, its tasks and indicators from a dict of the JSON format.

    Validates every field as the model would and raises ImportProblem with a
    message naming the field; refuses a filing that already exists (same
    organisation, year and project name, or same overall form). Runs in a
    transaction: nothing is half-saved. ``taxonomy`` (a ``Taxonomy.load()``) is
    read once by callers saving many filings.
    """
    taxonomy = taxonomy or Taxonomy.load()
    check_shape(data)
    filing = _filing_from_json(data, organisation, status)
    indicators = _indicators_from_json(data.get("indicators") or [], taxonomy)
    tasks = _tasks_from_json(data.get("tasks") or [])
    try:
        return content.create_filing(filing, indicators=indicators, tasks=tasks)
    except content.ContentRefused as refused:
        raise ImportProblem(str(refused)) from None


def _filing_from_json(data, organisation, status):
    """The unsaved filing of ``data``, validated, and not one that exists already."""
    # "kind" was the key before the JSON format called it "form".
    form = data.get("form", data.get("kind"))
    if form not in Filing.Form.values:
        raise ImportProblem(f"未知的表式「{form}」")
    filing = Filing(
        form=form,
        year=data.get("year"),
        organisation=organisation,
        status=status or data.get("status") or Filing.Status.DRAFT,
        name=data.get("name") or "",
        money_unit=data.get("money_unit") or Filing.MoneyUnit.YUAN,
        annual_goal=data.get("annual_goal") or "",
        value_heading=data.get("value_heading") or "",
        import_warnings=data.get("warnings") or [],
        source=data.get("source") or "",
        framework=_framework_from_json(data.get("framework")),
        execution_weight=_parse_weight(data.get("execution_weight"), "预算执行率分值"),
    )
    disclosure = data.get("disclosure") or {}
    # Published unless the file says otherwise (published forms carry no such key).
    filing.disclosed = disclosure.get("disclosed") is not False
    filing.nondisclosure_reason = disclosure.get("reason") or ""
    filing.nondisclosure_note = disclosure.get("note") or ""
    for field in FORM_FIELDS:
        if form in field.forms:
            setattr(filing, field.name, field_from_json(filing, field, _get(data, field.json)))
    for name in ("year", "goal_start_year", "goal_end_year"):
        year = getattr(filing, name)
        problem = cleaning.year_problem(year)
        if problem:
            label = filing._meta.get_field(name).verbose_name
            raise ImproperValue(label, year, problem)
    _validate(filing, exclude=["organisation"])
    existing = _same_filing(filing)
    if existing is not None:
        raise ImportProblem(
            f"{organisation.name} {filing.year}年度已有《{existing.name}》"
            f"（编号 {existing.pk}），未重复导入"
        )
    return filing


def _indicators_from_json(rows, taxonomy):
    """Unsaved indicators of the JSON rows, each validated, with unique keys."""
    indicators = []
    for order, row in enumerate(rows, start=1):
        level1_name, level2_name = row.get("level1"), row.get("level2")
        level2 = taxonomy.level2(level1_name, level2_name)
        if level2 is None:
            raise ImportProblem(
                f"第 {order} 条三级指标：二级指标「{level2_name}」不属于一级指标「{level1_name}」"
                "（指标体系中没有这一组合）"
            )
        indicator = Indicator(
            key=_row_key(row, order, "三级指标"),
            level2=level2,
            order=order,
            name=row.get("name") or "",
            explanation=row.get("explanation") or "",
            basis=row.get("basis") or "",
            basis_text=row.get("basis_text") or "",
            core=bool(row.get("core")),
            direction=row.get("direction") or "",
            period_value=row.get("period_value") or "",
            weight=_parse_weight(row.get("weight"), f"第 {order} 条三级指标的分值"),
        )
        indicator.set_value(row.get("value") or "")
        # level2 came from the lookup above; skipping it saves a query per row.
        _validate(indicator, exclude=["filing", "level2"], row=order)
        indicators.append(indicator)
    _refuse_repeated_keys(indicators, "三级指标")
    return indicators


def _framework_from_json(code):
    """The edition named by ``code``; no key is the classic edition (files made before editions)."""
    try:
        return Framework.objects.get(code=code or Framework.CLASSIC)
    except Framework.DoesNotExist:
        codes = "、".join(Framework.objects.values_list("code", flat=True))
        raise ImportProblem(f"未知的指标体系「{echo(code)}」（可选：{codes}）") from None


def _parse_weight(value, label):
    """A 分值 from the file (a decimal string or a whole number), or None."""
    try:
        return parse_weight(value)
    except WeightError as exc:
        raise ImportProblem(f"「{label}」{exc}") from None


def _tasks_from_json(rows):
    """Unsaved task rows of the JSON rows, each validated, with unique keys."""
    tasks = [
        Task(
            key=_row_key(row, order, "年度重点任务"),
            order=order,
            name=row.get("name") or "",
            content=row.get("content") or "",
        )
        for order, row in enumerate(rows, start=1)
    ]
    for order, task in enumerate(tasks, start=1):
        _validate(task, exclude=["filing"], row=order, what="年度重点任务")
    _refuse_repeated_keys(tasks, "年度重点任务")
    return tasks


def _refuse_repeated_keys(rows, what):
    if len({row.key for row in rows}) != len(rows):
        raise ImportProblem(f"{what}中有重复的行标识（key）")


def field_from_json(filing, field, value):
    """The value of ``field`` (a ``FormField``) read from the JSON format; ImportProblem."""
    label = filing._meta.get_field(field.name).verbose_name
    if field.type == "money":
        return _parse_money(value, label, filing.money_unit)
    if field.type == "date":
        return _parse_date(value, label)
    if value is None and not field.nullable:
        return ""
    return value


def _row_key(row, order, what):
    """The row's key from the file, or a new one for a row that never had one."""
    key = row.get("key")
    if not key:
        return uuid.uuid4()
    try:
        return uuid.UUID(str(key))
    except ValueError:
        raise ImportProblem(f"第 {order} 条{what}：行标识「{key}」不是有效的 UUID") from None


def _same_filing(filing):
    """The filing that has the identity of ``filing`` already, if any."""
    same = Filing.objects.filter(
        organisation=filing.organisation, year=filing.year, form=filing.form
    )
    if filing.is_project:
        same = same.filter(name=filing.name)
    return same.exclude(pk=filing.pk).first()


def _validate(obj, *, exclude, row=None, what="三级指标"):
    try:
        # The constraints are kept by construction (only the form's own fields are set,
        # keys are checked above, _same_filing checks identity) and by the database;
        # validating them here would cost a query per constraint and filing.
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        parts = []
        for field, messages in exc.message_dict.items():
            label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
            parts.append(f"「{label}」{'；'.join(messages)}" if label else "；".join(messages))
        where = f"第 {row} 条{what}：" if row else ""
        raise ImportProblem(where + "；".join(parts)) from None


def organisation_from_path(path):
    """Find the organisation a JSON file names, creating missing ones on its path.

    A JSON file carries the full path (财政局 / 主管部门 / 预算单位); each name is
    looked up under the one before it, so a unit is never matched to a namesake
    in another tree. The level of each node follows its depth.
    """
    if not path or not isinstance(path, list) or not all(isinstance(n, str) for n in path):
        raise ImportProblem("缺少「organisation」（组织路径，应为名称列表）")
    levels = [Organisation.Level.BUREAU, Organisation.Level.DEPARTMENT, Organisation.Level.UNIT]
    if len(path) > len(levels):
        raise ImportProblem(f"组织路径「{echo(' / '.join(path))}」超过三级")
    for number, name in enumerate(path, start=1):
        _expect_value(f"organisation[{number}]", name, str)
        problem = cleaning.text_problem(name)  # one line: it names files and sheets
        if problem:
            raise ImportProblem(f"「organisation[{number}]」{problem}，未导入")
    parent = None
    for name, level in zip(path, levels, strict=False):
        org = Organisation.objects.filter(name=name, parent=parent).first()
        if org is None:
            org = Organisation(name=name, level=level, parent=parent)
            try:
                org.full_clean()
            except ValidationError as exc:
                raise ImportProblem(f"组织「{name}」：{'；'.join(exc.messages)}") from None
            org.save()
        elif org.level != level:
            raise ImportProblem(f"组织「{name}」已存在，但不是{Organisation.Level(level).label}")
        parent = org
    return parent
