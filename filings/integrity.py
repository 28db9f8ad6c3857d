"""Is every filing whole? The checks of ``manage.py check_integrity``.

A save writes a filing's row and its rows in one transaction, and a transition
writes the status, the version and the log row in one; a crash, a killed
worker or a database that went away mid-request must leave each of them all
done or not done at all. This module looks for anything in between, and for
changes made behind the app's back (a hand-edited row, a restored backup):

- a version whose stored content hash is not its snapshot's (the version changed);
- a filing in review or approved whose live rows differ from its last version
  (the version is what reviewers read and what was approved), or that has no version;
- an approved filing whose official version is not its last one, or any filing
  whose official version belongs to another filing;
- a status that is not where the filing's last logged transition left it;
- an official version whose review grade does not allow it (88号 第二十五条, the table
  ``review.workflow.GRADE_RULES``): its approving 审核表 must have let it go on;
- an indicator tree that is not well formed: a 一级指标 of the overall forms on
  a project, two rows in one place, two tasks in one place;
- an attachment a version lists whose file is missing or no longer matches its
  SHA-256 (a frozen filing's attachments are compared with its last version's
  list like its rows).

Each problem names the filing and what is wrong, in Chinese, for the admin.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from attachments import services as attachments
from attachments.models import Attachment
from filings.models import Filing, FilingVersion, content_hash
from filings.serialization import export_queryset, filing_to_dict
from indicators.models import Level1
from review.models import Review, Transition
from review.workflow import GOES_ON, GRADES_OF

# The states in which nobody may change a filing's content: it must equal its last version.
FROZEN = (
    Filing.Status.DEPARTMENT_REVIEW,
    Filing.Status.FINANCE_REVIEW,
    Filing.Status.APPROVED,
    Filing.Status.NOT_APPROVED,
)
# Not compared: the organisation's path (an organisation may be renamed after submission)
# and the status (a version records the status it was taken in).
NOT_COMPARED = ("organisation", "status")
BATCH = 500
MAX_DIFFERENCES = 3


@dataclass
class Problem:
    filing_id: int
    filing_name: str
    message: str

    def __str__(self):
        return _("《%(name)s》（编号 %(pk)s）：%(message)s") % {
            "name": self.filing_name,
            "pk": self.filing_id,
            "message": self.message,
        }


@dataclass
class Report:
    filings: int = 0
    versions: int = 0
    problems: list = None

    def __post_init__(self):
        self.problems = self.problems or []


def _row_label(row, number):
    return _("第%(n)s行三级指标「%(name)s」") % {"n": number, "name": row.get("name") or "—"}


def differences(live, snapshot):
    """What differs between two snapshots, as short Chinese phrases (at most a few)."""
    found = []
    keys = sorted((set(live) | set(snapshot)) - {"indicators", "tasks", *NOT_COMPARED})
    for key in keys:
        if live.get(key) != snapshot.get(key):
            if key == "attachments":
                found.append(_("附件与版本中列出的不同"))
            else:
                found.append(_("栏目 %(key)s 与版本不同") % {"key": key})
    for part, label in (("indicators", _("三级指标")), ("tasks", _("年度重点任务"))):
        live_rows = {row["key"]: row for row in live.get(part) or []}
        saved_rows = {row["key"]: row for row in snapshot.get(part) or []}
        for number, row in enumerate(snapshot.get(part) or [], start=1):
            if row["key"] not in live_rows:
                found.append(_("版本中的%(row)s已不在申报中") % {"row": _row_label(row, number)})
            elif live_rows[row["key"]] != row:
                found.append(_("%(row)s与版本不同") % {"row": _row_label(row, number)})
        extra = [key for key in live_rows if key not in saved_rows]
        if extra:
            found.append(_("多出 %(count)s 行%(label)s") % {"count": len(extra), "label": label})
        live_order = [row["key"] for row in live.get(part) or []]
        saved_order = [row["key"] for row in snapshot.get(part) or []]
        if not extra and set(live_order) == set(saved_order) and live_order != saved_order:
            found.append(_("%(label)s的顺序与版本不同") % {"label": label})
    return found


def _tree_problems(filing):
    problems = []
    orders = Counter(indicator.order for indicator in filing.indicators.all())
    taken_twice = sorted(order for order, count in orders.items() if count > 1)
    if taken_twice:
        problems.append(
            _("三级指标中有多行排在同一位置（顺序号 %(orders)s）")
            % {"orders": "、".join(map(str, taken_twice[:5]))}
        )
    if filing.is_project:
        for number, indicator in enumerate(filing.indicators.all(), start=1):
            level1 = indicator.level2.level1
            if level1.scope == Level1.Scope.OVERALL:
                problems.append(
                    _("第%(n)s行的一级指标「%(level1)s」只属于整体支出表，不应出现在项目表中")
                    % {"n": number, "level1": level1.name}
                )
                break
    task_orders = Counter(task.order for task in filing.tasks.all())
    if any(count > 1 for count in task_orders.values()):
        problems.append(_("年度重点任务中有多行排在同一位置"))
    return problems


def _grade_problems(filing, versions, reviews):
    """Whether the official version's 审核表 let it go on: every decided review of it does,
    and the last one carries a grade that allows its decision (imported versions have none)."""
    official = next((v for v in versions if v.pk == filing.approved_version_id), None)
    if official is None or official.reason == FilingVersion.Reason.IMPORTED:
        return []
    decided = [r for r in reviews if r.version_id == official.pk and r.decided_at is not None]
    if not decided:
        return [_("批复版本（第%(n)s版）没有审核表") % {"n": official.number}]
    problems = []
    for review in decided:
        if review.before_grade_rules:
            continue
        if review.decision not in GOES_ON or review.grade not in GRADES_OF[review.decision]:
            problems.append(
                _(
                    "批复版本（第%(n)s版）的%(stage)s审核等级为「%(grade)s」、结论为「%(decision)s」，等级不允许批复"
                )
                % {
                    "n": official.number,
                    "stage": review.get_stage_display(),
                    "grade": review.grade or "—",
                    "decision": review.get_decision_display() or "—",
                }
            )
    return problems


def _filing_problems(filing, versions, last_transition, reviews=(), files=()):
    """Problems of one filing, given its versions (by number), last transition and reviews,
    and its attachments (``files``, kept and removed)."""
    problems = _grade_problems(filing, versions, reviews)
    by_key = {str(item.key): item for item in files}
    for version in versions:
        if content_hash(version.snapshot) != version.content_hash:
            problems.append(
                _("第%(n)s版的内容与其内容摘要不符：版本在保存后被改动过") % {"n": version.number}
            )
        problems.extend(attachments.file_problems(version, by_key))
    last = versions[-1] if versions else None
    status = filing.get_status_display()
    if filing.status in FROZEN:
        if last is None:
            problems.append(_("状态为「%(status)s」，却没有任何提交的版本") % {"status": status})
        else:
            kept = [item for item in files if item.removed_at is None]
            live = attachments.add_to_snapshot(filing_to_dict(filing), kept)
            found = differences(live, last.snapshot)
            if found:
                problems.append(
                    _("状态为「%(status)s」，内容却与最后一版（第%(n)s版）不一致：%(what)s")
                    % {
                        "status": status,
                        "n": last.number,
                        "what": "；".join(found[:MAX_DIFFERENCES])
                        + ("……" if len(found) > MAX_DIFFERENCES else ""),
                    }
                )
    if filing.approved_version_id is not None and filing.approved_version_id not in {
        version.pk for version in versions
    }:
        problems.append(_("批复版本不属于这份申报"))
    if filing.status == Filing.Status.APPROVED:
        if filing.approved_version_id is None:
            problems.append(_("状态为「已批复」，却没有批复版本"))
        elif last is not None and filing.approved_version_id != last.pk:
            problems.append(
                _("状态为「已批复」，批复版本却不是最后一版（第%(n)s版）") % {"n": last.number}
            )
    if last_transition is not None and last_transition.to_status != filing.status:
        problems.append(
            _("状态为「%(status)s」，最后一次状态变更（%(action)s）却是到「%(to)s」")
            % {
                "status": status,
                "action": last_transition.get_action_display(),
                "to": Filing.Status(last_transition.to_status).label,
            }
        )
    problems.extend(_tree_problems(filing))
    return [Problem(filing.pk, filing.name, message) for message in problems]


def _last_transitions(ids):
    last = {}
    transitions = Transition.objects.filter(filing_id__in=ids).order_by("filing_id", "at", "pk")
    for transition in transitions:
        last[transition.filing_id] = transition
    return last


def check(queryset=None, *, progress=None):
    """Check every filing of ``queryset`` (all by default); returns a Report."""
    queryset = Filing.objects.all() if queryset is None else queryset
    report = Report()
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        versions = defaultdict(list)
        for version in FilingVersion.objects.filter(filing_id__in=batch).order_by(
            "filing_id", "number"
        ):
            versions[version.filing_id].append(version)
        transitions = _last_transitions(batch)
        reviews = defaultdict(list)
        for review in Review.objects.filter(filing_id__in=batch):
            reviews[review.filing_id].append(review)
        files = defaultdict(list)
        for attachment in Attachment.objects.filter(filing_id__in=batch):
            files[attachment.filing_id].append(attachment)
        filings = export_queryset(Filing.objects.filter(pk__in=batch)).order_by("pk")
        for filing in filings:
            report.filings += 1
            report.versions += len(versions[filing.pk])
            report.problems.extend(
                _filing_problems(
                    filing,
                    versions[filing.pk],
                    transitions.get(filing.pk),
                    reviews[filing.pk],
                    files[filing.pk],
                )
            )
        if progress:
            progress(report)
    return report
