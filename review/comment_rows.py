"""Which row of its filing a comment is about, in the filer's words: 指标第 n 行「name」.

A module of its own, below ``review.history``, so that ``review.notifications`` can
name the row in a message too: history reads the comments with their replies
(``review.replies``), and writing a reply calls the notifications, so the
notifications cannot import history without a cycle.
"""

from django.utils.translation import gettext_lazy as _


def row_labels(filing):
    """{row key (str): "第 n 行「name」"} of the filing's current indicator and task rows."""
    labels = {}
    indicators = filing.indicators.order_by("order", "pk").values_list("key", "name")
    for number, (key, name) in enumerate(indicators, start=1):
        labels[str(key)] = _row_label(_("指标"), number, name)
    if not filing.is_project:
        tasks = filing.tasks.order_by("order", "pk").values_list("key", "name")
        for number, (key, name) in enumerate(tasks, start=1):
            labels[str(key)] = _row_label(_("任务"), number, name)
    return labels


def _row_label(what, number, name):
    return f"{what}第 {number} 行「{name or '（未填名称）'}」"


def comment_row_label(comment, labels):
    if comment.row_key is None:
        return ""
    return labels.get(str(comment.row_key)) or str(_("（该行已删除）"))


def comment_place(comment):
    """Where ``comment`` is, as its thread heads it: the part, and the row if it is about one
    (「绩效指标 · 指标第 2 行「受益老人数」」)."""
    place = str(comment.get_part_display())
    if comment.row_key is None:
        return place
    return f"{place} · {comment_row_label(comment, row_labels(comment.filing))}"
