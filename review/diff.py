"""What changed between two snapshots of a filing (``FilingVersion.snapshot``).

Pure: two dicts in the JSON format of ``filings.serialization`` in, a ``Diff``
out, no database. Rows (indicators and tasks) are matched by their ``key``, so
a row that was edited, moved or regrouped is one row that changed, never "one
removed and one added". A row is *moved* when it changed its 一级/二级 group or
left the longest run of rows that kept their relative order: rows added or
removed above it shift its position without moving it.
"""

import bisect
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from filings.fields import FORM_FIELDS
from filings.models import Filing

# The goals are compared as text of their own section; money fields by value.
GOAL_FIELDS = ("overall_goal", "annual_goal")
# The 2021 fields (财预〔2021〕101号) last: a snapshot made before them has none of their
# keys, and compares equal to a row with them blank (``_blank``).
INDICATOR_FIELDS = (
    *("level1", "level2", "name", "value", "explanation", "basis"),
    *("basis_text", "direction", "period_value", "weight", "core"),
)
TASK_FIELDS = ("name", "content")
ROW_LABELS = {
    "level1": _("一级指标"),
    "level2": _("二级指标"),
    "name": _("名称"),
    "value": _("指标值"),
    "explanation": _("指标解释"),
    "basis": _("设定依据"),
    "basis_text": _("设定依据说明"),
    "direction": _("指标方向"),
    "period_value": _("全周期指标值"),
    "weight": _("分值"),
    "core": _("核心指标"),
    "content": _("主要内容"),
}

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
MOVED = "moved"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class FieldChange:
    """One header, money or goal field, as it was and as it is."""

    name: str
    label: str
    old: object
    new: object
    # For money: the difference new - old, when both are amounts.
    delta: Decimal | None = None


@dataclass
class RowChange:
    """One indicator or task row matched by key across the two snapshots."""

    key: str
    old: dict | None
    new: dict | None
    old_position: int | None  # 1-based, as numbered on the form
    new_position: int | None
    moved: bool = False
    changed_fields: tuple = ()

    @property
    def status(self):
        if self.old is None:
            return ADDED
        if self.new is None:
            return REMOVED
        if self.changed_fields:
            return CHANGED
        if self.moved:
            return MOVED
        return UNCHANGED

    @property
    def row(self):
        """The row as it is now, or as it was when removed."""
        return self.new if self.new is not None else self.old

    def is_changed(self, name):
        return name in self.changed_fields


@dataclass
class Diff:
    header: list = field(default_factory=list)
    money: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    # Every row of both snapshots, in the new order, removed rows where they stood.
    indicators: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    money_unit_changed: bool = False

    def counts(self, rows):
        result = {ADDED: 0, REMOVED: 0, CHANGED: 0, MOVED: 0}
        for row in rows:
            if row.status in result:
                result[row.status] += 1
            # A changed row that also moved counts under both.
            if row.status == CHANGED and row.moved:
                result[MOVED] += 1
        return result

    @property
    def indicator_counts(self):
        return self.counts(self.indicators)

    @property
    def task_counts(self):
        return self.counts(self.tasks)

    @property
    def field_count(self):
        return len(self.header) + len(self.money) + len(self.goals)

    @property
    def has_changes(self):
        rows = self.indicators + self.tasks
        return bool(self.field_count or any(row.status != UNCHANGED for row in rows))


def _label(name):
    return str(Filing._meta.get_field(name).verbose_name)


def _get(data, path):
    for key in path[:-1]:
        data = data.get(key) or {}
    return data.get(path[-1])


def _blank(value):
    # False is a blank 核心指标: the JSON format leaves the key out when it is not set.
    if value is False:
        return None
    return None if value in (None, "") else value


def _same(name, old, new):
    """Whether a row's field is the same on both sides; a weight by value (10 is 10.00)."""
    old, new = _blank(old), _blank(new)
    if name == "weight":
        old, new = _amount(old), _amount(new)
    return old == new


def _amount(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _fields_of(snapshot):
    """(name, json path, type) of every field of the snapshot's form, in printed order."""
    form = snapshot.get("form")
    yield "name", ("name",), "text"
    yield "year", ("year",), "number"
    for form_field in FORM_FIELDS:
        if form in form_field.forms:
            yield form_field.name, form_field.json, form_field.type
    yield "annual_goal", ("annual_goal",), "text"
    yield "money_unit", ("money_unit",), "text"
    yield "value_heading", ("value_heading",), "text"


def _compare_fields(old, new, diff):
    seen = set()
    specs = list(_fields_of(new)) + list(_fields_of(old))
    for name, path, type_ in specs:
        if name in seen:
            continue
        seen.add(name)
        before, after = _blank(_get(old, path)), _blank(_get(new, path))
        if type_ == "money":
            old_amount, new_amount = _amount(before), _amount(after)
            if old_amount is not None and new_amount is not None:
                if old_amount != new_amount:
                    change = FieldChange(
                        name, _label(name), old_amount, new_amount, new_amount - old_amount
                    )
                    diff.money.append(change)
            elif before != after:
                diff.money.append(FieldChange(name, _label(name), old_amount, new_amount))
            continue
        if before == after:
            continue
        change = FieldChange(name, _label(name), before, after)
        if name in GOAL_FIELDS:
            diff.goals.append(change)
        elif name == "money_unit":
            diff.money_unit_changed = True
            diff.money.insert(0, change)
        else:
            diff.header.append(change)


def _row_key(row, fields):
    # Snapshots always carry keys; a hand-made JSON file may not: then content names the row.
    return str(row.get("key") or "") or "|".join(str(row.get(name) or "") for name in fields)


def _keyed(rows, fields):
    """{key: (position, row)} in order; a repeated key keeps its first row."""
    result = {}
    for position, row in enumerate(rows or [], start=1):
        result.setdefault(_row_key(row, fields), (position, row))
    return result


def _stayed_in_order(old_keys, new_keys):
    """The keys of a longest run of rows that kept their relative order.

    Keys are unique, so this is the longest increasing subsequence of the old
    positions taken in the new order: O(n log n), where a table of common
    subsequences would be O(n²) for a filing of a hundred rows.
    """
    old_index = {key: index for index, key in enumerate(old_keys)}
    sequence = [old_index[key] for key in new_keys]
    tails, tail_at, previous = [], [], [None] * len(sequence)
    for position, value in enumerate(sequence):
        place = bisect.bisect_left(tails, value)
        if place == len(tails):
            tails.append(value)
            tail_at.append(position)
        else:
            tails[place] = value
            tail_at[place] = position
        previous[position] = tail_at[place - 1] if place else None
    kept = set()
    position = tail_at[-1] if tail_at else None
    while position is not None:
        kept.add(new_keys[position])
        position = previous[position]
    return kept


def diff_rows(old_rows, new_rows, fields, group_fields=()):
    """RowChanges of two lists of rows, in the new order with removed rows in place."""
    old, new = _keyed(old_rows, fields), _keyed(new_rows, fields)
    common_old = [key for key in old if key in new]
    common_new = [key for key in new if key in old]
    in_order = _stayed_in_order(common_old, common_new)

    changes = {}
    for key, (position, row) in new.items():
        if key not in old:
            changes[key] = RowChange(key, None, row, None, position)
            continue
        old_position, old_row = old[key]
        changed = tuple(
            name for name in fields if not _same(name, old_row.get(name), row.get(name))
        )
        regrouped = any(name in changed for name in group_fields)
        moved = key not in in_order or regrouped
        changes[key] = RowChange(key, old_row, row, old_position, position, moved, changed)

    # Removed rows go back where they stood: right after the row that preceded them in the
    # old order (which may itself be a removed row, already put back).
    result = [changes[key] for key in new]
    previous = None
    for key, (position, row) in old.items():
        if key not in new:
            index = 0 if previous is None else _index_of(result, previous) + 1
            result.insert(index, RowChange(key, row, None, position, None))
        previous = key
    return result


def _index_of(changes, key):
    return next(index for index, change in enumerate(changes) if change.key == key)


def diff_versions(old_snapshot, new_snapshot):
    """The ``Diff`` from ``old_snapshot`` to ``new_snapshot`` (both FilingVersion.snapshot)."""
    old_snapshot, new_snapshot = old_snapshot or {}, new_snapshot or {}
    diff = Diff()
    _compare_fields(old_snapshot, new_snapshot, diff)
    diff.indicators = diff_rows(
        old_snapshot.get("indicators"),
        new_snapshot.get("indicators"),
        INDICATOR_FIELDS,
        group_fields=("level1", "level2"),
    )
    diff.tasks = diff_rows(old_snapshot.get("tasks"), new_snapshot.get("tasks"), TASK_FIELDS)
    return diff
