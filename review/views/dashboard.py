"""The dashboard (统计) of one round: for a bureau's finance reviewers, and for admins."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from filings.access import DASHBOARD, requires
from filings.models import Filing
from filings.visibility import rounds_visible_to
from review import charts
from review.dashboard import STEPS, round_figures
from review.models import GRADES, Review, Round
from review.notifications import round_label

STATUS_COLOURS = {
    Filing.Status.DRAFT: "#adb5bd",
    Filing.Status.RETURNED: "#dc3545",
    Filing.Status.DEPARTMENT_REVIEW: "#0d6efd",
    Filing.Status.FINANCE_REVIEW: "#6f42c1",
    Filing.Status.APPROVED: "#198754",
    Filing.Status.NOT_APPROVED: "#212529",
}
# The order a bar reads, left to right: still with the filer, then along the path.
STATUS_ORDER = list(STATUS_COLOURS)
# Bars of the charts that share a row: their text then prints at the size of the page's.
HALF_WIDTH_BARS = 260
CHART_ROWS = 15  # departments drawn; the table below lists all of them


@login_required
@requires(DASHBOARD)
def dashboard(request):
    rounds = list(
        rounds_visible_to(request.user, Round.objects.select_related("bureau")).order_by(
            "-year", "bureau__name"
        )
    )
    for item in rounds:
        item.label = round_label(item)
    chosen = request.GET.get("round")
    if chosen:
        # Another bureau's round is not there for this reviewer.
        round_ = next((r for r in rounds if str(r.pk) == chosen), None)
        if round_ is None:
            raise Http404(_("没有这个申报批次。"))
    else:
        round_ = rounds[0] if rounds else None
    context = {"rounds": rounds, "round": round_}
    if round_ is not None:
        figures = round_figures(round_)
        context.update(figures=figures, **_charts(figures))
    return render(request, "review/dashboard.html", context)


def _charts(figures):
    """The dashboard's charts and tables, drawn from one round's ``figures``."""
    for department in figures.departments:
        department.cells = [department.count(status) for status in STATUS_ORDER]
    return {
        "status_columns": [(status, Filing.Status(status).label) for status in STATUS_ORDER],
        "status_chart": _status_chart(figures) if figures.departments else None,
        "steps_chart": _steps_chart(figures),
        "findings_chart": _findings_chart(figures) if figures.findings else None,
        **_grades(figures),
        "step_order": STEPS,
    }


def _status_chart(figures):
    segments = [
        (status, Filing.Status(status).label, STATUS_COLOURS[status]) for status in STATUS_ORDER
    ]
    return charts.stacked_bars(
        _("各主管部门申报状态"),
        [(row.organisation.name, row.counts) for row in figures.departments[:CHART_ROWS]],
        segments,
    )


def _steps_chart(figures):
    measured = [step for step in figures.steps if step.average is not None]
    if not measured:
        return None
    return charts.bars(
        _("各环节平均用时"),
        [(step.label, step.average.total_seconds(), step.average_text) for step in measured],
        colour="#0d6efd",
        bar_area=HALF_WIDTH_BARS,
    )


def _findings_chart(figures):
    return charts.bars(
        _("检查发现（按规则）"),
        [(row.title, row.filings, f"{row.filings} 份") for row in figures.findings[:CHART_ROWS]],
        colour="#fd7e14",
    )


def _grades(figures):
    """The grades and returns of each review stage: a table, and a chart when there are any."""
    grade_rows = []
    for stage, label in Review.Stage.choices:
        counts = figures.grades.get(stage, {})
        row = {grade: counts.get(grade, 0) for grade, _label in GRADES}
        row["return"] = counts.get("return", 0)
        grade_rows.append((label, row))
    grade_segments = [
        ("优", "优", "#198754"),
        ("良", "良", "#20c997"),
        ("中", "中", "#ffc107"),
        ("差", "差", "#fd7e14"),
        ("return", _("退回修改"), "#dc3545"),
    ]
    has_grades = any(sum(counts.values()) for _label, counts in grade_rows)
    return {
        "grade_table": [
            (label, [counts[key] for key, _label, _colour in grade_segments])
            for label, counts in grade_rows
        ],
        "grades_chart": charts.stacked_bars(
            _("审核结论与等级"), grade_rows, grade_segments, bar_area=HALF_WIDTH_BARS
        )
        if has_grades
        else None,
        "grade_columns": [(key, label) for key, label, _colour in grade_segments],
    }
