"""The grades that decide (财预〔2015〕88号 第二十六条): what each grade makes of a decision.

优 approves; 良 returns the filing for amendments that the same stage confirms;
中 returns it for a full new review; 差 ends it as 不予通过. ``decision_for`` is
the one check that a 审核表's grade and the button pressed agree (the form, the
workflow, batch review and the admin all ask it); ``next_step`` the table of
where each decision leads. ``review.workflow`` carries them out.
"""

from django.utils.translation import gettext as _

from filings.models import Filing
from review.models import GRADES, Review, Transition


class TransitionRefused(Exception):
    """A transition the user may not make now; str() is the reason, in Chinese."""


GRADE_VALUES = {value for value, _label in GRADES}

# The buttons of the 审核表: what the reviewer asks for; the grade decides what it becomes.
APPROVE = "approve"  # 审核通过
RETURN = "return"  # 退回修改
REJECT = "reject"  # 不予通过
BUTTONS = (APPROVE, RETURN, REJECT)

# The grade decides (88号 第二十五条), the one table of it: grade -> {button: decision}.
# 优 goes on; 良 goes back with the items to amend, and the same stage confirms them
# (CONFIRMING_RULES); 中 goes back for a full new review; 差 ends as 不予通过. The 审核表
# form, the review page, the admin, check_integrity and the imports all read it here.
GRADE_RULES = {
    "优": {APPROVE: Review.Decision.APPROVE},
    "良": {RETURN: Review.Decision.AMEND},
    "中": {RETURN: Review.Decision.RETURN},
    "差": {REJECT: Review.Decision.REJECT},
}
# On a confirmation of the amendments a 良 asked for: 良 and 审核通过 confirm them, 良 and
# 退回修改 ask for more; any other grade follows GRADE_RULES (the confirmer may still judge
# the version 优, 中 or 差).
CONFIRMING_RULES = {"良": {APPROVE: Review.Decision.CONFIRM, RETURN: Review.Decision.AMEND}}
# The decisions that let a version go on (to the next stage, or to be official).
GOES_ON = (Review.Decision.APPROVE, Review.Decision.CONFIRM)
SENDS_BACK = (Review.Decision.AMEND, Review.Decision.RETURN)
# The grades each decision may carry (read from the tables, for check_integrity).
GRADES_OF = {
    decision: {
        grade
        for rules in (GRADE_RULES, CONFIRMING_RULES)
        for grade, by_button in rules.items()
        if decision in by_button.values()
    }
    for decision in Review.Decision
}
_BUTTON_WORDS = {APPROVE: _("审核通过"), RETURN: _("退回修改"), REJECT: _("不予通过")}


def decision_for(grade, button, *, confirming=False):
    """The Review.Decision the ``grade`` makes of ``button``; TransitionRefused if they disagree."""
    if button not in BUTTONS:
        raise TransitionRefused(_("请选择审核结论：审核通过、退回修改或不予通过。"))
    if not grade:
        raise TransitionRefused(_("请评定「审核等级」（优/良/中/差）：等级决定审核结论。"))
    rules = GRADE_RULES.get(grade, {})
    if confirming:
        rules = CONFIRMING_RULES.get(grade, rules)
    if button not in rules:
        raise TransitionRefused(
            _("审核等级为「%(grade)s」时应「%(right)s」，不能「%(button)s」。")
            % {
                "grade": grade,
                "right": "或".join(str(_BUTTON_WORDS[b]) for b in rules),
                "button": _BUTTON_WORDS[button],
            }
        )
    return rules[button]


def grades_allowing(button, *, confirming=False):
    """The grades, in order, with which ``button`` is a decision (``decision_for`` says yes):
    the review page lets a button be pressed only with one of them."""
    allowed = []
    for grade, _label in GRADES:
        try:
            decision_for(grade, button, confirming=confirming)
        except TransitionRefused:
            continue
        allowed.append(grade)
    return allowed


_A, _S, _D = Transition.Action, Filing.Status, Review.Decision
# (stage, decision, the stage is final) -> (transition action, next status)
_NEXT = {
    ("department", _D.APPROVE, False): (_A.DEPARTMENT_APPROVE, _S.FINANCE_REVIEW),
    ("department", _D.APPROVE, True): (_A.DEPARTMENT_FINAL_APPROVE, _S.APPROVED),
    ("department", _D.RETURN, False): (_A.DEPARTMENT_RETURN, _S.RETURNED),
    ("department", _D.REJECT, False): (_A.DEPARTMENT_REJECT, _S.NOT_APPROVED),
    ("finance", _D.APPROVE, True): (_A.FINANCE_APPROVE, _S.APPROVED),
    ("finance", _D.RETURN, False): (_A.FINANCE_RETURN, _S.RETURNED),
    ("finance", _D.REJECT, False): (_A.FINANCE_REJECT, _S.NOT_APPROVED),
}


def next_step(stage, decision, final_stage):
    """(transition action, next status) of ``decision`` at ``stage``; ``final_stage`` approves."""
    if decision in GOES_ON:
        return _NEXT[(stage, Review.Decision.APPROVE, stage == final_stage)]
    if decision in SENDS_BACK:
        return _NEXT[(stage, Review.Decision.RETURN, False)]
    return _NEXT[(stage, Review.Decision.REJECT, False)]
