"""Batch review in 待我审核: several filings returned, or approved with one grade, in one step.

One transition per filing through ``review.workflow.decide`` (each in its own
transaction, each in the audit log, each told to whom it concerns), so a batch
follows exactly the rules of a single decision. A filing is left out, and named
with the reason, when it is no longer in the reviewer's queue, when the checker
finds an error in it (it needs a reviewer's reading, not a batch), or when it
changed since the list was loaded (the ``lock_version`` the page showed).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from filings.checks import ERROR, ProfileCache, run_checks
from indicators.taxonomy import Taxonomy
from review import workflow
from review.models import GRADES, Review
from review.queue import queue_for

# No request does unbounded work: a batch is at most one page of the queue, and more.
MAX_FILINGS = 100
OPINION_MAX = 2000
# The session key under which a refused batch's form waits for the queue page.
KEPT_FORM = "batch_form"
_GRADES = {value for value, _label in GRADES}


@dataclass
class BatchResult:
    done: list = field(default_factory=list)  # names of the filings decided
    left_out: list = field(default_factory=list)  # (name, why) of the others


def _refuse_batch(decision, grade, opinion):
    if decision not in (Review.Decision.APPROVE, Review.Decision.RETURN):
        raise workflow.TransitionRefused(_("请选择批量操作：审核通过或退回修改。"))
    if grade not in _GRADES:
        raise workflow.TransitionRefused(
            _("批量办理时须评定「审核等级」（优/良/中/差）：等级决定审核结论。")
        )
    # The grade decides, here as for one filing (workflow.GRADE_RULES): 优 approves,
    # 良 and 中 return; a 差 (不予通过) is decided filing by filing, never in a batch.
    workflow.decision_for(grade, decision)
    if decision == Review.Decision.RETURN and not opinion:
        raise workflow.TransitionRefused(
            _("批量退回修改时请填写「审核意见」，告诉填报人要修改什么。")
        )
    if len(opinion) > OPINION_MAX:
        raise workflow.TransitionRefused(
            _("「审核意见」不能超过 %(limit)s 个字。") % {"limit": OPINION_MAX}
        )


def decide_many(user, seen, *, decision, grade="", opinion=""):
    """Decide each filing of ``seen`` ({filing id: lock_version shown}); a BatchResult.

    Raises ``TransitionRefused`` (nothing done) when the batch itself is wrong:
    no decision, no grade or a grade that disagrees with the decision, a return
    without an opinion, too many filings.
    """
    opinion = (opinion or "").strip()
    _refuse_batch(decision, grade, opinion)
    if not seen:
        raise workflow.TransitionRefused(_("请先勾选要批量处理的申报。"))
    if len(seen) > MAX_FILINGS:
        raise workflow.TransitionRefused(
            _("一次最多批量处理 %(limit)s 份申报。") % {"limit": MAX_FILINGS}
        )
    result = BatchResult()
    filings = {
        filing.pk: filing
        for filing in queue_for(user).filter(pk__in=seen).select_related("organisation__parent")
    }
    for pk in seen:
        if pk not in filings:
            result.left_out.append((_("编号 %(pk)s") % {"pk": pk}, _("已不在您的待审列表中")))
    taxonomy = Taxonomy.load() if filings else None
    profiles = ProfileCache()  # one query per organisation of the batch, at most
    sheet = {"grade": grade}
    if decision == Review.Decision.RETURN:
        sheet["to_improve"] = opinion
    for pk, filing in filings.items():
        found = run_checks(filing, taxonomy=taxonomy, profiles=profiles)
        errors = sum(1 for f in found if f.severity == ERROR)
        if errors:
            why = _("检查发现 %(count)s 处错误，请逐份审核") % {"count": errors}
            result.left_out.append((filing.name, why))
            continue
        try:
            workflow.decide(
                filing,
                user,
                seen_version=seen[pk],
                decision=decision,
                sheet=sheet,
                comment=opinion,
            )
        except workflow.TransitionRefused as exc:
            result.left_out.append((filing.name, str(exc)))
        else:
            result.done.append(filing.name)
    return result
