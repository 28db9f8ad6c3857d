"""谁批复预算，谁批复目标 (88号 第二十七条): whose approval of a filing is final — the rule.

A unit's filing is reviewed by its supervising department, then by the finance
bureau; the department's approval is final where its round says so — by
default for the unit's 单位整体 filing and for the projects the bureau marks
二级. A department's own filings (its 部门整体 filing, its projects) have no
department stage: the bureau approves them. Without a round for the bureau and
year, the defaults of 88号 apply (``Round``'s field defaults).

Below the access module (which asks ``final_stage`` for who decides adjustment
applications); ``review.approvers`` adds the bureau's marking of a project's level.
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, bureau_id_of
from filings.models import Filing
from review.models import Review, Round

# The round's field for each (form, project level) of a unit's filing.
_ROUND_FIELD = {
    (Filing.Form.UNIT, ""): "final_unit_overall",
    (Filing.Form.PROJECT, Filing.ProjectLevel.SECOND): "final_second_level_project",
    (Filing.Form.PROJECT, Filing.ProjectLevel.FIRST): "final_first_level_project",
}

# The rows of the table on the round page: what, and the round's field (None: always finance).
TABLE_ROWS = (
    (_("所属单位的单位整体支出"), "final_unit_overall"),
    (_("所属单位的二级项目"), "final_second_level_project"),
    (_("所属单位的一级项目"), "final_first_level_project"),
    (_("主管部门的部门（单位）整体支出"), None),
    (_("主管部门本级的项目"), None),
)


def round_of(filing):
    """The round of the filing's bureau and year, or None (one query)."""
    return (
        Round.objects.select_related("bureau")
        .filter(bureau_id=bureau_id_of(filing.organisation), year=filing.year)
        .first()
    )


def _default(field):
    return Round._meta.get_field(field).default


def final_stage(filing, round_=False):
    """The Review.Stage whose approval makes ``filing`` official.

    ``round_``: the filing's round when the caller has it (None for no round);
    read otherwise.
    """
    if filing.organisation.level != Organisation.Level.UNIT:
        return Review.Stage.FINANCE
    level = filing.project_level if filing.is_project else ""
    field = _ROUND_FIELD.get((filing.form, level))
    if field is None:
        return Review.Stage.FINANCE
    if round_ is False:
        round_ = round_of(filing)
    return getattr(round_, field) if round_ is not None else _default(field)


def approver_of(filing, round_=False):
    """The organisation whose approval is final for ``filing`` (its department or bureau).

    One query (the round, with its bureau) when not given; without a round, the
    bureau is read from the organisation's parents (``filing_access`` selects them).
    """
    if round_ is False:
        round_ = round_of(filing)
    if final_stage(filing, round_) == Review.Stage.DEPARTMENT:
        return filing.organisation.parent
    if round_ is not None:
        return round_.bureau
    parent = filing.organisation.parent
    return parent.parent if filing.organisation.level == Organisation.Level.UNIT else parent


def final_stage_table(round_):
    """(what, label of the final stage) rows of ``round_`` for the round page."""
    labels = dict(Round._meta.get_field("final_unit_overall").choices)
    rows = []
    for what, field in TABLE_ROWS:
        stage = getattr(round_, field) if field else Review.Stage.FINANCE
        rows.append((what, labels[stage]))
    return rows
