"""Every write of a filing's content: the one service, and the rules each write keeps.

The wizard, the indicator editor (its autosave and paste), copying from last
year, the Excel upload, ``import_json``, the import of published forms and the
admin site's filing, indicator and task pages all write through here. Each
write

- claims the filing (``filings.editing``): with the ``lock_version`` of the
  caller's page when it has one, and always bumping it, so that no write,
  an admin's included, is silently overwritten by a page opened before it;
- refuses a frozen filing (submitted, in review, approved: not in
  ``Filing.EDITABLE_STATUSES``), also when a row is moved into one;
- cleans every text with the one cleaner (``filings.cleaning``), bounds
  amounts (``filings.money``), years and dates (``filings.cleaning``), and
  checks choices and lengths;
- saves everything or nothing, raising ``ContentRefused`` with the problems
  (field and a Chinese message naming it) that each caller shows its own way:
  form errors, a JSON 400, an import report, the admin's field errors.

New filings (a new draft, a copy, an import) are created here too, with the
same cleaning, through ``create_filing``.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from filings import cleaning, editing
from filings import fields as form_fields
from filings.editing import StaleEdit
from filings.models import Filing, Task
from filings.money import AmountError, check_amount
from indicators.models import Framework, Indicator
from indicators.values import clean_value

__all__ = [
    "UNGUARDED",
    "ContentRefused",
    "Problem",
    "StaleEdit",
    "claim_for_attachments",
    "create_filing",
    "delete_rows",
    "field_problems",
    "replace_content",
    "save_fields",
    "save_indicators",
    "save_row",
    "save_rows_of",
    "save_tasks",
]

# For ``seen_version``: a write that no page version guards (the admin site's forms).
UNGUARDED = object()

_MONEY = frozenset(form_fields.MONEY_FIELDS)
_YEAR_FIELDS = frozenset(("year", "goal_start_year", "goal_end_year"))
# The fields the 2021 rules added to a row (财预〔2021〕101号). A row posted without one of
# them keeps what it had: a caller that does not know them (an older page still open, the
# Excel sheet of an older export) never wipes them.
NEW_ROW_FIELDS = ("basis_text", "core", "direction", "period_value", "weight")
# What the service writes of a row; bulk_update writes only these.
INDICATOR_FIELDS = (
    "level2",
    "order",
    "name",
    "value",
    "value_type",
    "operator",
    "number",
    "unit",
    "explanation",
    "basis",
    *NEW_ROW_FIELDS,
)
# What tells whether a row changed, and what a copy of a row carries (level2 by id: no query).
INDICATOR_COMPARED = ("level2_id", *(name for name in INDICATOR_FIELDS if name != "level2"))
INDICATOR_FIELDS_BY_COMPARED = ("level2", *INDICATOR_COMPARED[1:])
_INDICATOR_TEXT = ("name", "value", "explanation", "basis", "basis_text", "direction")
_INDICATOR_TEXT += ("period_value",)
_INDICATOR_CHECKED = (*_INDICATOR_TEXT, "number", "weight")
_TASK_TEXT = ("name", "content")
_NUMBER = Indicator._meta.get_field("number")


@dataclass(frozen=True)
class Problem:
    """Why a value cannot be saved: the model field, where it is (「label」) and why.

    ``message`` names the field, for callers that show problems in a list; a form
    that shows ``reason`` beside the field's input names it already.
    """

    field: str
    reason: str
    where: str = ""
    row: int | None = None

    @property
    def message(self):
        return f"{self.where}{self.reason}"

    def __str__(self):
        return self.message


class ContentRefused(Exception):
    """Nothing was saved; ``problems`` says why, field by field."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("；".join(problem.message for problem in self.problems))

    def by_field(self):
        """``{field: [message, …]}`` for a form's errors."""
        grouped = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem.message)
        return grouped


# --- The rules of one value ----------------------------------------------------------


def _value_problem(model_field, value, unit):
    """(the value as stored, why it cannot be) for one field of a filing or a row."""
    name = model_field.name
    if isinstance(model_field, models.CharField | models.TextField):
        if value is None:
            return "", ""
        multiline = is_multiline(model_field)
        problem = cleaning.text_problem(
            value, multiline=multiline, max_length=model_field.max_length
        )
        if problem:
            return value, problem
        if multiline:
            value = cleaning.normalise_lines(value)
        choices = [str(key) for key, _label in model_field.flatchoices]
        if value and choices and value not in choices:
            return value, _("只能选择：%(choices)s") % {"choices": "、".join(choices)}
        return value, ""
    if isinstance(model_field, models.DateField):
        return value, cleaning.date_problem(value)
    if name in _YEAR_FIELDS:
        return value, cleaning.year_problem(value)
    if name in _MONEY and value is not None:
        try:
            check_amount(value, unit)
        except AmountError as exc:
            return value, str(exc)
        return value, ""
    if name == "number" and value is not None:
        return value, number_problem(value)
    if isinstance(model_field, models.DecimalField) and value is not None:
        # 分值: 0 to 100, two decimals (the field's own validators say so in Chinese).
        try:
            model_field.run_validators(value)
        except ValidationError as exc:
            return value, "；".join(exc.messages)
    if isinstance(model_field, models.IntegerField) and value is not None:
        # Counts (年末在职人数…): not negative, within the column.
        try:
            model_field.run_validators(value)
        except ValidationError as exc:
            return value, "；".join(exc.messages)
    return value, ""


# Single-line CharFields that are printed in a wrapped cell and come back from published
# forms and sheets with their line breaks (满意度\n（多行）): they keep them.
_WRAPPED = frozenset({"indicators.indicator.name"})


def is_multiline(model_field):
    """Whether a text field may hold line breaks: a TextField, or a wrapped table cell."""
    label = f"{model_field.model._meta.label_lower}.{model_field.name}"
    return isinstance(model_field, models.TextField) or label in _WRAPPED


def number_problem(number):
    """Why the number column cannot hold ``number`` exactly, or "".

    The column keeps 20 digits, 6 of them decimals: a bigger number would fail on
    PostgreSQL and a finer one be rounded, so the value is refused as typed.
    """
    if number is None:
        return ""
    places = _NUMBER.decimal_places
    whole_digits = _NUMBER.max_digits - places
    if abs(number) >= 10**whole_digits:
        return _("的数值过大（整数部分不能超过 %(digits)s 位）。") % {"digits": whole_digits}
    if -number.as_tuple().exponent > places and number != round(number, places):
        return _("的数值小数不能超过 %(places)s 位。") % {"places": places}
    return ""


def _where(model, name, row):
    label = model._meta.get_field(name).verbose_name
    if row is None:
        return f"「{label}」"
    counter = "项" if model is Task else "行"
    return f"「第 {row} {counter} {label}」"


def field_problems(model, values, *, unit=None, row=None):
    """Clean ``values`` (``{field name: value}`` of ``model``) in place; return the problems.

    The one set of rules of a filing's and a row's values, for callers that hold
    values before an instance (the admin's forms) and for the service itself.
    """
    problems = []
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        cleaned, problem = _value_problem(model_field, value, unit)
        if problem:
            problems.append(Problem(name, problem, _where(model, name, row), row))
        else:
            values[name] = cleaned
    return problems


def _clean_instance(instance, names, *, row=None):
    unit = getattr(instance, "money_unit", None)
    values = {name: getattr(instance, name) for name in names}
    problems = field_problems(type(instance), values, unit=unit, row=row)
    for name, value in values.items():
        setattr(instance, name, value)
    return problems


def duplicate_problem(filing):
    """Why ``filing`` would clash with another of its organisation's filings, or None."""
    same = Filing.objects.filter(
        organisation_id=filing.organisation_id, year=filing.year, form=filing.form
    ).exclude(pk=filing.pk)
    if filing.is_project:
        if filing.name and same.filter(name=filing.name).exists():
            reason = _("本单位%(year)s年度已有同名项目") % {"year": filing.year}
            return Problem("name", reason, _("「项目名称」"))
    elif same.exists():
        reason = _("本单位%(year)s年度已有一份《%(form)s》") % {
            "year": filing.year,
            "form": filing.get_form_display(),
        }
        return Problem("year", reason, _("「年度」"))
    return None


def _filing_names(filing):
    """Every field of ``filing`` that holds content."""
    return [
        "year",
        *form_fields.COMMON_FIELDS,
        *form_fields.fields_of(filing.form),
        "execution_weight",
        *form_fields.DISCLOSURE_FIELDS,
    ]


def disclosure_problems(filing):
    """Why 是否公开 and its reason cannot be saved as set on ``filing``.

    Not published: a reason is required, and 其他 needs its 说明 written out.
    Published (the default): a reason typed earlier is kept, and means nothing.
    """
    if filing.disclosed:
        return []
    if not filing.nondisclosure_reason:
        reason = _("不公开时请选择非公开原因。")
        return [Problem("nondisclosure_reason", reason, _("「非公开原因」"))]
    other = filing.nondisclosure_reason == Filing.NondisclosureReason.OTHER
    if other and not (filing.nondisclosure_note or "").strip():
        reason = _("非公开原因为「其他」时，请写明原因。")
        return [Problem("nondisclosure_note", reason, _("「非公开原因说明」"))]
    return []


def _filing_problems(filing, names):
    problems = _clean_instance(filing, names)
    if any(name in form_fields.DISCLOSURE_FIELDS for name in names):
        problems += disclosure_problems(filing)
    return problems


def _clean_rows(indicators, tasks):
    problems = []
    for row, indicator in enumerate(indicators, start=1):
        indicator.set_value(indicator.value or "")
        problems += _clean_instance(indicator, _INDICATOR_CHECKED, row=row)
    for row, task in enumerate(tasks, start=1):
        problems += _clean_instance(task, _TASK_TEXT, row=row)
    return problems


def _refuse(problems):
    if problems:
        raise ContentRefused(problems)


def _claim(filing, seen_version):
    if seen_version is UNGUARDED:
        return editing.claim_current(filing)
    return editing.claim(filing, seen_version)


# --- Writes ----------------------------------------------------------------------------


def create_filing(filing, *, indicators=(), tasks=()):
    """Save a new ``filing`` with its rows (a new draft, a copy, an import), or refuse.

    A filing that names no edition of the taxonomy gets the default (classic) one.

    The rows' ``filing`` is set here; a row without a key gets one.
    """
    indicators, tasks = list(indicators), list(tasks)
    if filing.framework_id is None:
        filing.framework = Framework.objects.default()
    problems = _filing_problems(filing, _filing_names(filing)) + _clean_rows(indicators, tasks)
    duplicate = duplicate_problem(filing)
    if duplicate:
        problems.append(duplicate)
    _refuse(problems)
    with transaction.atomic():
        filing.save()
        for order, row in enumerate(indicators, start=1):
            row.filing, row.key, row.order = filing, row.key or uuid.uuid4(), row.order or order
        for order, row in enumerate(tasks, start=1):
            row.filing, row.key, row.order = filing, row.key or uuid.uuid4(), row.order or order
        Indicator.objects.bulk_create(indicators)
        Task.objects.bulk_create(tasks)
    return filing


def save_fields(filing, seen_version, names):
    """Save the named fields of ``filing`` (set on it) as its next version.

    Raises StaleEdit (a stale page, a frozen filing) or ContentRefused.
    """
    names = list(names)
    problems = _filing_problems(filing, names)
    if "name" in names or "year" in names:
        duplicate = duplicate_problem(filing)
        if duplicate:
            problems.append(duplicate)
    _refuse(problems)
    with transaction.atomic():
        _claim(filing, seen_version)
        filing.save(update_fields=[*names, "lock_version", "updated_at"])
    return filing.lock_version


def _task_rows(filing, rows):
    """Task instances for ``rows`` (dicts of key, name, content), and the ones to delete."""
    existing = {str(task.key): task for task in filing.tasks.all()}
    tasks = []
    for order, row in enumerate(rows, start=1):
        task = existing.pop(str(row.get("key") or ""), None)
        if task is None:
            task = Task(filing=filing, key=uuid.uuid4())
        task.order, task.name, task.content = order, row.get("name", ""), row.get("content", "")
        tasks.append(task)
    return tasks, list(existing.values())


def _write_tasks(tasks, gone):
    if gone:
        Task.objects.filter(pk__in=[task.pk for task in gone]).delete()
    kept = [task for task in tasks if task.pk]
    if kept:
        Task.objects.bulk_update(kept, ["order", "name", "content"])
    new = [task for task in tasks if not task.pk]
    if new:
        Task.objects.bulk_create(new)


def save_tasks(filing, seen_version, rows):
    """Replace the 年度重点任务 of ``filing`` with ``rows`` (in order); returns the tasks.

    A row whose key is one of the filing's tasks updates it; any other row is a
    new task with a new key (a posted key never reaches another filing).
    """
    tasks, gone = _task_rows(filing, rows)
    _refuse(_clean_rows([], tasks))
    with transaction.atomic():
        _claim(filing, seen_version)
        _write_tasks(tasks, gone)
    return tasks


def _indicator_rows(filing, rows):
    """Indicators for ``rows`` (dicts of key, level2, name, value, explanation, basis)."""
    existing = {indicator.key: indicator for indicator in filing.indicators.all()}
    kept, changed, gone_keys = [], _Changed(), set(existing)
    for order, row in enumerate(rows, start=1):
        key = row.get("key")
        indicator = existing.get(key) if key and key in gone_keys else None
        if indicator is None:
            indicator = Indicator(filing=filing, key=uuid.uuid4())
            before = None
        else:
            gone_keys.discard(key)
            before = [getattr(indicator, f) for f in INDICATOR_COMPARED]
        indicator.level2 = row["level2"]
        indicator.order = order
        indicator.name = row.get("name", "")
        if before is None or row.get("value", "") != indicator.value:
            indicator.set_value(row.get("value", ""))  # parsing every row would dominate a save
        indicator.explanation = row.get("explanation", "")
        indicator.basis = row.get("basis", "")
        for name in NEW_ROW_FIELDS:
            if name in row:
                setattr(indicator, name, row[name])
        # Written like the annual value (operators and units folded the one way).
        indicator.period_value = clean_value(indicator.period_value or "")
        if before is not None:
            changed.add(indicator, before)
        kept.append(indicator)
    return kept, changed, [existing[key] for key in gone_keys]


def _check_indicators(kept):
    problems = []
    for row, indicator in enumerate(kept, start=1):
        problems += _clean_instance(indicator, _INDICATOR_CHECKED, row=row)
    return problems


class _Changed(list):
    """The rows that changed, and the union of the fields that did (all bulk_update writes).

    Writing only those keeps one UPDATE per save: every field written per row
    costs parameters, and SQLite's limit would split the statement in batches.
    """

    def __init__(self):
        super().__init__()
        self.fields = set()

    def add(self, indicator, before):
        after = [getattr(indicator, name) for name in INDICATOR_COMPARED]
        fields = {
            name
            for name, old, new in zip(INDICATOR_FIELDS_BY_COMPARED, before, after, strict=True)
            if old != new
        }
        if fields:
            self.append(indicator)
            self.fields |= fields


def _write_indicators(kept, changed, gone):
    if gone:
        Indicator.objects.filter(pk__in=[indicator.pk for indicator in gone]).delete()
    if changed:
        fields = [name for name in INDICATOR_FIELDS if name in changed.fields]
        Indicator.objects.bulk_update(changed, fields)
    new = [indicator for indicator in kept if not indicator.pk]
    if new:
        Indicator.objects.bulk_create(new)


def save_indicators(filing, seen_version, rows, *, names=()):
    """Replace the indicators of ``filing`` with ``rows`` (in order) as its next version.

    A row whose ``key`` is one of the filing's rows updates it; any other row is
    created with a new key; the filing's rows missing from ``rows`` are deleted.
    ``names`` are fields of the filing set on it that go with the rows (the editor's
    预算执行率分值), cleaned and saved under the same claim. Returns (the new version,
    the rows in order). A fixed number of queries.
    """
    names = list(names)
    kept, changed, gone = _indicator_rows(filing, rows)
    _refuse(_filing_problems(filing, names) + _check_indicators(kept))
    with transaction.atomic():
        version = _claim(filing, seen_version)
        if names:
            filing.save(update_fields=[*names, "lock_version", "updated_at"])
        _write_indicators(kept, changed, gone)
    return version, kept


def replace_content(filing, seen_version, *, names, tasks=None, indicators=()):
    """Save the named fields (set on ``filing``), its tasks and indicators under one claim.

    For a whole filing read back at once (the Excel upload). ``tasks`` None keeps
    the tasks. Returns the new version.
    """
    names = list(names)
    problems = _filing_problems(filing, names)
    duplicate = duplicate_problem(filing) if "name" in names else None
    if duplicate:
        problems.append(duplicate)
    task_rows = _task_rows(filing, tasks) if tasks is not None else None
    if task_rows is not None:
        problems += _clean_rows([], task_rows[0])
    kept, changed, gone = _indicator_rows(filing, indicators)
    problems += _check_indicators(kept)
    _refuse(problems)
    with transaction.atomic():
        version = _claim(filing, seen_version)
        filing.save(update_fields=[*names, "lock_version", "updated_at"])
        if task_rows is not None:
            _write_tasks(*task_rows)
        _write_indicators(kept, changed, gone)
    return version


def claim_for_attachments(filing):
    """Claim ``filing`` for adding or removing an attachment, inside ``transaction.atomic``.

    The same claim as every write here: refused with StaleEdit (``frozen`` set) once the
    filing is submitted, in review or approved; an adjustment's draft may change them.
    No page version guards it: an attachment added overwrites nothing a page shows.
    """
    return _claim(filing, UNGUARDED)


# --- One row at a time: the admin site -------------------------------------------------


def frozen_problem(filing):
    reason = _("《%(name)s》已提交、审核中或已批复，不能修改其内容。") % {"name": filing.name}
    return Problem("filing", reason, _("「申报」"))


def row_problems(row, *, previous_filing_id=None):
    """Why the admin may not save ``row`` (an Indicator or a Task) as it is set."""
    problems = []
    for filing_id in {row.filing_id, previous_filing_id} - {None}:
        filing = row.filing if filing_id == row.filing_id else Filing.objects.get(pk=filing_id)
        if not filing.is_editable:
            problems.append(frozen_problem(filing))
    if isinstance(row, Indicator):
        row.set_value(row.value or "")
        names = [*_INDICATOR_TEXT, "number"]
    else:
        names = list(_TASK_TEXT)
    return problems + _clean_instance(row, names)


def save_row(row, *, previous_filing_id=None):
    """Save one indicator or task from the admin: its filing (and the one it left) claimed.

    Raises ContentRefused, or StaleEdit when a filing was submitted meanwhile.
    """
    _refuse(row_problems(row, previous_filing_id=previous_filing_id))
    with transaction.atomic():
        editing.claim_current(row.filing)
        if previous_filing_id and previous_filing_id != row.filing_id:
            editing.claim_current(Filing.objects.get(pk=previous_filing_id))
        row.save()
    return row


def save_rows_of(filing, rows, deleted=()):
    """Save and delete rows of ``filing`` edited together (the admin's filing page)."""
    rows, deleted = list(rows), list(deleted)
    problems = []
    for row in rows:
        problems += row_problems(row)
    _refuse(problems)
    if not rows and not deleted:
        return
    with transaction.atomic():
        editing.claim_current(filing)
        for row in deleted:
            row.delete()
        for row in rows:
            row.save()


def delete_rows(rows):
    """Delete indicators or tasks (the admin), claiming each filing; StaleEdit if one is frozen."""
    rows = list(rows)
    with transaction.atomic():
        for filing in Filing.objects.filter(pk__in={row.filing_id for row in rows}):
            editing.claim_current(filing)
        for row in rows:
            row.delete()
