"""The figures of the dashboard (统计): one round of one bureau, all in SQL aggregates.

``round_figures(round_)`` returns what the page shows: counts by state per
主管部门 (a unit's filings count under its department), the filings still not
with the bureau after the deadline, the time filings spent in each step of the
path (from the Transition log), the checker's findings by code on each
filing's latest version (VersionFinding) and the grades of decided reviews.
The number of queries is the same for 15 filings as for 10,000: every figure
is a grouped query, and only the first few overdue filings are fetched.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Max, Sum
from django.utils import timezone

from accounts.models import Organisation
from filings import checks
from filings.models import Filing, FilingVersion, VersionFinding
from review.models import GRADES, Review, Transition

Status = Filing.Status
# Not yet with the bureau: after the deadline these are overdue.
NOT_WITH_BUREAU = (Status.DRAFT, Status.RETURNED, Status.DEPARTMENT_REVIEW)
# The steps of the path whose length is measured, in the order a filing meets them.
STEPS = (Status.DRAFT, Status.DEPARTMENT_REVIEW, Status.FINANCE_REVIEW, Status.RETURNED)
OVERDUE_SHOWN = 20


@dataclass
class DepartmentRow:
    organisation: Organisation
    counts: dict = field(default_factory=dict)  # status -> number of filings
    total: int = 0
    overdue: int = 0

    def count(self, status):
        return self.counts.get(status, 0)


@dataclass
class StepTime:
    status: str
    label: str
    count: int  # how many times a filing left this step
    average: timedelta | None
    p90: timedelta | None

    @property
    def average_text(self):
        return duration_text(self.average)

    @property
    def p90_text(self):
        return duration_text(self.p90)


def duration_text(value):
    """A stay as people say it: 3.5 天, 6.0 小时, 12 分钟; a dash for no data."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} 天"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} 小时"
    return f"{max(seconds, 0) / 60:.0f} 分钟"


@dataclass
class FindingRow:
    code: str
    severity: str
    filings: int  # latest versions with at least one finding of this code
    total: int  # findings of this code over those versions

    @property
    def title(self):
        """What the rule asks, in Chinese (filings.checks.title_of)."""
        return checks.title_of(self.code)

    @property
    def severity_label(self):
        return checks.SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass
class Figures:
    round: object
    today: object
    past_deadline: bool
    departments: list
    totals: dict
    total: int
    overdue_count: int
    overdue: list
    steps: list
    findings: list
    grades: dict  # stage -> {grade: n, "return": n}


def in_round(round_):
    """The filings a round covers: the round's year, under the round's bureau."""
    return Filing.objects.under(round_.bureau_id).filter(year=round_.year)


def round_figures(round_, today=None):
    today = today or timezone.localdate()
    filings = in_round(round_)
    past_deadline = today > round_.deadline
    departments, totals = _counts_by_department(filings, past_deadline)
    overdue_filings = filings.filter(status__in=NOT_WITH_BUREAU)
    overdue_count = sum(row.overdue for row in departments)
    overdue = []
    if past_deadline and overdue_count:
        overdue = list(
            overdue_filings.select_related("organisation").order_by("updated_at", "pk")[
                :OVERDUE_SHOWN
            ]
        )
    return Figures(
        round=round_,
        today=today,
        past_deadline=past_deadline,
        departments=departments,
        totals=totals,
        total=sum(totals.values()),
        overdue_count=overdue_count,
        overdue=overdue,
        steps=step_times(filings),
        findings=findings_by_code(filings),
        grades=grades(filings),
    )


def _counts_by_department(filings, past_deadline):
    # Grouped by organisation without a join (a few hundred rows at most), then
    # folded into departments here: joining every filing to its organisation to
    # group by department costs PostgreSQL a hash join over all the round's filings.
    grouped = filings.values("organisation_id", "status").annotate(n=Count("pk")).order_by()
    per_organisation = list(grouped)
    organisations = {
        organisation.pk: organisation
        for organisation in Organisation.objects.select_related("parent").filter(
            pk__in={entry["organisation_id"] for entry in per_organisation}
        )
    }
    rows, totals = {}, {}
    for entry in per_organisation:
        organisation = organisations[entry["organisation_id"]]
        if organisation.level == Organisation.Level.UNIT:
            organisation = organisation.parent
        row = rows.setdefault(organisation.pk, DepartmentRow(organisation))
        row.counts[entry["status"]] = row.counts.get(entry["status"], 0) + entry["n"]
        row.total += entry["n"]
        if past_deadline and entry["status"] in NOT_WITH_BUREAU:
            row.overdue += entry["n"]
        totals[entry["status"]] = totals.get(entry["status"], 0) + entry["n"]
    ordered = sorted(rows.values(), key=lambda row: (-row.total, row.organisation.name))
    return ordered, totals


# A stay's length in seconds: DurationField is an interval on PostgreSQL and a
# number of microseconds on SQLite.
_SECONDS = {
    "sqlite": "t.spent / 1000000.0",
    "postgresql": "EXTRACT(EPOCH FROM t.spent)",
}
_STEP_TIMES_SQL = """
WITH ranked AS (
    SELECT t.from_status AS step, {seconds} AS seconds,
           ROW_NUMBER() OVER (PARTITION BY t.from_status ORDER BY t.spent) AS position,
           COUNT(*) OVER (PARTITION BY t.from_status) AS stays
    FROM {transition} t
    WHERE t.filing_id IN ({scope}) AND t.action <> %s AND t.spent >= %s
      AND t.from_status IN ({steps})
)
SELECT step, MAX(stays), AVG(seconds), MIN(CASE WHEN 10 * position >= 9 * stays THEN seconds END)
FROM ranked
GROUP BY step
"""


def step_times(filings):
    """Average and 90th percentile of the time spent in each step, over finished stays.

    A stay in a step ends with a transition out of it; it began at the
    filing's previous transition (or, for the first, when the filing was
    created): its length is the transition's ``spent``, written with it.
    Imports are not stays, and a filing still waiting is not counted until
    it moves on. A stay that ends before it began (a log row backdated
    before the filing was created, as loaded demo data is) says nothing
    about how long it took and is left out.

    One query over the round's transitions alone; the 90th percentile is the
    nearest rank (the smallest stay with at least 90 % of the stays at or
    below it), which SQLite can compute as well as PostgreSQL.
    """
    scope, scope_params = filings.order_by().values("id").query.sql_with_params()
    sql = _STEP_TIMES_SQL.format(
        seconds=_SECONDS.get(connection.vendor, _SECONDS["postgresql"]),
        transition=Transition._meta.db_table,
        scope=scope,
        steps=", ".join(["%s"] * len(STEPS)),
    )
    zero = Transition._meta.get_field("spent").get_db_prep_value(timedelta(0), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope_params, Transition.Action.IMPORT, zero, *STEPS])
        summary = {step: (count, average, p90) for step, count, average, p90 in cursor.fetchall()}
    result = []
    for status in STEPS:
        count, average, p90 = summary.get(status, (0, None, None))
        result.append(
            StepTime(status, Status(status).label, count, _seconds(average), _seconds(p90))
        )
    return result


def _seconds(value):
    # Whole seconds, as the page shows them.
    return None if value is None else timedelta(seconds=round(float(value)))


def findings_by_code(filings):
    """The checker's findings by code, over the latest version of each filing in the round."""
    # Versions are numbered in the order they are created, so a filing's latest
    # version is its highest id: one grouped subquery instead of one per row.
    latest = (
        FilingVersion.objects.filter(filing__in=filings)
        .values("filing_id")
        .annotate(latest=Max("pk"))
        .order_by()
        .values("latest")
    )
    grouped = (
        VersionFinding.objects.filter(version_id__in=latest)
        .values("code", "severity")
        .annotate(filings=Count("version_id"), total=Sum("count"))
        .order_by()
    )
    rows = [
        FindingRow(entry["code"], entry["severity"], entry["filings"], entry["total"])
        for entry in grouped
    ]
    # Errors first, then the most widespread.
    rows.sort(key=lambda row: (row.severity != checks.ERROR, -row.filings, row.code))
    return rows


def grades(filings):
    """{stage: {"优": n, …, "return": n}} over the decided reviews of the round's filings.

    Each review counts once, by its grade; "return" counts the returns made without
    a grade before the grade decided (review migration 0004).
    """
    result = {
        stage: {**{grade: 0 for grade, _ in GRADES}, "return": 0} for stage in Review.Stage.values
    }
    grouped = (
        Review.objects.filter(filing__in=filings, decided_at__isnull=False)
        .values("stage", "decision", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for entry in grouped:
        counts = result.setdefault(entry["stage"], {})
        if entry["decision"] == Review.Decision.CONFIRM:
            continue  # confirms the 良 already counted; no new judgement
        if entry["grade"]:
            # The grade decides (良 and 中 are returns, 差 is 不予通过): counted by grade.
            counts[entry["grade"]] = counts.get(entry["grade"], 0) + entry["n"]
        elif entry["decision"] == Review.Decision.RETURN:
            # A return without a grade, from before the grade decided.
            counts["return"] = counts.get("return", 0) + entry["n"]
    return result
