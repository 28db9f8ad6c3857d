"""Start from last year: a new draft made from one of the organisation's earlier filings."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from filings import content
from filings import fields as form_fields
from filings.models import Filing, Task
from indicators.models import Indicator


def shift_date(date, years):
    """``date`` moved by ``years``; 29 February becomes 28 February in a common year."""
    if date is None:
        return None
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return datetime.date(date.year + years, 2, 28)


def copy_problem(source, year):
    """Why ``source`` cannot be copied into ``year`` (a Chinese message), or None."""
    same = Filing.objects.filter(
        organisation_id=source.organisation_id, year=year, form=source.form
    )
    if source.is_project:
        if same.filter(name=source.name).exists():
            return _("「项目名称」本单位%(year)s年度已有同名项目《%(name)s》，不能再复制一份") % {
                "year": year,
                "name": source.name,
            }
    elif same.exists():
        return _("「年度」本单位%(year)s年度已有一份《%(form)s》，不能再复制一份") % {
            "year": year,
            "form": source.get_form_display(),
        }
    return None


def copy_filing(source, year, user):
    """A new draft of ``year`` copied from ``source``; ValidationError if it would clash.

    Same form and organisation; money cleared; dates and the 项目总目标 span moved
    on by the difference of years; indicators and 年度重点任务 copied with new row
    keys (a key names one row of one filing for good). ``user`` is the filer who
    asked: access is the caller's business (``filing_access(..., COPY)``).
    """
    problem = copy_problem(source, year)
    if problem:
        raise ValidationError(problem, code="duplicate")
    years = year - source.year
    copy = Filing(
        form=source.form,
        year=year,
        organisation_id=source.organisation_id,
        status=Filing.Status.DRAFT,
        name=source.name,
        copied_from=source,
        # The copy's rows are the source's: they keep the edition they were written to.
        framework_id=source.framework_id,
        execution_weight=source.execution_weight,
        import_warnings=[],
        source=_("复制自 %(year)s年度《%(name)s》") % {"year": source.year, "name": source.name},
    )
    for name in [*form_fields.COMMON_FIELDS, *form_fields.fields_of(source.form)]:
        if name != "name":
            setattr(copy, name, getattr(source, name))
    # Amounts belong to one budget year: a copy starts with blank money cells.
    for name in form_fields.MONEY_FIELDS:
        setattr(copy, name, None)
    copy.start_date = shift_date(source.start_date, years)
    copy.end_date = shift_date(source.end_date, years)
    if source.goal_start_year is not None:
        copy.goal_start_year = source.goal_start_year + years
    if source.goal_end_year is not None:
        copy.goal_end_year = source.goal_end_year + years
    indicators = [
        Indicator(
            key=uuid.uuid4(), **{name: getattr(row, name) for name in content.INDICATOR_COMPARED}
        )
        for row in source.indicators.all()
    ]
    tasks = [
        Task(key=uuid.uuid4(), order=t.order, name=t.name, content=t.content)
        for t in source.tasks.all()
    ]
    try:
        return content.create_filing(copy, indicators=indicators, tasks=tasks)
    except content.ContentRefused as refused:
        # A copy is refused as the wizard would refuse its values (a date moved past 2100).
        raise ValidationError([problem.message for problem in refused.problems]) from None
