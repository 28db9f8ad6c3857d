"""What a remark on each row of the official form is about: click a row, comment on it.

The review page draws the form from ``exports.document`` (the grid that prints) and
gives each row an anchor in the comment form's words (``review.forms.target_choices``):
``row:<key>`` for an indicator row, ``task:<key>`` for a 年度重点任务 row, otherwise
``part:<part>`` for the part of the filing the row prints — the part whose wizard step
edits it (``review.history.STEP_PARTS``), so that the filer meets the comment there.
"""

from exports.document import (
    BUDGET_BAND,
    GOALS_BAND,
    INDICATOR_BAND,
    MONEY_BAND,
    SECTION_BAND,
    STAFF_BAND,
    TASKS_BAND,
)
from review.models import Comment

Part = Comment.Part

# The part of each band of the form; the title band is 基本信息 but for its goal rows.
_BAND_PARTS = {
    MONEY_BAND: Part.FUNDS,
    BUDGET_BAND: Part.FUNDS,
    STAFF_BAND: Part.FUNDS,  # 年末在职人数 and 内设机构数 are filled in on 预算情况
    GOALS_BAND: Part.GOALS,
    TASKS_BAND: Part.TASKS,
    SECTION_BAND: Part.INDICATORS,
    INDICATOR_BAND: Part.INDICATORS,
}
# Printed in the title band of an overall form, edited on 职责与目标.
_GOAL_FIELDS = {"duties", "annual_goal", "overall_goal"}


def _part_of(row):
    if any(cell.field in _GOAL_FIELDS for cell in row.cells):
        return Part.GOALS
    return _BAND_PARTS.get(row.band, Part.BASIC)


def _anchor_of(row, targets):
    if row.key:
        target = f"{'task' if row.band == TASKS_BAND else 'row'}:{row.key}"
        if target in targets:
            return target
    # A placeholder row (no name, no value) is not a target of its own: its part is.
    return f"part:{_part_of(row)}"


def mark_anchors(document, choices):
    """Set ``Row.anchor`` on every row of ``document`` from the comment form's ``choices``."""
    targets = {value for _group, options in choices for value, _label in options}
    for row in document.rows:
        row.anchor = _anchor_of(row, targets)
    return document


def anchor_of_comment(comment):
    """The anchor ``comment`` is about, in the same words as the rows'."""
    if comment.row_key is None:
        return f"part:{comment.part}"
    kind = "task" if comment.part == Part.TASKS else "row"
    return f"{kind}:{comment.row_key}"
