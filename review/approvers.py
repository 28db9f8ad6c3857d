"""谁批复预算，谁批复目标 (88号 第二十七条): whose approval of a filing is final.

A unit's filing is reviewed by its supervising department, then by the finance
bureau; the department's approval is final where its round says so — by
default for the unit's 单位整体 filing and for the projects the bureau marks
二级. A department's own filings (its 部门整体 filing, its projects) have no
department stage: the bureau approves them. Without a round for the bureau and
year, the defaults of 88号 apply (``Round``'s field defaults).

The rule itself is ``review.final_stage`` (below the access module, which asks it);
this module adds the bureau's marking of a project's level. The workflow asks
``final_stage`` when a stage approves; the filing and round pages show
``approver_of`` and ``final_stage_table``.
"""

from django.db import transaction
from django.utils.translation import gettext

from audit import log
from filings import access
from filings.models import Filing
from review.final_stage import (  # noqa: F401  (asked here by the workflow and the pages)
    approver_of,
    final_stage,
    final_stage_table,
    round_of,
)


class LevelRefused(Exception):
    """A project level the bureau may not set now; str() says why, in Chinese."""


@transaction.atomic
def mark_project_level(filing, user, level):
    """The bureau marks a project 一级 or 二级 (whose approval is final), with an audit row."""
    locked = (
        Filing.objects.select_related("organisation__parent")
        .select_for_update(of=("self",))
        .filter(pk=filing.pk)
        .first()
    )
    if locked is None or access.MARK_LEVEL not in access.actions_for(user, locked):
        raise LevelRefused(access.refusal(access.MARK_LEVEL))
    if level not in Filing.ProjectLevel.values:
        raise LevelRefused(gettext("「项目级次」只能是一级项目或二级项目。"))
    if locked.project_level == level:
        return locked
    Filing.objects.filter(pk=locked.pk).update(project_level=level)
    log.record(
        log.Action.TRANSITION,
        user=user,
        filing=locked,
        description=gettext("《%(name)s》标注为%(level)s，由 %(approver)s 批复")
        % {
            "name": locked.name,
            "level": Filing.ProjectLevel(level).label,
            "approver": approver_of(_with_level(locked, level)),
        },
        details={"project_level": level},
    )
    filing.project_level = level
    return filing


def _with_level(filing, level):
    filing.project_level = level
    return filing
