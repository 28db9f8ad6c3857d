"""What the review page asks before a decision: what will happen, and to whom.

One sentence per button of the 审核表 (``static/js/confirm.js`` shows it from the
button's ``data-confirm``; ``{field:grade}`` becomes the grade chosen), written from the
same rules the workflow applies: ``workflow.GRADE_RULES`` and ``review.approvers``.
"""

from django.utils.translation import gettext as _

from filings.models import Filing
from review import approvers, workflow
from review.models import Review


def decision_warnings(filing, confirms=None, round_=False):
    """{button: the question to confirm} for the stage reviewer of ``filing``.

    ``round_``: the filing's round when the caller has read it (see ``review.approvers``).
    """
    if round_ is False:
        round_ = approvers.round_of(filing)
    stage = Review.Stage.DEPARTMENT
    if filing.status == Filing.Status.FINANCE_REVIEW:
        stage = Review.Stage.FINANCE
    names = {"filing": filing.name, "filer": filing.organisation.name}
    if approvers.final_stage(filing, round_) == stage:
        names["approver"] = approvers.approver_of(filing, round_)
        approve = _(
            "审核通过（审核等级：{field:grade}）：《%(filing)s》将由 %(approver)s 批复，"
            "提交的版本成为正式版本并冻结，%(filer)s 的填报人会收到通知。"
        )
    else:
        approve = _(
            "审核通过（审核等级：{field:grade}）：《%(filing)s》将转财政局审核，由财政局批复；"
            "%(filer)s 的填报人会收到通知。"
        )
    if confirms is not None:
        approve = _("确认修改：") + approve
    return {
        workflow.APPROVE: approve % names,
        workflow.RETURN: _(
            "退回修改（审核等级：{field:grade}）：《%(filing)s》将退回 %(filer)s 的填报人修改。"
            "等级为良时，重新提交后由本环节确认修改；等级为中时，重新提交后重新审核。"
        )
        % names,
        workflow.REJECT: _(
            "不予通过（等级差）：《%(filing)s》不得进入下一步预算安排，%(filer)s 不能再提交；"
            "只有财政局可以说明理由后重新开放。"
        )
        % names,
    }


def withdraw_warning(filing):
    """The question before the filer's 撤回修改 (what happens to the submission, and who sees)."""
    return _(
        "撤回修改：《%(filing)s》的提交将撤回，申报回到草稿状态，审核人不再看到待审核的这一版；"
        "修改后须重新提交审核。"
    ) % {"filing": filing.name}
